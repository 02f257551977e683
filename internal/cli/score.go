package cli

import (
	"context"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/iostreams"
)

func init() { commands = append(commands, newScoreCommand) }

// scoreOptions is everything `procdojo score` needs.
type scoreOptions struct {
	IO     *iostreams.IOStreams
	Source standingSource
	Since  string // a --since value; "" for the whole history
	JSON   bool
}

func newScoreCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "score",
		Usage:     "show where you stand: accuracy, katas and a verdict per level, weak topics, trend",
		ArgsUsage: " ",
		Description: `Reads your progress log and shows, per level, your quiz accuracy (the latest answer to
each question counts most, each older one half as much as the next), the questions seen and
the katas passed, and a verdict: ready, almost or not yet, with what is missing. Then the
mastery of each topic across quiz and katas, the three weakest topics with the questions to
review and the katas to do, and your accuracy week by week.

Examples:
  procdojo score
  procdojo score --since 30d
  procdojo score --since 2026-11-01 --json`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "since", Usage: "count only what you did (answers and kata checks) since `WHEN`: a duration back (30d, 2w, 12h) or a date (2026-11-01)"},
			&ucli.BoolFlag{Name: "json", Usage: "print the report as JSON"},
			&ucli.StringSliceFlag{Name: "bank", Usage: "score against the banks in this file or folder instead of the built-in ones; repeatable", TakesFile: true},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usageErr("score takes no arguments, got %q (did you mean --since %s?)", c.Args().First(), c.Args().First())
			}
			log, err := openLog(c)
			if err != nil {
				return err
			}
			return runScore(c.Context, &scoreOptions{
				IO: ios, Since: c.String("since"), JSON: c.Bool("json"),
				Source: standingSource{Log: log, Banks: c.StringSlice("bank")},
			})
		},
	}
}

func runScore(ctx context.Context, opts *scoreOptions) error {
	in, err := loadStanding(ctx, opts.IO, opts.Source)
	if err != nil {
		return err
	}
	if opts.Since != "" {
		in.Since, err = assess.ParseSince(opts.Since, in.Now)
		if err != nil {
			return usageErr("%v", err)
		}
	}
	rep := assess.Score(in)
	if opts.JSON {
		return assess.WriteJSON(opts.IO.Out, rep)
	}
	rep.WriteText(opts.IO.Out, opts.IO.Color)
	return nil
}
