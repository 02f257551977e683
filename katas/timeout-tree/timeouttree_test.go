package timeouttree

// The tests run real process trees: the test binary itself, started as the "tree" helper
// (the child), which starts itself again as a grandchild. Each writes its pid to a file in
// the test's temporary directory, so that the test can check afterwards that none of them
// survived. Every test kills what is left of its tree when it ends, even if Run is wrong.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["say"] = say
	helpers["tree"] = tree
}

// watchdog ends a helper that nobody stopped (because the code under test forgot to), so
// it cannot outlive the test run for long.
func watchdog() {
	time.AfterFunc(30*time.Second, func() { os.Exit(98) })
}

// say TEXT CODE writes TEXT to stdout and exits with status CODE.
func say(args []string) int {
	os.Stdout.WriteString(args[0])
	code, _ := strconv.Atoi(args[1])
	return code
}

// tree DIR ROLE [OPTION...] is a program that starts a child of its own.
//
// As ROLE "child", it starts itself again as ROLE "grandchild" with the same stdout (so
// the grandchild holds Run's pipe open too), waits until the grandchild runs, writes
// "started", then waits for SIGTERM: it passes it on to the grandchild, as a well-behaved
// parent does, and dies from it. The grandchild dies from SIGTERM too. Each role writes
// its pid to DIR/ROLE.pid first, and creates DIR/ROLE.term when SIGTERM reaches it.
//
// Options:
//
//	stubborn-child       the child ignores SIGTERM
//	stubborn-grandchild  the grandchild ignores SIGTERM
//	wait-grandchild      on SIGTERM, the child does not pass it on: it waits for the
//	                     grandchild to exit first, as a shell waits for its job
//	leave                the child exits 0 once the grandchild runs, leaving it behind
func tree(args []string) int {
	watchdog()
	dir, role, opts := args[0], args[1], args[2:]
	if role == "grandchild" {
		if slices.Contains(opts, "stubborn-grandchild") {
			signal.Ignore(syscall.SIGTERM)
		} else {
			term := make(chan os.Signal, 1)
			signal.Notify(term, syscall.SIGTERM)
			go func() {
				<-term
				dieFromTerm(dir, role)
			}()
		}
		writePid(dir, role)
		select {}
	}

	// Hold SIGTERM until the grandchild runs, so that the tree the test checks always
	// exists, whenever the time limit falls.
	term := make(chan os.Signal, 1)
	if slices.Contains(opts, "stubborn-child") {
		signal.Ignore(syscall.SIGTERM)
	} else {
		signal.Notify(term, syscall.SIGTERM)
	}
	writePid(dir, role)
	exe, err := os.Executable()
	if err != nil {
		return 2
	}
	gc := exec.Command(exe, helperArgs("tree", append([]string{dir, "grandchild"}, opts...)...)...)
	gc.Stdout = os.Stdout
	if err := gc.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "tree:", err)
		return 2
	}
	for readPid(dir, "grandchild") == 0 {
		time.Sleep(2 * time.Millisecond)
	}
	os.Stdout.WriteString("started\n")
	if slices.Contains(opts, "leave") {
		return 0
	}
	<-term
	os.WriteFile(filepath.Join(dir, role+".term"), nil, 0o644)
	if slices.Contains(opts, "wait-grandchild") {
		gc.Wait()
	} else {
		gc.Process.Signal(syscall.SIGTERM)
	}
	dieFromTerm(dir, role)
	return 0
}

// dieFromTerm records that SIGTERM reached ROLE, in DIR/ROLE.term, then dies from it.
func dieFromTerm(dir, role string) {
	os.WriteFile(filepath.Join(dir, role+".term"), nil, 0o644)
	signal.Reset(syscall.SIGTERM)
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {}
}

// checkTermed fails the test unless SIGTERM reached each of roles, all of which exit on
// it: Run must ask politely before it kills.
func checkTermed(t *testing.T, dir, call string, roles ...string) {
	t.Helper()
	for _, role := range roles {
		if _, err := os.Stat(filepath.Join(dir, role+".term")); err != nil {
			t.Errorf("%s: the %s, which exits on SIGTERM, never received one; want SIGTERM sent to the whole process group (syscall.Kill(-pgid, syscall.SIGTERM)) first, and SIGKILL only after the grace period", call, role)
		}
	}
}

func pidPath(dir, role string) string { return filepath.Join(dir, role+".pid") }

// writePid writes the process id to DIR/ROLE.pid, atomically.
func writePid(dir, role string) {
	tmp := pidPath(dir, role) + ".tmp"
	os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644)
	os.Rename(tmp, pidPath(dir, role))
}

// readPid returns the pid in DIR/ROLE.pid, or 0 if there is none yet.
func readPid(dir, role string) int {
	b, err := os.ReadFile(pidPath(dir, role))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(string(b))
	return pid
}

