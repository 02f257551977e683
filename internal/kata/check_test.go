//go:build unix

package kata

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCheck runs the checker, for real, over the fixture kata with each solution of
// testdata/solutions.
func TestCheck(t *testing.T) {
	k := fixtureKata(t)
	tests := []struct {
		solution string
		status   Status
		passed   int
		reason   string // a part of the reason
		check    func(t *testing.T, ws *Workspace, res *Result)
	}{
		{solution: "pass", status: StatusPass, passed: 2},
		{solution: "fail", status: StatusFail, passed: 1, reason: "1 test failed: TestAdd",
			check: func(t *testing.T, ws *Workspace, res *Result) {
				got := res.Tests[0].Output
				for _, want := range []string{"    --- FAIL: TestAdd/small (", "s)\n        fixture_test.go:28: Add(2, 3) = -1; want 5\n"} {
					if !strings.Contains(got, want) {
						t.Errorf("TestAdd's message = %q; want it to hold %q", got, want)
					}
				}
				if got := res.Tests[0].Subtests; len(got) != 2 || got[0].Status != StatusFail {
					t.Errorf("TestAdd's subtests = %+v; want 2, the first failed", got)
				}
			}},
		{solution: "builderr", status: StatusFail, reason: "build failed: ",
			check: func(t *testing.T, ws *Workspace, res *Result) {
				want := ws.File(k) + ":7:41: undefined: undefinedName"
				if !res.BuildFailed || !strings.Contains(res.BuildOutput, want) || !strings.Contains(res.Reason, want) {
					t.Errorf("build failure = %v, %q, reason %q; want true, output and reason with %q", res.BuildFailed, res.BuildOutput, res.Reason, want)
				}
			}},
		{solution: "missing", status: StatusFail, reason: "build failed: fixture_test.go:45:14: undefined: Output",
			check: func(t *testing.T, ws *Workspace, res *Result) {
				if strings.Contains(res.BuildOutput, "procdojo-check") {
					t.Errorf("build output = %q; want no temporary paths", res.BuildOutput)
				}
			}},
		{solution: "exit", status: StatusFail, reason: "the test binary exited early (exit status 3): TestAdd did not finish; TestOutput never ran"},
		{solution: "panic", status: StatusFail, reason: "1 test failed: TestAdd; the test binary exited early (exit status 2): TestOutput never ran",
			check: func(t *testing.T, ws *Workspace, res *Result) {
				if got := res.Tests[0].Output; !strings.Contains(got, "panic: fixture: Add is broken") {
					t.Errorf("TestAdd's message = %q; want the panic", got)
				}
			}},
		{solution: "flood", status: StatusPass, passed: 2,
			check: func(t *testing.T, ws *Workspace, res *Result) {
				out := res.Tests[0].Output
				if len(out) > MaxTestOutput+1024 || !strings.Contains(out, "... (output cut: ") {
					t.Errorf("TestAdd's message is %d bytes (ends %q); want at most %d and a note of the cut", len(out), tail(out, 80), MaxTestOutput)
				}
			}},
		// The routes to a false pass: results printed by the solution, and skips.
		{solution: "forge", status: StatusFail,
			reason: "the test binary ended (exit status 0) before the test framework finished: something in the solution ended the process (os.Exit, syscall.Exit, log.Fatal or a signal)"},
		{solution: "skip", status: StatusFail, passed: 1, reason: "skipped: TestOutput (fixture_test.go:41: no output today); a test that skips has not passed"},
	}
	for _, tc := range tests {
		t.Run(tc.solution, func(t *testing.T) {
			t.Parallel()
			ws := workspaceWith(t, k, tc.solution)
			res, err := Check(context.Background(), ws, k, CheckOptions{CacheDir: t.TempDir()})
			if err != nil {
				t.Fatalf("Check(%s) error = %v; want nil", tc.solution, err)
			}
			if res.Status != tc.status || res.Passed != tc.passed || res.Total != 2 || !strings.Contains(res.Reason, tc.reason) {
				t.Errorf("Check(%s) = %s %d/%d %q; want %s %d/2 %q", tc.solution, res.Status, res.Passed, res.Total, res.Reason, tc.status, tc.passed, tc.reason)
			}
			if tc.status == StatusPass && res.Reason != "" {
				t.Errorf("Check(%s) reason = %q on a pass; want none", tc.solution, res.Reason)
			}
			if tc.check != nil {
				tc.check(t, ws, res)
			}
		})
	}
}

