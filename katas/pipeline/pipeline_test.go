package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
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
	helpers["gen"] = gen
	helpers["upper"] = upper
	helpers["count"] = count
	helpers["echoargs"] = echoArgs
	helpers["fail"] = fail
	helpers["yes"] = yes
	helpers["head"] = head
	helpers["sleeper"] = sleeper
	helpers["term"] = term
}

// term kills itself with SIGTERM, without reading stdin or writing stdout.
func term(args []string) int {
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	time.Sleep(10 * time.Second)
	return 0
}

// gen N prints "line 1" to "line N".
func gen(args []string) int {
	n, _ := strconv.Atoi(args[0])
	w := bufio.NewWriter(os.Stdout)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "line %d\n", i)
	}
	if err := w.Flush(); err != nil {
		return 1
	}
	return 0
}

// upper copies stdin to stdout in upper case, until EOF.
func upper(args []string) int {
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fmt.Println(strings.ToUpper(sc.Text()))
	}
	return 0
}

// count reads stdin until EOF and prints how many lines it read.
func count(args []string) int {
	n := 0
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		n++
	}
	fmt.Println(n)
	return 0
}

// echoargs prints each argument on a line of its own, without reading stdin.
func echoArgs(args []string) int {
	for _, a := range args {
		fmt.Println(a)
	}
	return 0
}

// fail CODE exits with CODE, without reading stdin or writing stdout (a write could die
// of SIGPIPE if the next stage is gone already).
func fail(args []string) int {
	code, _ := strconv.Atoi(args[0])
	fmt.Fprintf(os.Stderr, "fail: exiting with status %d\n", code)
	return code
}

// yes prints "y" for ever; it ends when its reader goes away (SIGPIPE).
func yes(args []string) int {
	line := []byte("y\n")
	for {
		if _, err := os.Stdout.Write(line); err != nil {
			return 1
		}
	}
}

// head N copies N lines of stdin and exits without reading the rest.
func head(args []string) int {
	n, _ := strconv.Atoi(args[0])
	sc := bufio.NewScanner(os.Stdin)
	for i := 0; i < n && sc.Scan(); i++ {
		fmt.Println(sc.Text())
	}
	return 0
}

// sleeper DIR writes its pid to a file in DIR and sleeps for an hour.
func sleeper(args []string) int {
	pid := strconv.Itoa(os.Getpid())
	if err := os.WriteFile(filepath.Join(args[0], pid), []byte(pid), 0o644); err != nil {
		return 1
	}
	time.Sleep(time.Hour)
	return 0
}

// stage returns the argv of a stage that runs helper name.
func stage(t *testing.T, name string, args ...string) []string {
	return append([]string{helperPath(t)}, helperArgs(name, args...)...)
}

// describe names the stages for messages, "gen 3 | count", without the test binary path.
func describe(stages [][]string) string {
	var parts []string
	for _, s := range stages {
		if len(s) > 1 && strings.HasPrefix(s[1], "-procdojo.helper=") {
			parts = append(parts, strings.Join(append([]string{strings.TrimPrefix(s[1], "-procdojo.helper=")}, s[2:]...), " "))
		} else {
			parts = append(parts, strings.Join(s, " "))
		}
	}
	return strings.Join(parts, " | ")
}

const deadline = 4 * time.Second

// run calls Run with a deadline and says so if the pipeline hung.
func run(t *testing.T, stdin io.Reader, stages ...[]string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	var out bytes.Buffer
	err := Run(ctx, stdin, &out, stages...)
	if ctx.Err() != nil {
		t.Fatalf("Run(%s) was still running after %v (it returned %v). A stage waits for EOF or SIGPIPE"+
			" that never comes: after starting the stages, close the parent's copies of both ends of"+
			" every pipe (a StdoutPipe read end too)", describe(stages), deadline, err)
	}
	return out.String(), err
}

func TestRunOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		stdin  string
		stages func(t *testing.T) [][]string
		want   string
	}{
		{"one stage", "", func(t *testing.T) [][]string {
			return [][]string{stage(t, "gen", "3")}
		}, "line 1\nline 2\nline 3\n"},
		{"stdin feeds the first stage", "a\nb\n", func(t *testing.T) [][]string {
			return [][]string{stage(t, "upper")}
		}, "A\nB\n"},
		{"each stage sees EOF when its upstream exits", "", func(t *testing.T) [][]string {
			return [][]string{stage(t, "gen", "20000"), stage(t, "upper"), stage(t, "count")}
		}, "20000\n"},
		{"arguments are not parsed by a shell", "", func(t *testing.T) [][]string {
			return [][]string{stage(t, "gen", "1"), stage(t, "echoargs", "a  b", "$HOME", "*", "x|y", "it's")}
		}, "a  b\n$HOME\n*\nx|y\nit's\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stages := tt.stages(t)
			var stdin io.Reader
			if tt.stdin != "" {
				stdin = strings.NewReader(tt.stdin)
			}
			got, err := run(t, stdin, stages...)
			if err != nil || got != tt.want {
				t.Errorf("Run(%s) = %q, %v; want %q, nil", describe(stages), got, err, tt.want)
			}
		})
	}
}

func TestRunPipefail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		stages    func(t *testing.T) [][]string
		wantIndex int
		wantCode  int // 0: the stage could not start (exec.ErrNotFound)
	}{
		{"first fails, last succeeds", func(t *testing.T) [][]string {
			return [][]string{stage(t, "fail", "3"), stage(t, "echoargs", "ok")}
		}, 0, 3},
		{"middle fails", func(t *testing.T) [][]string {
			return [][]string{stage(t, "gen", "10"), stage(t, "fail", "4"), stage(t, "echoargs", "ok")}
		}, 1, 4},
		{"two fail: the first one is reported", func(t *testing.T) [][]string {
			return [][]string{stage(t, "fail", "5"), stage(t, "fail", "6"), stage(t, "echoargs", "ok")}
		}, 0, 5},
		{"last fails", func(t *testing.T) [][]string {
			return [][]string{stage(t, "gen", "3"), stage(t, "fail", "7")}
		}, 1, 7},
		{"a stage is not found", func(t *testing.T) [][]string {
			return [][]string{stage(t, "gen", "3"), {"procdojo-no-such-stage"}}
		}, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stages := tt.stages(t)
			_, err := run(t, nil, stages...)
			var se *StageError
			if !errors.As(err, &se) {
				t.Fatalf("Run(%s) error = %v; want a *StageError for stage %d", describe(stages), err, tt.wantIndex)
			}
			if se.Index != tt.wantIndex {
				t.Errorf("Run(%s) error = %v; want stage %d, the first that failed (pipefail: every"+
					" stage's status counts, not only the last one's)", describe(stages), err, tt.wantIndex)
			}
			var exitErr *exec.ExitError
			switch {
			case tt.wantCode == 0 && !errors.Is(err, exec.ErrNotFound):
				t.Errorf("Run(%s) error = %v; want one wrapping exec.ErrNotFound", describe(stages), err)
			case tt.wantCode != 0 && (!errors.As(err, &exitErr) || exitErr.ExitCode() != tt.wantCode):
				t.Errorf("Run(%s) error = %v; want one wrapping *exec.ExitError with status %d",
					describe(stages), err, tt.wantCode)
			}
		})
	}
}

// TestRunSIGPIPE runs "yes | head 2": yes only stops when head has exited AND nobody else
// holds the read end of its pipe.
func TestRunSIGPIPE(t *testing.T) {
	t.Parallel()
	stages := [][]string{stage(t, "yes"), stage(t, "head", "2")}
	got, err := run(t, nil, stages...)
	if err != nil || got != "y\ny\n" {
		t.Errorf("Run(%s) = %q, %v; want %q, nil (a stage killed by SIGPIPE has not failed)",
			describe(stages), got, err, "y\ny\n")
	}
}