// killTreeAtEnd makes sure that nothing of the tree in dir outlives the test, whatever Run
// did: it sends SIGKILL to the child's group and to each pid the helpers wrote.
func killTreeAtEnd(t *testing.T, dir string) {
	t.Cleanup(func() {
		if pid := readPid(dir, "child"); pid > 0 {
			syscall.Kill(-pid, syscall.SIGKILL)
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if pid := readPid(dir, "grandchild"); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// gone reports whether process pid has ended. A process that has ended but that its
// parent has not reaped, a zombie, counts as gone: it runs no more. (An orphaned
// grandchild can stay a zombie for good where pid 1 does not reap orphans, as in some
// containers; on Linux, /proc tells zombies apart.)
func gone(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	if runtime.GOOS == "linux" {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return errors.Is(err, os.ErrNotExist)
		}
		// "pid (command) state ...": the state follows the last ')'.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
			return stat[i+2] == 'Z'
		}
	}
	return false
}

// checkTreeGone fails the test unless the program of the tree in dir has been reaped and
// its grandchild has ended (allowing a moment for SIGKILL to land).
func checkTreeGone(t *testing.T, dir, call string) {
	t.Helper()
	for _, role := range []string{"child", "grandchild"} {
		pid := readPid(dir, role)
		if pid == 0 {
			t.Errorf("the %s never wrote its pid: it was stopped before it could start (a slow machine?)", role)
			continue
		}
		if role == "child" {
			// Run's own child: Run must have waited for it, so not even a zombie is left.
			if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
				t.Errorf("%s returned, but the program (pid %d) still exists (kill(pid, 0) = %v): Run must wait for it (cmd.Wait), killing it if need be", call, pid, err)
			}
			continue
		}
		deadline := time.Now().Add(2 * time.Second)
		for !gone(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !gone(pid) {
			t.Errorf("%s returned, but the grandchild (pid %d) is still running: signal the whole process group (Setpgid, then syscall.Kill(-pgid, sig)), and follow SIGTERM with SIGKILL for processes that ignore it", call, pid)
		}
	}
}

// runWithin returns what f, a call of Run described by call, returns. It fails the test if
// f has not returned after limit, with stuck as the likely reason.
func runWithin(t *testing.T, limit time.Duration, call, stuck string, f func() ([]byte, error)) ([]byte, error) {
	t.Helper()
	type outcome struct {
		out []byte
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		out, err := f()
		done <- outcome{out, err}
	}()
	select {
	case o := <-done:
		return o.out, o.err
	case <-time.After(limit):
		t.Fatalf("%s did not return within %v%s", call, limit, stuck)
		return nil, nil
	}
}

func TestRunFinishes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		text string
		code int
	}{
		{"exit 0", "hello\n", 0},
		{"exit 4", "bad input\n", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			call := fmt.Sprintf("Run(ctx, 5s, 1s, say %q %d)", tt.text, tt.code)
			out, err := runWithin(t, 10*time.Second, call, "", func() ([]byte, error) {
				return Run(t.Context(), 5*time.Second, time.Second, helperPath(t), helperArgs("say", tt.text, strconv.Itoa(tt.code))...)
			})
			var exitErr *exec.ExitError
			switch {
			case tt.code == 0 && err != nil:
				t.Errorf("%s returned error %v; want nil", call, err)
			case tt.code != 0 && (!errors.As(err, &exitErr) || exitErr.ExitCode() != tt.code || errors.Is(err, ErrTimeout)):
				t.Errorf("%s returned error %v; want one wrapping *exec.ExitError with exit code %d, and not ErrTimeout", call, err, tt.code)
			}
			if string(out) != tt.text {
				t.Errorf("%s = %q; want %q", call, out, tt.text)
			}
		})
	}
	t.Run("not found", func(t *testing.T) {
		t.Parallel()
		_, err := Run(t.Context(), 5*time.Second, time.Second, "procdojo-no-such-program")
		if !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("Run(ctx, 5s, 1s, \"procdojo-no-such-program\") returned error %v; want an error wrapping exec.ErrNotFound", err)
		}
	})
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	const timeout = time.Second // long enough for the tree to start on a loaded machine
	tests := []struct {
		name   string
		opts   []string
		grace  time.Duration
		stuck  string   // the likely reason why Run would not return
		termed []string // the roles that SIGTERM must reach
	}{
		{
			// The grace period is long: Run must return as soon as the tree has exited,
			// not sleep through all of it.
			name:   "tree obeys SIGTERM",
			grace:  20 * time.Second,
			stuck:  ": the whole tree exits on SIGTERM, so Run must return then, not after the grace period (or did SIGTERM reach the program's group?)",
			termed: []string{"child", "grandchild"},
		},
		{
			// The program does not pass SIGTERM on: only a signal sent to the whole
			// group reaches the grandchild, and then the tree exits before the grace
			// period ends.
			name:   "program waits for its grandchild",
			opts:   []string{"wait-grandchild"},
			grace:  2 * time.Second,
			stuck:  ": the program exits on SIGTERM once its grandchild has exited",
			termed: []string{"child", "grandchild"},
		},
		{
			name:  "grandchild ignores SIGTERM",
			opts:  []string{"stubborn-grandchild"},
			grace: 300 * time.Millisecond,
			stuck: ": the grandchild ignores SIGTERM and keeps stdout open, so Wait blocks until it dies; set cmd.WaitDelay to the grace period, then SIGKILL the group",
		},
		{
			name:  "program ignores SIGTERM",
			opts:  []string{"stubborn-child"},
			grace: 300 * time.Millisecond,
			stuck: ": the program ignores SIGTERM; after the grace period it needs SIGKILL (cmd.WaitDelay does that)",
		},
		{
			// SIGTERM achieves nothing: only SIGKILL sent to the whole group stops both.
			name:  "both ignore SIGTERM",
			opts:  []string{"stubborn-child", "stubborn-grandchild"},
			grace: 300 * time.Millisecond,
			stuck: ": neither process exits on SIGTERM; after the grace period the whole group needs SIGKILL",
		},
	}
	// The cases spend their time waiting for the time limit, not computing: start them all
	// at once, rather than two at a time as t.Parallel would on two cores, then check each.
	type outcome struct {
		out []byte
		err error
	}
	type running struct {
		dir, call string
		done      chan outcome
	}
	exe, started := helperPath(t), time.Now()
	runs := make([]running, len(tests))
	for i, tt := range tests {
		dir := t.TempDir()
		killTreeAtEnd(t, dir)
		args := helperArgs("tree", append([]string{dir, "child"}, tt.opts...)...)
		runs[i] = running{dir, fmt.Sprintf("Run(ctx, %v, %v, tree %v)", timeout, tt.grace, tt.opts), make(chan outcome, 1)}
		go func() {
			out, err := Run(t.Context(), timeout, tt.grace, exe, args...)
			runs[i].done <- outcome{out, err}
		}()
	}
	for i, tt := range tests {
		dir, call := runs[i].dir, runs[i].call
		t.Run(tt.name, func(t *testing.T) {
			const limit = 10 * time.Second
			var o outcome
			select {
			case o = <-runs[i].done:
			case <-time.After(time.Until(started.Add(limit))):
				t.Fatalf("%s did not return within %v%s", call, limit, tt.stuck)
			}
			if !errors.Is(o.err, ErrTimeout) {
				t.Errorf("%s returned error %v; want an error wrapping ErrTimeout", call, o.err)
			}
			if string(o.out) != "started\n" {
				t.Errorf("%s = %q; want %q: return what the program wrote before it was stopped", call, o.out, "started\n")
			}
			checkTreeGone(t, dir, call)
			checkTermed(t, dir, call, tt.termed...)
		})
	}
}

