package runcapture

// The tests run real programs. The main one is the test binary itself, started as the "tool"
// helper: a stand-in for a custom binary whose arguments are a little script of actions
// (write to stdout, write to stderr, exit with a code, die from a signal...).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["tool"] = tool
}

// tool performs its arguments as actions, in order, then exits 0:
//
//	out=TEXT     write TEXT to stdout
//	err=TEXT     write TEXT to stderr
//	exit=N       exit with status N
//	signal=NAME  die from signal KILL or TERM
//	flood=N      write N bytes to stdout ('o') and N bytes to stderr ('e'), 4 KiB at a time,
//	             alternating between the two
//	ready=PATH   create the file PATH (tells the test that everything before it is done)
//	hang         wait to be killed
func tool(args []string) int {
	// A tool that nobody kills (because the code under test forgot to) must not outlive
	// the test run for long.
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })

	for _, a := range args {
		verb, val, _ := strings.Cut(a, "=")
		switch verb {
		case "out":
			os.Stdout.WriteString(val)
		case "err":
			os.Stderr.WriteString(val)
		case "exit":
			code, _ := strconv.Atoi(val)
			return code
		case "signal":
			sig := map[string]syscall.Signal{"KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM}[val]
			syscall.Kill(os.Getpid(), sig)
			time.Sleep(5 * time.Second)
			fmt.Fprintf(os.Stderr, "tool: still alive after SIGNAL %s\n", val)
			return 97
		case "flood":
			n, _ := strconv.Atoi(val)
			out, errOut := bytes.Repeat([]byte("o"), 4096), bytes.Repeat([]byte("e"), 4096)
			for sent := 0; sent < n; sent += 4096 {
				k := min(4096, n-sent)
				if _, err := os.Stdout.Write(out[:k]); err != nil {
					return 3
				}
				if _, err := os.Stderr.Write(errOut[:k]); err != nil {
					return 3
				}
			}
		case "ready":
			if err := os.WriteFile(val, nil, 0o644); err != nil {
				return 4
			}
		case "hang":
			select {}
		default:
			fmt.Fprintf(os.Stderr, "tool: unknown action %q\n", a)
			return 2
		}
	}
	return 0
}

// runTool calls Run on the tool helper with actions as its arguments. It fails the test if
// Run has not returned after limit.
func runTool(t *testing.T, ctx context.Context, limit time.Duration, actions ...string) (Result, error) {
	t.Helper()
	name, args := helperPath(t), helperArgs("tool", actions...)
	type outcome struct {
		res Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := Run(ctx, name, args...)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(limit):
		t.Fatalf("%s did not return within %v; want it to return as soon as the program ends or ctx ends", call(actions), limit)
		return Result{}, nil
	}
}

// call describes a Run call on the tool for failure messages.
func call(actions []string) string {
	q := make([]string, len(actions))
	for i, a := range actions {
		q[i] = strconv.Quote(a)
	}
	return "Run(ctx, tool " + strings.Join(q, " ") + ")"
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions []string
		want    Result
	}{
		{
			name:    "success",
			actions: []string{"out=hello\n", "err=note: cached\n"},
			want:    Result{Stdout: []byte("hello\n"), Stderr: []byte("note: cached\n")},
		},
		{
			name: "silent success",
		},
		{
			name:    "exit 1 is an answer, not an error",
			actions: []string{"out=invalid: line 3\n", "exit=1"},
			want:    Result{Stdout: []byte("invalid: line 3\n"), ExitCode: 1},
		},
		{
			name:    "exit 2 with usage on stderr",
			actions: []string{"err=usage: tool FILE\n", "exit=2"},
			want:    Result{Stderr: []byte("usage: tool FILE\n"), ExitCode: 2},
		},
		{
			name:    "exit 255",
			actions: []string{"exit=255"},
			want:    Result{ExitCode: 255},
		},
		{
			name:    "stdout and stderr kept apart",
			actions: []string{"out=a\n", "err=b\n", "out=c\n", "err=d\n", "exit=3"},
			want:    Result{Stdout: []byte("a\nc\n"), Stderr: []byte("b\nd\n"), ExitCode: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := runTool(t, testContext(t, 10*time.Second), 15*time.Second, tt.actions...)
			if err != nil {
				t.Fatalf("%s returned error %q; want nil: a program that exits on its own, with any code, is not an error of Run (its code goes in Result.ExitCode)", call(tt.actions), err)
			}
			if res.ExitCode != tt.want.ExitCode {
				t.Errorf("%s = ExitCode %d; want %d", call(tt.actions), res.ExitCode, tt.want.ExitCode)
			}
			if !bytes.Equal(res.Stdout, tt.want.Stdout) {
				t.Errorf("%s = Stdout %q; want %q", call(tt.actions), res.Stdout, tt.want.Stdout)
			}
			if !bytes.Equal(res.Stderr, tt.want.Stderr) {
				t.Errorf("%s = Stderr %q; want %q", call(tt.actions), res.Stderr, tt.want.Stderr)
			}
		})
	}
}

