package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// kataCheckOptions is everything "kata check" needs.
type kataCheckOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	Log     *progress.Log // nil records nothing
	WS      wsLocator
	ID      string // or All
	All     bool
	Timeout time.Duration // 0: each kata's limit
	JSON    bool
	Verbose bool
	Go      string // the go command; "" finds it on PATH
}

func newKataCheckCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "check",
		Usage:     "run a kata's reference tests against your file",
		ArgsUsage: "ID | --all",
		Description: `Compiles your file with the kata's reference tests ("go test -c"; the tests are taken from
procdojo, so test files you edit or add in the workspace change nothing), then runs them
with a deadline: the kata's time limit, or --timeout, which times the tests alone. A file
checked before is not compiled again. The tests run without a shell, under a supervisor
that kills every process they started (on Linux, even those that left the process group)
when they end, at the deadline, or on Ctrl-C. Every check is recorded in the progress log.
The last line is "PASS <id> (n/n tests)" or "FAIL <id> (k/n tests): <reason>".
Exit status 0 on PASS, 1 on FAIL, 130 on Ctrl-C.

Examples:
  procdojo kata check run-capture
  procdojo kata check run-capture -v --timeout 2m
  procdojo kata check --all --json`,
		Flags: []ucli.Flag{
			workspaceFlag(),
			&ucli.BoolFlag{Name: "all", Usage: "check every kata started in the workspace, GOMAXPROCS at a time, and print a summary"},
			&ucli.DurationFlag{Name: "timeout", Usage: "the deadline `D` of the tests, the build left out (default: the kata's time limit)"},
			&ucli.BoolFlag{Name: "json", Usage: "print the result as JSON (progress goes to stderr)"},
			&ucli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show every test's output (as it comes, for one kata)"},
		},
		Action: func(c *ucli.Context) error {
			args, err := kataArgs(c)
			if err != nil {
				return err
			}
			opts := &kataCheckOptions{IO: ios, WS: locatorFrom(c), All: c.Bool("all"),
				Timeout: c.Duration("timeout"), JSON: c.Bool("json"), Verbose: c.Bool("verbose")}
			switch {
			case opts.All && len(args) > 0:
				return usageErr("kata check takes a kata id or --all, not both")
			case !opts.All:
				id, err := oneID(c)
				if err != nil {
					return err
				}
				opts.ID = id
			}
			if c.IsSet("timeout") && opts.Timeout <= 0 {
				return usageErr("--timeout must be positive, got %s", opts.Timeout)
			}
			cat, err := loadCatalog()
			if err != nil {
				return err
			}
			opts.Catalog = cat
			log, err := openLog(c)
			if err != nil {
				return err
			}
			opts.Log = log
			return runKataCheck(c.Context, opts)
		},
	}
}

func runKataCheck(ctx context.Context, opts *kataCheckOptions) error {
	ws, err := opts.WS.find()
	if err != nil {
		return err
	}
	if opts.All {
		return runKataCheckAll(ctx, opts, ws)
	}
	k, err := getKata(opts.Catalog, opts.ID)
	if err != nil {
		return err
	}
	if err := needNode(k); err != nil {
		return err
	}
	streamed := opts.Verbose && !opts.JSON
	var stream *eventPrinter
	if streamed {
		stream = &eventPrinter{w: opts.IO.Out}
	} else if opts.IO.ErrTTY {
		fmt.Fprintf(opts.IO.ErrOut, "checking %s (time limit %s)...\n", k.ID, limitOf(k, opts.Timeout))
	}
	res, err := checkOne(ctx, opts, ws, k, stream)
	if err != nil && !errors.Is(err, kata.ErrInterrupted) {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		writeResult(opts.IO.Out, res, opts.Verbose, streamed)
	}
	switch {
	case errors.Is(err, kata.ErrInterrupted):
		return interrupted()
	case res.Status != kata.StatusPass:
		return failed()
	}
	return nil
}