func TestRunLeftBehind(t *testing.T) {
	t.Parallel()
	// The program exits at once, but leaves a grandchild holding its stdout.
	dir := t.TempDir()
	killTreeAtEnd(t, dir)
	const timeout, grace = 20 * time.Second, 300 * time.Millisecond
	call := fmt.Sprintf("Run(ctx, %v, %v, tree [leave])", timeout, grace)
	stuck := ": the program has exited, but the process it left behind holds stdout open; set cmd.WaitDelay so that Wait gives up on the pipe"
	out, err := runWithin(t, 5*time.Second, call, stuck, func() ([]byte, error) {
		return Run(t.Context(), timeout, grace, helperPath(t), helperArgs("tree", dir, "child", "leave")...)
	})
	if !errors.Is(err, exec.ErrWaitDelay) || errors.Is(err, ErrTimeout) {
		t.Errorf("%s returned error %v; want an error wrapping exec.ErrWaitDelay (and not ErrTimeout)", call, err)
	}
	if string(out) != "started\n" {
		t.Errorf("%s = %q; want %q", call, out, "started\n")
	}
	checkTreeGone(t, dir, call)
}

func TestRunCancel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	killTreeAtEnd(t, dir)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go func() {
		// Cancel once the grandchild runs: an event, not a guess at timing.
		defer cancel()
		for deadline := time.Now().Add(10 * time.Second); readPid(dir, "grandchild") == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
	}()
	const timeout, grace = 20 * time.Second, 20 * time.Second
	call := fmt.Sprintf("Run(ctx, %v, %v, tree) with ctx cancelled", timeout, grace)
	stuck := ": the tree exits on SIGTERM, so Run must return then (does SIGTERM reach the program's group? does Run sleep through the grace period?)"
	out, err := runWithin(t, 10*time.Second, call, stuck, func() ([]byte, error) {
		return Run(ctx, timeout, grace, helperPath(t), helperArgs("tree", dir, "child")...)
	})
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("%s returned error %v; want an error wrapping context.Canceled, and not ErrTimeout: the time limit did not pass", call, err)
	}
	if string(out) != "started\n" {
		t.Errorf("%s = %q; want %q", call, out, "started\n")
	}
	checkTreeGone(t, dir, call)
	checkTermed(t, dir, call, "child")
}