func TestRunSignals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions []string
		sig     syscall.Signal
		want    Result
	}{
		{
			name:    "SIGKILL",
			actions: []string{"out=partial\n", "signal=KILL"},
			sig:     syscall.SIGKILL,
			want:    Result{Stdout: []byte("partial\n"), ExitCode: 128 + 9},
		},
		{
			name:    "SIGTERM",
			actions: []string{"err=shutting down\n", "signal=TERM"},
			sig:     syscall.SIGTERM,
			want:    Result{Stderr: []byte("shutting down\n"), ExitCode: 128 + 15},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := runTool(t, testContext(t, 10*time.Second), 15*time.Second, tt.actions...)
			var se *SignalError
			if !errors.As(err, &se) {
				t.Errorf("%s returned error %v; want a *SignalError: the program did not exit, it was killed by signal %d (%v)", call(tt.actions), err, int(tt.sig), tt.sig)
			} else {
				if se.Signal != tt.sig {
					t.Errorf("%s = SignalError.Signal %v; want %v", call(tt.actions), se.Signal, tt.sig)
				}
				if name := helperPath(t); se.Name != name {
					t.Errorf("%s = SignalError.Name %q; want %q, the name given to Run", call(tt.actions), se.Name, name)
				}
			}
			if res.ExitCode != tt.want.ExitCode {
				t.Errorf("%s = ExitCode %d; want %d (128 + signal %d, as shells report it; ExitError.ExitCode() is -1 for a signal)", call(tt.actions), res.ExitCode, tt.want.ExitCode, int(tt.sig))
			}
			if !bytes.Equal(res.Stdout, tt.want.Stdout) || !bytes.Equal(res.Stderr, tt.want.Stderr) {
				t.Errorf("%s = Stdout %q, Stderr %q; want %q, %q: keep what the program wrote before it died", call(tt.actions), res.Stdout, res.Stderr, tt.want.Stdout, tt.want.Stderr)
			}
		})
	}
}

// errName names the errors TestRunStartErrors expects, for its messages.
var errName = map[error]string{
	exec.ErrNotFound: "exec.ErrNotFound",
	fs.ErrNotExist:   "fs.ErrNotExist",
	fs.ErrPermission: "fs.ErrPermission",
}

func TestRunStartErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notExec := filepath.Join(dir, "script.sh")
	if err := os.WriteFile(notExec, []byte("#!/bin/sh\necho hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		program string
		want    error  // the error Run's error must wrap
		notWant error  // an error it must not wrap
		why     string // what the program's problem is
	}{
		{
			name:    "not in PATH",
			program: "procdojo-no-such-program",
			want:    exec.ErrNotFound,
			why:     "no such program in PATH",
		},
		{
			name:    "missing path",
			program: filepath.Join(dir, "missing"),
			want:    fs.ErrNotExist,
			why:     "no file at that path",
		},
		{
			name:    "not executable",
			program: notExec,
			want:    fs.ErrPermission,
			notWant: exec.ErrNotFound,
			why:     "the file exists but has no execute permission",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := Run(testContext(t, 10*time.Second), tt.program)
			if !errors.Is(err, tt.want) {
				t.Errorf("Run(ctx, %q) returned error %v; want an error wrapping %s (%s); wrap the error from os/exec with %%w", tt.program, err, errName[tt.want], tt.why)
			}
			if tt.notWant != nil && errors.Is(err, tt.notWant) {
				t.Errorf("Run(ctx, %q) returned error %v; want it not to wrap %s (%s)", tt.program, err, errName[tt.notWant], tt.why)
			}
			var se *SignalError
			if errors.As(err, &se) {
				t.Errorf("Run(ctx, %q) returned *SignalError %v; want a start error: the program never ran", tt.program, err)
			}
			if len(res.Stdout) != 0 || len(res.Stderr) != 0 || res.ExitCode != 0 {
				t.Errorf("Run(ctx, %q) = Stdout %q, Stderr %q, ExitCode %d; want an empty Result: the program never ran, so it has no output and no exit code of its own (not 127 as a shell would say)", tt.program, res.Stdout, res.Stderr, res.ExitCode)
			}
		})
	}
}

func TestRunLargeOutput(t *testing.T) {
	t.Parallel()
	// 1 MiB on each stream, written alternately: far more than a pipe holds (64 KiB on
	// Linux), so Run must read both pipes at the same time.
	const n = 1 << 20
	actions := []string{fmt.Sprintf("flood=%d", n)}
	res, err := runTool(t, testContext(t, 5*time.Second), 10*time.Second, actions...)
	if err != nil {
		t.Fatalf("%s returned error %q; want nil. Did Run read one stream to the end before the other? The program blocks when the pipe nobody reads is full", call(actions), err)
	}
	if len(res.Stdout) != n || bytes.Count(res.Stdout, []byte("o")) != n {
		t.Errorf("%s = Stdout of %d bytes (%d of them 'o'); want %d bytes, all 'o'", call(actions), len(res.Stdout), bytes.Count(res.Stdout, []byte("o")), n)
	}
	if len(res.Stderr) != n || bytes.Count(res.Stderr, []byte("e")) != n {
		t.Errorf("%s = Stderr of %d bytes (%d of them 'e'); want %d bytes, all 'e'", call(actions), len(res.Stderr), bytes.Count(res.Stderr, []byte("e")), n)
	}
}

func TestRunContext(t *testing.T) {
	t.Parallel()
	t.Run("cancelled while running", func(t *testing.T) {
		t.Parallel()
		ready := filepath.Join(t.TempDir(), "ready")
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			// Cancel once the tool has written its line: an event, not a guess at timing.
			defer cancel()
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				if _, err := os.Stat(ready); err == nil {
					return
				}
			}
		}()
		actions := []string{"out=working\n", "ready=" + ready, "hang"}
		res, err := runTool(t, ctx, 5*time.Second, actions...)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with ctx cancelled while it runs returned error %v; want an error wrapping context.Canceled: report why Run killed the program", call(actions), err)
		}
		if string(res.Stdout) != "working\n" {
			t.Errorf("%s with ctx cancelled = Stdout %q; want %q: keep what the program wrote before it was killed", call(actions), res.Stdout, "working\n")
		}
		checkKilledExitCode(t, call(actions)+" with ctx cancelled", res)
	})
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		actions := []string{"hang"}
		res, err := runTool(t, testContext(t, 100*time.Millisecond), 5*time.Second, actions...)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s with a 100ms deadline returned error %v; want an error wrapping context.DeadlineExceeded", call(actions), err)
		}
		checkKilledExitCode(t, call(actions)+" with a 100ms deadline", res)
	})
}

// checkKilledExitCode checks the ExitCode of a program that Run killed because ctx ended.
func checkKilledExitCode(t *testing.T, call string, res Result) {
	t.Helper()
	if res.ExitCode != 128+9 {
		t.Errorf("%s = ExitCode %d; want 137: exec.CommandContext killed the program with SIGKILL, and a signal's exit code is 128 + its number, ctx or not", call, res.ExitCode)
	}
}