// TestCheckUsesPristineTests proves the user's own test files change nothing: a reference
// test file edited to pass anything, a broken harness, and a failing test of their own.
func TestCheckUsesPristineTests(t *testing.T) {
	t.Parallel()
	k := fixtureKata(t)
	for _, tc := range []struct {
		solution string
		want     Status
	}{{"fail", StatusFail}, {"pass", StatusPass}} {
		ws := workspaceWith(t, k, tc.solution)
		dir := ws.KataDir(k)
		writeFile(t, filepath.Join(dir, "fixture_test.go"), "package fixture\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {}\n\nfunc TestOutput(t *testing.T) {}\n")
		writeFile(t, filepath.Join(dir, "harness_test.go"), "this is not Go\n")
		writeFile(t, filepath.Join(dir, "mine_test.go"), "package fixture\n\nimport \"testing\"\n\nfunc TestMine(t *testing.T) { t.Fatal(\"mine\") }\n")
		res, err := Check(context.Background(), ws, k, CheckOptions{NoCache: true})
		if err != nil || res.Status != tc.want {
			t.Errorf("Check(%s with the user's own tests) = %v, %v; want %s", tc.solution, res, err, tc.want)
		}
	}
}

func TestCheckErrors(t *testing.T) {
	k := fixtureKata(t)
	ws, err := InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(context.Background(), ws, k, CheckOptions{}); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Check(not started) error = %v; want ErrNotStarted", err)
	}
	ws = workspaceWith(t, k, "pass")
	t.Setenv("PATH", t.TempDir())
	if _, err := Check(context.Background(), ws, k, CheckOptions{}); !errors.Is(err, ErrNoGo) {
		t.Errorf("Check(no go on PATH) error = %v; want ErrNoGo", err)
	}
}

// TestCheckKillsProcessGroup runs a solution that starts a grandchild ("sleep 300") and
// hangs: both an interruption and the deadline must end the check with no process left.
func TestCheckKillsProcessGroup(t *testing.T) {
	t.Parallel()
	k := fixtureKata(t)

	// Interrupted once the grandchild exists. This also fills the cache of test binaries:
	// the deadline below times the tests alone either way.
	ws := workspaceWith(t, k, "hang")
	pidFile := filepath.Join(ws.KataDir(k), "grandchild.pid")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	var untilChild time.Duration
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(pidFile); err == nil {
				untilChild = time.Since(start)
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	cache := t.TempDir()
	res, err := Check(ctx, ws, k, CheckOptions{Timeout: 2 * time.Minute, CacheDir: cache})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) || res == nil || res.Status != StatusError {
		t.Fatalf("Check(hang, interrupted) = %+v, %v; want status error and ErrInterrupted", res, err)
	}
	if time.Since(start)-untilChild > 5*time.Second {
		t.Errorf("Check took %v to return after the interruption; want at most 5s", time.Since(start)-untilChild)
	}
	assertGone(t, pidFile)

	// The deadline.
	if err := os.Remove(pidFile); err != nil {
		t.Fatal(err)
	}
	limit := 5 * time.Second // the tests alone: the binary is cached by now
	res, err = Check(context.Background(), ws, k, CheckOptions{Timeout: limit, CacheDir: cache})
	if err != nil {
		t.Fatalf("Check(hang, timeout) error = %v; want nil", err)
	}
	wantReason := fmt.Sprintf("timed out after %s (the time limit set by --timeout); still running: TestOutput", limit)
	if res.Status != StatusFail || !res.TimedOut || res.Reason != wantReason {
		t.Errorf("Check(hang, timeout) = %s, timed out %v, %q; want fail, true, %q", res.Status, res.TimedOut, res.Reason, wantReason)
	}
	if res.ExitCode != 128+int(syscall.SIGKILL) || !strings.HasPrefix(res.Exit, "killed by signal 9") {
		t.Errorf("Check(hang, timeout) exit = %q (%d); want killed by signal 9 (137)", res.Exit, res.ExitCode)
	}
	if res.Tests[0].Status != StatusPass || res.Tests[1].Status != StatusRunning {
		t.Errorf("tests = %s, %s; want pass, running", res.Tests[0].Status, res.Tests[1].Status)
	}
	assertGone(t, pidFile)
}

// assertGone reads the pid in pidFile and waits, up to a deadline, for that process to be
// gone (or a zombie, which its new parent has yet to reap).
func assertGone(t *testing.T, pidFile string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the grandchild never started: %v", err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("grandchild %d still runs 10s after the check ended; want it killed with its group", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// alive reports whether process pid exists and is not a zombie.
func alive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	if runtime.GOOS == "linux" {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return false
		}
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
			return false
		}
	}
	return true
}
