package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/termsafe"
	"github.com/procdojo/procdojo/quiz"
)

func init() { commands = append(commands, newQuestionsCommand) }

func newQuestionsCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:  "questions",
		Usage: "list, lint and count the question banks",
		Subcommands: []*ucli.Command{
			{
				Name:      "list",
				Usage:     "one line per question: id, level, kind, topic, lang, prompt",
				ArgsUsage: " ",
				Flags: append(filterFlags(),
					&ucli.BoolFlag{Name: "json", Usage: "print every field of every question as JSON"}),
				Action: func(c *ucli.Context) error {
					if c.NArg() > 0 {
						return usageErr("questions list takes no arguments; use --level, --topic, --lang")
					}
					return runQuestionsList(c.Context, ios, c.StringSlice("bank"), filterFrom(c), c.Bool("json"))
				},
			},
			{
				Name:      "lint",
				Usage:     "check banks and print every problem as file:line:col: message",
				ArgsUsage: "[PATH]...",
				Description: `Checks bank files or folders of *.toml files (default: the built-in banks): the
format, the limits (size, lines, nesting, keys and values) and characters that would act on
a terminal. Exit status 1 when there is any problem, else 0 with a summary of the counts;
2 when a path cannot be read as a bank (missing, not a regular file, over 8 MiB).`,
				Action: func(c *ucli.Context) error {
					return runQuestionsLint(c.Context, ios, c.Args().Slice())
				},
			},
			{
				Name:      "stats",
				Usage:     "print a Markdown table of questions per level, lang and kind",
				ArgsUsage: "[PATH]...",
				Action: func(c *ucli.Context) error {
					qs, err := loadBanks(c.Context, ios, c.Args().Slice())
					if err != nil {
						return err
					}
					fmt.Fprint(ios.Out, quiz.StatsTable(qs))
					return nil
				},
			},
		},
	}
}

func runQuestionsList(ctx context.Context, ios *iostreams.IOStreams, banks []string, f quiz.Filter, asJSON bool) error {
	qs, err := loadBanks(ctx, ios, banks)
	if err != nil {
		return err
	}
	qs, err = f.Apply(qs)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if asJSON {
		enc := json.NewEncoder(ios.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(qs)
	}
	tw := tabwriter.NewWriter(ios.Out, 0, 0, 2, ' ', 0)
	for _, q := range qs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", q.ID, q.Level, q.Kind, q.Topic, q.Lang, termsafe.Line(clip(q.FirstLine(), 70)))
	}
	return tw.Flush()
}

// runQuestionsLint lints the banks at paths (the built-in ones when there are none): every
// problem on stdout and exit status 1 when there is any; a path that cannot be read as a
// bank (missing, not a regular file, over the size cap) is exit status 2, and Ctrl-C 130.
func runQuestionsLint(ctx context.Context, ios *iostreams.IOStreams, paths []string) error {
	qs, err := loadBanksRaw(ctx, ios, paths)
	if ctx.Err() != nil {
		return interrupted()
	}
	var ps quiz.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(ios.Out, p)
		}
		fmt.Fprintf(ios.ErrOut, "%d problem(s)\n", len(ps))
		return failed()
	}
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	fmt.Fprintf(ios.Out, "ok: %s\n", quiz.Summary(qs))
	return nil
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
