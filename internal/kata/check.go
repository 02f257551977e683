package kata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Errors of Check; test with errors.Is.
var (
	// ErrInterrupted is returned when the caller's context ended the check (Ctrl-C).
	ErrInterrupted = errors.New("check interrupted")
	// ErrUnsupported is returned on an OS without process groups (Windows).
	ErrUnsupported = errors.New("katas need a Unix-like OS (Linux or macOS)")
	// ErrNoGo is returned when the go command cannot be found.
	ErrNoGo = errors.New("the go command was not found")
)

// CheckOptions adjusts Check. The zero value checks with the kata's time limit and the go
// command found on PATH.
type CheckOptions struct {
	Timeout time.Duration // the deadline for the whole go test; 0 means the kata's TimeLimit
	Go      string        // the go command; "" looks "go" up on PATH
	Env     []string      // more environment entries for go test, after the defaults

	// FailFast stops at the first failing test (go test -failfast): enough to know that a
	// solution fails, as Verify needs for starters and broken variants. Tests not started
	// then count as never run.
	FailFast bool

	// OnEvent, when set, sees each event of "go test -json" as it arrives, from another
	// goroutine, one event at a time.
	OnEvent func(Event)
}

// Check runs k's reference tests against the user's file in ws and judges the result. The
// tests are the pristine ones from the catalogue, overlaid on the user's folder with
// "go test -overlay"; the user's own *_test.go files are left out. go test runs in its own
// process group with a deadline (opts.Timeout, else k.TimeLimit); the whole group is killed
// when the deadline passes, when ctx ends, and after go test exits, so nothing the user's
// code started survives the check.
//
// The verdict is in the Result: pass only when every reference test passed. Check returns an
// error only when it could not judge: the kata is not started (ErrNotStarted), go is missing
// (ErrNoGo), the OS is unsupported (ErrUnsupported), or ctx ended first (ErrInterrupted,
// with a Result of status error).
func Check(ctx context.Context, ws *Workspace, k *Kata, opts CheckOptions) (*Result, error) {
	if !Supported {
		return nil, fmt.Errorf("kata: %w", ErrUnsupported)
	}
	if !ws.Started(k) {
		return nil, fmt.Errorf("kata: %w: %s does not exist; start with \"procdojo kata start %s\"", ErrNotStarted, ws.File(k), k.ID)
	}
	tests, err := k.Tests()
	if err != nil {
		return nil, fmt.Errorf("kata: the reference tests of %s: %w", k.ID, err)
	}
	goCmd := opts.Go
	if goCmd == "" {
		p, err := exec.LookPath("go")
		if err != nil {
			return nil, fmt.Errorf("kata: %w on PATH; katas are checked with \"go test\", so install Go (https://go.dev/dl/): %v", ErrNoGo, err)
		}
		goCmd = p
	}
	limit := opts.Timeout
	if limit <= 0 {
		limit = k.TimeLimit
	}

	dir := ws.KataDir(k)
	tmp, err := os.MkdirTemp("", "procdojo-check-")
	if err != nil {
		return nil, fmt.Errorf("kata: %w", err)
	}
	defer os.RemoveAll(tmp)
	overlay, err := writeOverlay(tmp, dir, ws, k)
	if err != nil {
		return nil, err
	}

	// PWD makes go's working directory match the overlay's paths (os.Getwd trusts it);
	// GOWORK=off and GO111MODULE=on keep the workspace a module of its own; an empty
	// GOFLAGS keeps the user's -race or -mod=vendor from changing the check.
	env := append(os.Environ(), "PWD="+dir, "GOWORK=off", "GO111MODULE=on", "GOFLAGS=")
	env = append(env, opts.Env...)
	args := []string{"test", "-json", "-count=1", "-overlay=" + overlay}
	if opts.FailFast {
		args = append(args, "-failfast")
	}
	args = append(args, ".")

	col := newCollector()
	stderr := newCappedWriter(MaxTestOutput)
	runCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := time.Now()
	state, runErr := runGroup(runCtx, goCmd, args, dir, env, func(r io.Reader) error {
		return readEvents(r, func(ev Event) {
			if opts.OnEvent != nil {
				opts.OnEvent(ev)
			}
			col.add(ev)
		})
	}, stderr)
	col.finish()

	res := &Result{Kata: k.ID, Limit: limit, Duration: time.Since(start)}
	if state != nil {
		res.Exit, res.ExitCode = exitInfo(state)
	}
	res.Output = stderr.c.String()
	judge(res, tests, col, func(out string) string {
		// Errors in the reference tests name the temporary copies: show the plain names.
		return absPaths(strings.ReplaceAll(out, tmp+string(filepath.Separator), ""), dir)
	})
	switch {
	case ctx.Err() != nil:
		res.Status, res.Reason = StatusError, "interrupted"
		return res, fmt.Errorf("kata: %w: %w", ErrInterrupted, context.Cause(ctx))
	case runCtx.Err() != nil:
		res.TimedOut = true
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("timed out after %s (the time limit%s)", limit, limitSource(opts.Timeout))
		if running := col.runningTests(); len(running) > 0 {
			res.Reason += "; still running: " + strings.Join(running, ", ")
		}
	case runErr != nil:
		return nil, fmt.Errorf("kata: running go test: %w", runErr)
	}
	return res, nil
}

func limitSource(timeout time.Duration) string {
	if timeout > 0 {
		return " set by --timeout"
	}
	return " of the kata; --timeout changes it"
}

// writeOverlay writes the reference tests into tmp and an overlay file that places them in
// the user's folder dir and removes the user's own test files; it returns the overlay's path.
func writeOverlay(tmp, dir string, ws *Workspace, k *Kata) (string, error) {
	replace := map[string]string{}
	userTests, err := ws.userTestFiles(k)
	if err != nil {
		return "", err
	}
	for _, name := range userTests {
		replace[filepath.Join(dir, name)] = ""
	}
	tests, err := k.TestFiles()
	if err != nil {
		return "", err
	}
	for name, src := range tests {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return "", fmt.Errorf("kata: %w", err)
		}
		replace[filepath.Join(dir, name)] = p
	}
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", fmt.Errorf("kata: %w", err)
	}
	p := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", fmt.Errorf("kata: %w", err)
	}
	return p, nil
}
