package passfds

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// maxFD bounds the descriptor numbers the tests look at.
const maxFD = 1024

// The "reporter" helper is the child: reporter IGNORE MODE [N].
//
// Before anything else it checks, with fcntl(F_GETFD), that no descriptor from 5 to maxFD
// was inherited: open without close-on-exec (the Go runtime opens a few descriptors of its
// own at startup, such as cgroup files, but always close-on-exec, so exec cannot have
// passed them). Descriptors in IGNORE, a comma-separated list of those the test binary
// would pass on to any child by itself, are not Run's doing and do not count. If one is
// found, it writes "leaked fds: ..." to fd 4 and exits with status 12. If fd 0, 1 or 2 is
// not /dev/null, it writes "not /dev/null: ..." to fd 4 and exits with status 13. Then, by
// MODE:
//
//	report N        writes "result i" lines to fd 3 and "step i of N" lines to fd 4, i = 1..N
//	fail            writes two status lines to fd 4 and exits with status 3
//	hang            writes "started" to fd 4 and never exits
//	leave PIDFILE HOLDER...
//	                starts the grandchild HOLDER... (the test binary's "holder" helper),
//	                which inherits fds 3 and 4 and writes its pid to PIDFILE; then writes
//	                "started" to fd 4 and exits with status 0
//
// The "holder" helper keeps the descriptors it inherited open for 20s, then exits.
func init() {
	helpers["holder"] = func(args []string) int {
		tmp := args[0] + ".tmp"
		os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644)
		os.Rename(tmp, args[0])
		time.Sleep(20 * time.Second)
		return 0
	}
	helpers["reporter"] = orphanGuard(func(args []string) int {
		ignore := map[int]bool{}
		for f := range strings.SplitSeq(args[0], ",") {
			if fd, err := strconv.Atoi(f); err == nil {
				ignore[fd] = true
			}
		}
		var leaked []int
		for fd := 5; fd < maxFD; fd++ {
			if flags, err := fdFlags(fd); err == nil && flags&syscall.FD_CLOEXEC == 0 && !ignore[fd] {
				leaked = append(leaked, fd)
			}
		}
		results, status := os.NewFile(3, "results"), os.NewFile(4, "status")
		if len(leaked) > 0 {
			fmt.Fprintf(status, "leaked fds: %v\n", leaked)
			return 12
		}
		if notNull := notDevNull(); len(notNull) > 0 {
			fmt.Fprintf(status, "not /dev/null: %v\n", notNull)
			return 13
		}
		switch args[1] {
		case "report":
			n, _ := strconv.Atoi(args[2])
			for i := 1; i <= n; i++ {
				if _, err := fmt.Fprintf(results, "result %d\n", i); err != nil {
					return 20
				}
				if _, err := fmt.Fprintf(status, "step %d of %d\n", i, n); err != nil {
					return 21
				}
			}
		case "fail":
			fmt.Fprintln(status, "loading input")
			fmt.Fprintln(status, "error: input is corrupt")
			return 3
		case "hang":
			fmt.Fprintln(status, "started")
			time.Sleep(time.Hour)
		case "leave":
			exe, err := os.Executable()
			if err != nil {
				return 22
			}
			// The grandchild inherits fds 3 and 4: they were passed to this process
			// without close-on-exec.
			if err := exec.Command(exe, args[3:]...).Start(); err != nil {
				return 22
			}
			for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(2 * time.Millisecond) {
				if _, err := os.Stat(args[2]); err == nil {
					break
				}
			}
			fmt.Fprintln(status, "started")
		}
		return 0
	})
}

// notDevNull returns the names of the standard descriptors that are not /dev/null.
func notDevNull() []string {
	null, err := os.Stat(os.DevNull)
	if err != nil {
		return []string{err.Error()}
	}
	var names []string
	for _, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
		if fi, err := f.Stat(); err != nil || !os.SameFile(fi, null) {
			names = append(names, f.Name())
		}
	}
	return names
}

// fdFlags returns the descriptor flags of fd (FD_CLOEXEC), or an error if fd is not open.
func fdFlags(fd int) (int, error) {
	flags, _, errno := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(flags), nil
}

