package cli

import (
	"context"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/fsrs"
	"github.com/procdojo/procdojo/internal/iostreams"
)

func init() {
	commands = append(commands, newNextCommand)
	defaultAction = func(ios *iostreams.IOStreams) ucli.ActionFunc {
		return func(c *ucli.Context) error { return nextAction(ios, c) }
	}
}

// nextOptions is everything `procdojo next` (and procdojo with no arguments) needs.
type nextOptions struct {
	IO     *iostreams.IOStreams
	Source standingSource
	JSON   bool
}

func newNextCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "next",
		Usage:     "one screen: your progress per level, the reviews due, the next kata and what to run",
		ArgsUsage: " ",
		Description: `Shows where you stand and suggests one command to run next. This is also what procdojo
prints when run with no arguments.`,
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "json", Usage: "print the status as JSON"},
			&ucli.StringSliceFlag{Name: "bank", Usage: "use the banks in this file or folder instead of the built-in ones; repeatable", TakesFile: true},
		},
		Action: func(c *ucli.Context) error { return nextAction(ios, c) },
	}
}

func nextAction(ios *iostreams.IOStreams, c *ucli.Context) error {
	if c.NArg() > 0 {
		return usageErr("next takes no arguments, got %q", c.Args().First())
	}
	log, err := openLog(c)
	if err != nil {
		return err
	}
	opts := &nextOptions{IO: ios, Source: standingSource{Log: log}}
	if c.Command != nil && c.Command.Name == "next" {
		opts.JSON, opts.Source.Banks = c.Bool("json"), c.StringSlice("bank")
	}
	return runNext(c.Context, opts)
}

func runNext(ctx context.Context, opts *nextOptions) error {
	in, err := loadStanding(ctx, opts.IO, opts.Source)
	if err != nil {
		return err
	}
	cards := assess.Cards(in.Records, in.Questions, fsrs.Default())
	status := assess.Next(in, cards)
	if opts.JSON {
		return assess.WriteJSON(opts.IO.Out, status)
	}
	status.WriteText(opts.IO.Out, opts.IO.Color)
	return nil
}