// TestRunSignalIsAFailure: only SIGPIPE is forgiven; a stage killed by another signal
// failed.
func TestRunSignalIsAFailure(t *testing.T) {
	t.Parallel()
	stages := [][]string{stage(t, "term"), stage(t, "echoargs", "ok")}
	_, err := run(t, nil, stages...)
	var se *StageError
	var exitErr *exec.ExitError
	if !errors.As(err, &se) || se.Index != 0 || !errors.As(err, &exitErr) {
		t.Fatalf("Run(%s) error = %v; want a *StageError for stage 0 wrapping its *exec.ExitError: a stage killed by SIGTERM failed; only death by SIGPIPE is not a failure", describe(stages), err)
	}
	if ws, ok := exitErr.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("Run(%s) error = %v; want the *exec.ExitError of the stage killed by SIGTERM", describe(stages), err)
	}
}

// sleeperDir returns a directory for sleepers' pid files, and registers a cleanup that
// kills every sleeper still alive, so that a wrong Run cannot leak them.
func sleeperDir(t *testing.T) string {
	dir := t.TempDir()
	t.Cleanup(func() {
		for _, pid := range readPids(dir) {
			if syscall.Kill(pid, 0) == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return dir
}

// readPids returns the pids of the sleepers that wrote to dir so far.
func readPids(dir string) []int {
	entries, _ := os.ReadDir(dir)
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// waitPids waits until n sleepers wrote their pid to dir and returns the pids.
func waitPids(t *testing.T, dir string, n int) []int {
	t.Helper()
	for end := time.Now().Add(deadline); ; time.Sleep(5 * time.Millisecond) {
		if pids := readPids(dir); len(pids) >= n {
			return pids
		} else if time.Now().After(end) {
			t.Fatalf("only %d of %d stages started within %v", len(pids), n, deadline)
		}
	}
}

// checkGone checks that every pid is gone (killed and reaped: a zombie still counts).
func checkGone(t *testing.T, call string, pids []int) {
	t.Helper()
	end := time.Now().Add(deadline)
	for _, pid := range pids {
		for syscall.Kill(pid, 0) != syscall.ESRCH {
			if time.Now().After(end) {
				t.Errorf("%s returned but stage process %d still exists (running, or a zombie"+
					" nobody waited for); kill and Wait every stage that started", call, pid)
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	dir := sleeperDir(t)
	stages := [][]string{stage(t, "sleeper", dir), stage(t, "sleeper", dir), stage(t, "sleeper", dir)}
	call := fmt.Sprintf("Run(%s)", describe(stages))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, nil, nil, stages...) }()

	pids := waitPids(t, dir, 3)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s cancelled: error = %v; want one wrapping context.Canceled", call, err)
		}
	case <-time.After(deadline):
		t.Fatalf("%s did not return within %v of its context being cancelled; kill every stage"+
			" (exec.CommandContext) and wait for them", call, deadline)
	}
	checkGone(t, call, pids)
}

// TestRunStartFailure makes the second stage impossible to start: the first one, already
// running, must be stopped and reaped.
func TestRunStartFailure(t *testing.T) {
	t.Parallel()
	dir := sleeperDir(t)
	stages := [][]string{stage(t, "sleeper", dir), {"procdojo-no-such-stage"}}
	call := fmt.Sprintf("Run(%s)", describe(stages))

	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	err := Run(ctx, nil, nil, stages...)
	if ctx.Err() != nil {
		t.Fatalf("%s waited for its first stage (sleeping an hour) until the test's deadline; when a"+
			" stage cannot start, kill the stages already started", call)
	}
	var se *StageError
	if !errors.As(err, &se) || se.Index != 1 || !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("%s error = %v; want a *StageError for stage 1 wrapping exec.ErrNotFound", call, err)
	}
	// A sleeper killed at once never writes its pid; one that was left running writes it
	// within moments. Give it a second.
	var pids []int
	for end := time.Now().Add(time.Second); len(pids) == 0 && time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		pids = readPids(dir)
	}
	checkGone(t, call, pids)
}