// openFDs lists the descriptors open in this process; with inheritable, only those
// without close-on-exec.
func openFDs(inheritable bool) []int {
	var fds []int
	for fd := range maxFD {
		flags, err := fdFlags(fd)
		if err == nil && (!inheritable || flags&syscall.FD_CLOEXEC == 0) {
			fds = append(fds, fd)
		}
	}
	return fds
}

// orphanGuard makes a helper exit when its parent, the test binary, is gone.
func orphanGuard(h func([]string) int) func([]string) int {
	return func(args []string) int {
		ppid := os.Getppid()
		go func() {
			for range time.Tick(100 * time.Millisecond) {
				if os.Getppid() != ppid {
					os.Exit(99)
				}
			}
		}()
		return h(args)
	}
}

// reporterArgs returns the helper arguments for mode, telling the child which descriptors
// this process would pass on to any child by itself.
func reporterArgs(mode ...string) []string {
	var ignore []string
	for _, fd := range openFDs(true) {
		ignore = append(ignore, strconv.Itoa(fd))
	}
	return helperArgs("reporter", append([]string{strings.Join(ignore, ",") + ","}, mode...)...)
}

// run calls Run with a deadline; it reports whether the deadline expired, and fails the
// test if Run does not return soon after it.
func run(t *testing.T, timeout time.Duration, resultPath string, mode ...string) (status []string, expired bool, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	exe, args := helperPath(t), reporterArgs(mode...)
	type ret struct {
		status []string
		err    error
	}
	done := make(chan ret, 1)
	go func() {
		status, err := Run(ctx, resultPath, exe, args...)
		done <- ret{status, err}
	}()
	select {
	case r := <-done:
		return r.status, ctx.Err() != nil, r.err
	case <-time.After(timeout + 5*time.Second):
		t.Fatalf("Run(%s) still running 5s after its %v context expired; want it to kill the child and stop reading when ctx ends, even if a grandchild keeps the pipe open (a read deadline set when ctx ends)", mode[0], timeout)
		return nil, true, nil
	}
}

const eofHint = "the status pipe never reached end of file: close the parent's copy of its write end right after Start, or the read waits on your own copy"

// lines formats format with i and n, for i = 1..n.
func lines(format string, n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf(format, i, n))
	}
	return out
}

func TestRun(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, 5000} {
		t.Run(fmt.Sprintf("%d lines", n), func(t *testing.T) {
			t.Parallel()
			resultPath := filepath.Join(t.TempDir(), "results.txt")
			// Stale content from an earlier run must go.
			if err := os.WriteFile(resultPath, []byte(strings.Repeat("stale\n", 10_000)), 0o644); err != nil {
				t.Fatal(err)
			}
			status, expired, err := run(t, 5*time.Second, resultPath, "report", strconv.Itoa(n))
			if expired {
				t.Fatalf("Run(report %d) = %v; %s", n, err, eofHint)
			}
			if err != nil {
				t.Fatalf("Run(report %d) = %q, %v; want no error", n, status, err)
			}
			wantStatus := lines("step %d of %d", n)
			got, _ := os.ReadFile(resultPath)
			wantResults := strings.Join(lines("result %[1]d", n), "\n") + "\n"
			if strings.HasPrefix(string(got), "step ") || (len(status) > 0 && strings.HasPrefix(status[0], "result ")) {
				t.Fatalf("Run(report %d): the results went to the status pipe and the status to the results file; want ExtraFiles[0] (fd 3) the results file and ExtraFiles[1] (fd 4) the pipe", n)
			}
			if !slices.Equal(status, wantStatus) {
				t.Errorf("Run(report %d) = %d status lines %.80q...; want %d lines %.80q...", n, len(status), status, len(wantStatus), wantStatus)
			}
			if string(got) != wantResults {
				t.Errorf("Run(report %d) left the results file with %d bytes %.60q...; want %d bytes %.60q... (created or truncated, written by the child through fd 3)",
					n, len(got), got, len(wantResults), wantResults)
			}
		})
	}
}

