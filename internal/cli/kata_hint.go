package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// kataHintOptions is everything "kata hint" needs.
type kataHintOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	Log     *progress.Log
	ID      string
}

func newKataHintCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "hint",
		Usage:     "show the hints seen so far and one more (remembered per kata)",
		ArgsUsage: "ID",
		Action: withKata(func(c *ucli.Context, id string, cat *kata.Catalog) error {
			log, err := openLog(c)
			if err != nil {
				return err
			}
			return runKataHint(&kataHintOptions{IO: ios, Catalog: cat, Log: log, ID: id})
		}),
	}
}

func runKataHint(opts *kataHintOptions) error {
	k, err := getKata(opts.Catalog, opts.ID)
	if err != nil {
		return err
	}
	st, err := readKataStatus(opts.Log, opts.IO.ErrOut)
	if err != nil {
		return err
	}
	seen := min(st[k.ID].Hints, len(k.Hints))
	next := seen + 1
	if next <= len(k.Hints) {
		err := opts.Log.Append(progress.Record{Type: progress.TypeHint, Kata: k.ID, Hint: next})
		if err != nil {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%w (hints are remembered in the progress log)", err)}
		}
		seen = next
	}
	for i := 0; i < seen; i++ {
		fmt.Fprintf(opts.IO.Out, "Hint %d of %d: %s\n", i+1, len(k.Hints), strings.TrimSpace(k.Hints[i]))
	}
	if next > len(k.Hints) {
		fmt.Fprintf(opts.IO.ErrOut, "That was every hint; procdojo kata solution %s shows the reference once you pass.\n", k.ID)
	}
	return nil
}

// kataSolutionOptions is everything "kata solution" needs.
type kataSolutionOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	Log     *progress.Log
	ID      string
	Force   bool
}

func newKataSolutionCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "solution",
		Usage:     "print the reference solution (once you passed the kata, or with --force)",
		ArgsUsage: "ID",
		Description: `Prints the reference solution's source on stdout, so that
  procdojo kata solution run-capture > reference.go
works; notes go to stderr.`,
		Flags: []ucli.Flag{&ucli.BoolFlag{Name: "force", Usage: "show it even though you have not passed yet"}},
		Action: withKata(func(c *ucli.Context, id string, cat *kata.Catalog) error {
			log, err := openLog(c)
			if err != nil {
				return err
			}
			return runKataSolution(&kataSolutionOptions{IO: ios, Catalog: cat, Log: log, ID: id, Force: c.Bool("force")})
		}),
	}
}

func runKataSolution(opts *kataSolutionOptions) error {
	k, err := getKata(opts.Catalog, opts.ID)
	if err != nil {
		return err
	}
	st, err := readKataStatus(opts.Log, opts.IO.ErrOut)
	if err != nil {
		return err
	}
	if !st[k.ID].Passed {
		if !opts.Force {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("you have not passed %s yet: pass it first (procdojo kata check %s; procdojo kata hint %s helps), or use --force to read the solution now", k.ID, k.ID, k.ID)}
		}
		fmt.Fprintf(opts.IO.ErrOut, "warning: showing the solution of %s before you passed it\n", k.ID)
	}
	src, err := k.Solution()
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.ErrOut, "# the reference solution of %s (%s)\n", k.ID, k.FileName())
	_, err = opts.IO.Out.Write(src)
	return err
}

// kataResetOptions is everything "kata reset" needs.
type kataResetOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	WS      wsLocator
	ID      string
	Yes     bool
}

func newKataResetCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "reset",
		Usage:     "put the starter back in place of your file (kept as <file>.bak), after confirmation",
		ArgsUsage: "ID",
		Flags: []ucli.Flag{
			workspaceFlag(),
			&ucli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask for confirmation (needed when stdin is not a terminal)"},
		},
		Action: withKata(func(c *ucli.Context, id string, cat *kata.Catalog) error {
			return runKataReset(&kataResetOptions{IO: ios, Catalog: cat, WS: locatorFrom(c), ID: id, Yes: c.Bool("yes")})
		}),
	}
}

func runKataReset(opts *kataResetOptions) error {
	k, err := getKata(opts.Catalog, opts.ID)
	if err != nil {
		return err
	}
	ws, err := opts.WS.find()
	if err != nil {
		return err
	}
	file := ws.File(k)
	if !ws.Started(k) {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s is not started (%s does not exist); start it with procdojo kata start %s", k.ID, file, k.ID)}
	}
	if !opts.Yes {
		if !opts.IO.InTTY {
			return usageErr("kata reset replaces %s and asks first, but standard input is not a terminal: pass --yes to confirm", file)
		}
		fmt.Fprintf(opts.IO.ErrOut, "Replace %s with the starter? Your file will be kept as %s.bak [y/N] ", file, file)
		answer, err := bufio.NewReader(opts.IO.In).ReadString('\n')
		if err != nil && answer == "" {
			fmt.Fprintln(opts.IO.ErrOut)
		}
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return &ExitError{Code: ExitFailure, Err: errors.New("reset cancelled; nothing changed")}
		}
	}
	bak, err := ws.Reset(k)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	fmt.Fprintf(opts.IO.Out, "Restored the starter in %s; your old file is %s\n", file, bak)
	return nil
}