// buildNotice returns, for a terminal, the OnBuild callback that says the test binary is
// being compiled (it takes a while the first time); nil otherwise.
func buildNotice(ios *iostreams.IOStreams, k *kata.Kata) func() {
	if !ios.ErrTTY {
		return nil
	}
	return func() {
		fmt.Fprintf(ios.ErrOut, "building %s (the first check compiles the test framework)...\n", k.ID)
	}
}

func limitOf(k *kata.Kata, timeout time.Duration) time.Duration {
	if timeout > 0 {
		return timeout
	}
	return k.TimeLimit
}

// checkOne checks kata k and records the check in the log. It returns a result whenever the
// check ran, interrupted or not.
func checkOne(ctx context.Context, opts *kataCheckOptions, ws *kata.Workspace, k *kata.Kata, stream *eventPrinter) (*kata.Result, error) {
	copts := kata.CheckOptions{Timeout: opts.Timeout, Go: opts.Go, OnBuild: buildNotice(opts.IO, k)}
	if stream != nil {
		copts.OnEvent = stream.print
	}
	res, err := kata.Check(ctx, ws, k, copts)
	if res == nil {
		return nil, err
	}
	recordCheck(opts.Log, k.ID, res, opts.IO.ErrOut)
	return res, err
}

// recordCheck appends the result of a check of kata to the progress log (when there is one); a failure
// to record is a warning on w, not an error of the check.
func recordCheck(log *progress.Log, kata string, res *kata.Result, w io.Writer) {
	if log == nil {
		return
	}
	err := log.Append(progress.Record{
		Type: progress.TypeKataCheck, Session: progress.NewSessionID(), Kata: kata,
		Verdict: string(res.Status), Passed: res.Passed, Total: res.Total, Reason: res.Reason,
		ElapsedMS: res.Duration.Milliseconds(),
	})
	if err != nil {
		fmt.Fprintf(w, "warning: the check was not recorded: %v\n", err)
	}
}

// writeResult prints a check's report: the build errors, a line per test with its message
// (failures only, unless verbose and not already streamed), then the verdict line.
func writeResult(w io.Writer, res *kata.Result, verbose, streamed bool) {
	if res.BuildFailed {
		fmt.Fprintln(w, "Build failed:")
		writeIndented(w, res.BuildOutput+res.Output)
		if strings.Contains(res.BuildOutput, "_test.go:") {
			fmt.Fprintf(w, "(The _test.go files are the kata's reference tests: your file must declare what they use; procdojo kata show %s shows the API.)\n", res.Kata)
		}
	} else {
		for _, t := range res.Tests {
			switch t.Status {
			case kata.StatusPass, kata.StatusFail, kata.StatusSkip:
				fmt.Fprintf(w, "--- %s: %s (%.2fs)\n", strings.ToUpper(string(t.Status)), t.Name, t.Duration.Seconds())
			case kata.StatusRunning:
				fmt.Fprintf(w, "--- DID NOT FINISH: %s\n", t.Name)
			default:
				fmt.Fprintf(w, "--- NOT RUN: %s\n", t.Name)
			}
			if !streamed && (verbose || t.Status == kata.StatusFail || t.Status == kata.StatusRunning) {
				fmt.Fprint(w, t.Output)
			}
		}
		if res.Status != kata.StatusPass && strings.TrimSpace(res.Output) != "" && !streamed {
			fmt.Fprintln(w, "Output outside the tests:")
			writeIndented(w, res.Output)
		}
	}
	fmt.Fprintln(w, verdictLine(res))
}

// verdictLine is "PASS <id> (n/n tests)" or "FAIL <id> (k/n tests): <reason>".
func verdictLine(res *kata.Result) string {
	if res.Status == kata.StatusPass {
		return fmt.Sprintf("PASS %s (%d/%d tests)", res.Kata, res.Passed, res.Total)
	}
	word := "FAIL"
	if res.Status == kata.StatusError {
		word = "ERROR"
	}
	return fmt.Sprintf("%s %s (%d/%d tests): %s", word, res.Kata, res.Passed, res.Total, res.Reason)
}

func writeIndented(w io.Writer, s string) {
	for _, line := range strings.SplitAfter(strings.TrimRight(s, "\n")+"\n", "\n") {
		if line != "" {
			fmt.Fprint(w, "    "+line)
		}
	}
}

