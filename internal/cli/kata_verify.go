package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
)

// kataVerifyOptions is everything "kata verify" needs.
type kataVerifyOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	IDs     []string // none: every kata
	Verbose bool
	Go      string
}

func newKataVerifyCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "verify",
		Usage:     "self-check the katas (for maintainers): reference passes, starter and broken variants fail",
		ArgsUsage: "[ID]...",
		Description: `For each kata (all by default): the metadata is valid, harness_test.go is the template's copy,
the statement names the starter's API, and through the same checker as "kata check" the
reference solution passes, the starter fails and every broken variant fails (each without a
build error). Verifying every kata (no ID) also fails when a scenario of the guide has no
kata. Exit status 1 when there is any problem.`,
		Flags: []ucli.Flag{
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show each run: variant, result, time"},
		},
		Action: func(c *ucli.Context) error {
			ids, err := kataArgs(c)
			if err != nil {
				return err
			}
			cat, err := loadCatalog()
			if err != nil {
				return err
			}
			return runKataVerify(c.Context, &kataVerifyOptions{IO: ios, Catalog: cat, IDs: ids, Verbose: c.Bool("verbose")})
		},
	}
}

func runKataVerify(ctx context.Context, opts *kataVerifyOptions) error {
	for _, id := range opts.IDs {
		if _, err := getKata(opts.Catalog, id); err != nil {
			return err
		}
	}
	out := opts.IO.Out
	problems := 0
	reports, err := kata.Verify(ctx, opts.Catalog, opts.IDs, kata.VerifyOptions{Go: opts.Go, OnReport: func(r kata.Report) {
		word := "ok  "
		if len(r.Problems) > 0 {
			word = "FAIL"
		}
		fmt.Fprintf(out, "%s %s (%d runs, %.1fs)\n", word, r.Kata, len(r.Runs), r.Duration.Seconds())
		for _, p := range r.Problems {
			fmt.Fprintf(out, "    %s\n", p)
		}
		if opts.Verbose {
			for _, run := range r.Runs {
				if run.Result != nil {
					fmt.Fprintf(out, "    %-28s %s (%d/%d) in %.1fs %s\n", run.Variant, run.Result.Status, run.Result.Passed, run.Result.Total, run.Result.Duration.Seconds(), run.Result.Reason)
				}
			}
		}
	}})
	for _, r := range reports {
		problems += len(r.Problems)
	}
	if errors.Is(err, kata.ErrInterrupted) {
		return interrupted()
	}
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if len(opts.IDs) == 0 { // the whole curriculum: every scenario needs a kata
		for _, key := range opts.Catalog.Uncovered() {
			fmt.Fprintf(out, "FAIL scenario %q has no kata\n", key)
			problems++
		}
	}
	if problems > 0 {
		fmt.Fprintf(opts.IO.ErrOut, "%d problem(s) in %d katas\n", problems, len(reports))
		return failed()
	}
	fmt.Fprintf(out, "ok: %d katas verified\n", len(reports))
	return nil
}

// kataInitOptions is everything "kata init" needs.
type kataInitOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	Dir     string
}

func newKataInitCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "init",
		Usage:     "make DIR a workspace for your solutions (a Go module of its own)",
		ArgsUsage: "DIR",
		Action: func(c *ucli.Context) error {
			args, err := kataArgs(c)
			if err != nil {
				return err
			}
			if len(args) != 1 {
				return usageErr("kata init needs one folder, such as: procdojo kata init ~/dojo")
			}
			cat, err := loadCatalog()
			if err != nil {
				return err
			}
			return runKataInit(&kataInitOptions{IO: ios, Catalog: cat, Dir: args[0]})
		},
	}
}

func runKataInit(opts *kataInitOptions) error {
	ws, err := kata.InitWorkspace(opts.Dir)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	first := "ID"
	if all := opts.Catalog.All(); len(all) > 0 {
		first = all[0].ID
	}
	fmt.Fprintf(opts.IO.Out, "Made a workspace in %s (%s)\n", ws.Dir, filepath.Join(ws.Dir, kata.MarkerFile))
	fmt.Fprintf(opts.IO.Out, "Next: cd %s && procdojo kata start %s\n", ws.Dir, first)
	fmt.Fprintf(opts.IO.Out, "From elsewhere, pass --workspace %s or set %s=%s\n", ws.Dir, kata.EnvWorkspace, ws.Dir)
	return nil
}