// TestRunPassesNoOtherDescriptors: the child checks fds 5 and up with fcntl(F_GETFD).
func TestRunPassesNoOtherDescriptors(t *testing.T) {
	t.Parallel()
	status, expired, err := run(t, 5*time.Second, filepath.Join(t.TempDir(), "results.txt"), "report", "1")
	if expired {
		t.Fatalf("Run(report 1) = %v; %s", err, eofHint)
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 12 {
		t.Fatalf("Run(report 1): the child found more descriptors open than 0 to 4 (%q); want only ExtraFiles passed: make the pipe with os.Pipe (close-on-exec), not syscall.Pipe, and do not pass its read end", status)
	}
	if errors.As(err, &ee) && ee.ExitCode() == 13 {
		t.Fatalf("Run(report 1): the child found %q; want its stdin, stdout and stderr on /dev/null: leave cmd.Stdin, cmd.Stdout and cmd.Stderr nil", status)
	}
	if err != nil {
		t.Fatalf("Run(report 1) = %q, %v; want no error", status, err)
	}
}

func TestRunChildFails(t *testing.T) {
	t.Parallel()
	status, expired, err := run(t, 5*time.Second, filepath.Join(t.TempDir(), "results.txt"), "fail")
	if expired {
		t.Fatalf("Run(fail) = %v; %s", err, eofHint)
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("Run(fail) = %v; want an error wrapping the child's *exec.ExitError with exit code 3", err)
	}
	if want := []string{"loading input", "error: input is corrupt"}; !slices.Equal(status, want) {
		t.Errorf("Run(fail) = %q; want the status lines %q even though the child failed: they say why", status, want)
	}
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	status, expired, err := run(t, 500*time.Millisecond, filepath.Join(t.TempDir(), "results.txt"), "hang")
	if !expired {
		t.Fatalf("Run(hang) = %q, %v before its context expired; want it to wait for the child", status, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run(hang) = %v; want an error wrapping context.DeadlineExceeded", err)
	}
	if !slices.Equal(status, []string{"started"}) {
		t.Errorf("Run(hang) = %q; want the status lines read before ctx ended, [\"started\"]", status)
	}
}

// TestRunGrandchildHoldsThePipe: the child exits at once, but leaves a grandchild that
// holds fd 4 open for 20s, so the pipe does not reach end of file. Run must stop reading
// when ctx ends, although killing the child closes nothing.
func TestRunGrandchildHoldsThePipe(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "holder.pid")
	t.Cleanup(func() {
		if data, err := os.ReadFile(pidfile); err == nil {
			if pid, _ := strconv.Atoi(string(data)); pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	mode := append([]string{"leave", pidfile}, helperArgs("holder", pidfile)...)
	status, expired, err := run(t, 500*time.Millisecond, filepath.Join(t.TempDir(), "results.txt"), mode...)
	if !expired {
		t.Fatalf("Run(leave) = %q, %v before its context expired; want it to wait for the end of the status pipe, which the grandchild holds open", status, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run(leave) = %v; want an error wrapping context.DeadlineExceeded", err)
	}
	if !slices.Equal(status, []string{"started"}) {
		t.Errorf("Run(leave) = %q; want the status lines read before ctx ended, [\"started\"]", status)
	}
}

// TestRunClosesItsCopies checks that Run leaves no descriptor open in the caller. It does
// not run in parallel, so the descriptors it counts are Run's alone.
func TestRunClosesItsCopies(t *testing.T) {
	resultPath := filepath.Join(t.TempDir(), "results.txt")
	runOK := func() {
		t.Helper()
		if _, expired, err := run(t, 5*time.Second, resultPath, "report", "1"); expired {
			t.Fatalf("Run(report 1) = %v; %s", err, eofHint)
		} else if err != nil {
			t.Fatalf("Run(report 1) = %v; want no error", err)
		}
	}
	runOK() // lets the runtime open what it keeps for good, such as its poller
	before := openFDs(false)
	for range 3 {
		runOK()
	}
	if after := openFDs(false); len(after) > len(before) {
		t.Errorf("3 calls of Run left %d more descriptors open in the caller (%v, then %v); want Run to close the results file and both ends of the pipe",
			len(after)-len(before), before, after)
	}
}