// eventPrinter prints "go test -json" output as it comes, as "go test -v" would, keeping at
// most kata.MaxTestOutput bytes per top-level test and kata.MaxTotalOutput in all.
type eventPrinter struct {
	w       io.Writer
	printed map[string]int
	total   int
	cut     map[string]bool
}

func (p *eventPrinter) print(ev kata.Event) {
	if ev.Action != "output" && ev.Action != "build-output" {
		return
	}
	if p.printed == nil {
		p.printed, p.cut = map[string]int{}, map[string]bool{}
	}
	top, _, _ := strings.Cut(ev.Test, "/")
	if p.printed[top]+len(ev.Output) > kata.MaxTestOutput || p.total+len(ev.Output) > kata.MaxTotalOutput {
		if !p.cut[top] {
			p.cut[top] = true
			fmt.Fprintf(p.w, "... (output of %s cut here)\n", orPackage(top))
		}
		return
	}
	p.printed[top] += len(ev.Output)
	p.total += len(ev.Output)
	fmt.Fprint(p.w, ev.Output)
}

func orPackage(test string) string {
	if test == "" {
		return "the package"
	}
	return test
}

// runKataCheckAll checks every started kata, runtime.GOMAXPROCS at a time, and prints a
// summary table (and, verbose, each kata's report).
func runKataCheckAll(ctx context.Context, opts *kataCheckOptions, ws *kata.Workspace) error {
	ks := ws.StartedKatas(opts.Catalog)
	if len(ks) == 0 {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("no kata started in %s; start one with procdojo kata start ID", ws.Dir)}
	}
	n := runtime.GOMAXPROCS(0)
	if opts.IO.ErrTTY || opts.JSON {
		fmt.Fprintf(opts.IO.ErrOut, "checking %d katas, %d at a time...\n", len(ks), n)
	}
	var (
		results = make([]*kata.Result, len(ks))
		errs    = make([]error, len(ks))
		sem     = make(chan struct{}, n)
		mu      sync.Mutex
		wg      sync.WaitGroup
	)
	start := time.Now()
	for i, k := range ks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = checkOne(ctx, opts, ws, k, nil)
			if results[i] == nil {
				tests, _ := k.Tests()
				results[i] = &kata.Result{Kata: k.ID, Status: kata.StatusError, Reason: errs[i].Error(), Total: len(tests)}
			}
			if opts.IO.ErrTTY && !opts.JSON {
				mu.Lock()
				fmt.Fprintln(opts.IO.ErrOut, verdictLine(results[i]))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	passed := 0
	for _, r := range results {
		if r.Status == kata.StatusPass {
			passed++
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		err := enc.Encode(struct {
			Workspace  string         `json:"workspace"`
			Results    []*kata.Result `json:"results"`
			Passed     int            `json:"passed"`
			Failed     int            `json:"failed"`
			DurationMS int64          `json:"duration_ms"`
		}{ws.Dir, results, passed, len(results) - passed, elapsed.Milliseconds()})
		if err != nil {
			return err
		}
	} else {
		if opts.Verbose {
			for _, r := range results {
				fmt.Fprintf(opts.IO.Out, "=== %s\n", r.Kata)
				writeResult(opts.IO.Out, r, true, false)
				fmt.Fprintln(opts.IO.Out)
			}
		}
		tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KATA\tRESULT\tTESTS\tTIME\tREASON")
		for _, r := range results {
			fmt.Fprintf(tw, "%s\t%s\t%d/%d\t%.1fs\t%s\n", r.Kata, strings.ToUpper(string(r.Status)), r.Passed, r.Total, r.Duration.Seconds(), clip(r.Reason, 80))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.Out, "%s: %d passed, %d failed, in %.1fs\n", plural(len(results), "kata"), passed, len(results)-passed, elapsed.Seconds())
	}
	for _, err := range errs {
		if errors.Is(err, kata.ErrInterrupted) {
			return interrupted()
		}
	}
	if passed < len(results) {
		return failed()
	}
	return nil
}

// plural is "1 kata", "2 katas".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
