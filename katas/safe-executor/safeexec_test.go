package safeexec

// The interpreter and the trampoline are real processes: the test binary itself, run as the
// "interp" and "trampoline" helpers below. The interpreter runs a tiny script language, one
// command per line, read from its stdin. Commands that start processes write their pids to
// files, so that the tests can check that nothing survives a limit.
//
// The network check needs new user and network namespaces; where this system cannot create
// them (not Linux, or unprivileged user namespaces disabled), that check alone is skipped,
// with the reason. The memory check needs Linux: macOS accepts RLIMIT_AS without enforcing it.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["trampoline"] = trampolineMain
	helpers["interp"] = interpMain
	helpers["grandchild"] = grandchildMain
}

// trampolineMain, the "trampoline" helper, is the Sandbox's Trampoline program.
func trampolineMain(args []string) int {
	err := Trampoline(args)
	fmt.Fprintln(os.Stderr, "trampoline:", err)
	return 127
}

// interpMain, the "interp" helper, is the interpreter. It reads a script from stdin and runs
// its commands, one per line, then exits 0:
//
//	print TEXT      write TEXT to stdout
//	eprint TEXT     write TEXT to stderr
//	env             write each environment variable, sorted, one per line
//	exit N          exit with status N
//	flood N         write N bytes ("x") to stdout
//	flood3 N        write N bytes of "✓" (3 bytes each; the last may be cut) to stdout
//	alloc MB        map MB MiB of memory; write "allocated", or "alloc failed: ERR" and exit 3
//	connect ADDR    connect to the TCP address ADDR; write "connected", or
//	                "connect failed: ERR" and exit 3
//	spawn PIDDIR PROGRAM ARGS...
//	                create PIDDIR/interp-<pid>, start PROGRAM ARGS (the "grandchild"
//	                helper) with the interpreter's stdout, wait until it has written its
//	                pid, write "spawned"
//	detach PIDDIR PROGRAM ARGS...
//	                the same, but the process gets no stdout (/dev/null)
//	sleep MS        wait MS milliseconds
//
// It exits by itself after 30 seconds, or as soon as the test process is gone.
func interpMain(args []string) int {
	parent := os.Getppid()
	watchdog(func() bool { return os.Getppid() != parent })
	var script bytes.Buffer
	script.ReadFrom(os.Stdin)
	for _, line := range strings.Split(script.String(), "\n") {
		cmd, rest, _ := strings.Cut(line, " ")
		switch cmd {
		case "":
		case "print":
			fmt.Println(rest)
		case "eprint":
			fmt.Fprintln(os.Stderr, rest)
		case "env":
			env := os.Environ()
			slices.Sort(env)
			for _, kv := range env {
				fmt.Println(kv)
			}
		case "exit":
			n, _ := strconv.Atoi(rest)
			return n
		case "flood", "flood3":
			n, _ := strconv.Atoi(rest)
			chunk := floodBytes(cmd, 3<<16) // a whole number of characters
			for n > 0 {
				k := min(n, len(chunk))
				if _, err := os.Stdout.Write(chunk[:k]); err != nil {
					return 1
				}
				n -= k
			}
		case "alloc":
			mb, _ := strconv.Atoi(rest)
			mem, err := syscall.Mmap(-1, 0, mb<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
			if err != nil {
				fmt.Println("alloc failed:", err)
				return 3
			}
			syscall.Munmap(mem)
			fmt.Println("allocated")
		case "connect":
			conn, err := net.DialTimeout("tcp", rest, 2*time.Second)
			if err != nil {
				fmt.Println("connect failed:", err)
				return 3
			}
			conn.Close()
			fmt.Println("connected")
		case "spawn", "detach":
			f := strings.Fields(rest)
			os.WriteFile(filepath.Join(f[0], fmt.Sprintf("interp-%d", os.Getpid())), nil, 0o644)
			child := exec.Command(f[1], f[2:]...)
			if cmd == "spawn" {
				child.Stdout = os.Stdout
			}
			if err := child.Start(); err != nil {
				fmt.Println("spawn failed:", err)
				return 3
			}
			// Wait until the process has written its pid, so that the test knows it.
			ready := filepath.Join(f[0], fmt.Sprintf("grandchild-%d", child.Process.Pid))
			for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(2 * time.Millisecond) {
				if _, err := os.Stat(ready); err == nil {
					break
				}
			}
			fmt.Println("spawned")
		case "sleep":
			ms, _ := strconv.Atoi(rest)
			time.Sleep(time.Duration(ms) * time.Millisecond)
		default:
			fmt.Fprintf(os.Stderr, "interp: unknown command %q\n", line)
			return 2
		}
	}
	return 0
}

// floodBytes returns the first n bytes that the interpreter's command flood or flood3
// writes.
func floodBytes(command string, n int) []byte {
	unit := "x"
	if command == "flood3" {
		unit = "✓"
	}
	return bytes.Repeat([]byte(unit), n/len(unit)+1)[:n]
}

// grandchildMain, the "grandchild" helper, is a process the script started: grandchild
// PIDDIR TESTPID. It creates PIDDIR/grandchild-<pid> and waits, for 30 seconds at most, or
// until the process TESTPID is gone. It does not watch its parent: when the interpreter is
// killed alone, the grandchild lives on, as real ones do.
func grandchildMain(args []string) int {
	testPid, _ := strconv.Atoi(args[1])
	watchdog(func() bool { return syscall.Kill(testPid, 0) == syscall.ESRCH })
	os.WriteFile(filepath.Join(args[0], fmt.Sprintf("grandchild-%d", os.Getpid())), nil, 0o644)
	select {}
}

// watchdog ends the helper after 30 seconds, or as soon as orphaned reports true, so that
// no helper outlives the tests, whatever the code under test does.
func watchdog(orphaned func() bool) {
	go func() {
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(20 * time.Millisecond) {
			if orphaned() {
				os.Exit(97)
			}
		}
		os.Exit(98)
	}()
}

// sandbox returns a Sandbox of the test interpreter and trampoline with lim.
func sandbox(t *testing.T, lim Limits) Sandbox {
	exe := helperPath(t)
	return Sandbox{
		Interpreter: append([]string{exe}, helperArgs("interp")...),
		Trampoline:  append([]string{exe}, helperArgs("trampoline")...),
		Limits:      lim,
	}
}

type outcome struct {
	res Result
	err error
}

// run calls sb.Run with a 20s deadline and fails the test if it does not return.
func run(t *testing.T, sb Sandbox, script string) (Result, error) {
	t.Helper()
	return runCtx(t, context.Background(), sb, script)
}

func runCtx(t *testing.T, ctx context.Context, sb Sandbox, script string) (Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		res, err := sb.Run(ctx, script)
		done <- outcome{res, err}
	}()
	select {
	case o := <-done:
		return o.res, o.err
	case <-time.After(25 * time.Second):
		t.Fatalf("Run(ctx, %q) did not return within 25s, although ctx ended after 20s", script)
		return Result{}, nil
	}
}

// show abbreviates output for messages.
func show(out []byte) string {
	if len(out) > 80 {
		return fmt.Sprintf("%q... (%d bytes)", out[:60], len(out))
	}
	return fmt.Sprintf("%q", out)
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		script   string
		want     string
		wantCode int
	}{
		{name: "stdout", script: "print hello, world", want: "hello, world\n"},
		{name: "stderr", script: "eprint oops", want: "oops\n"},
		{name: "several lines", script: "print one\nprint two\n", want: "one\ntwo\n"},
		{name: "exit status", script: "print bye\nexit 4\nprint unreachable", want: "bye\n", wantCode: 4},
	}
	sb := sandbox(t, Limits{Time: 10 * time.Second, Output: 1 << 20})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := run(t, sb, tt.script)
			if err != nil || string(res.Output) != tt.want || res.ExitCode != tt.wantCode {
				t.Errorf("Run(ctx, %q) = {Output: %s, ExitCode: %d}, %v; want {Output: %q, ExitCode: %d}, nil: a script that exits, with any status, is no error", tt.script, show(res.Output), res.ExitCode, err, tt.want, tt.wantCode)
			}
		})
	}
	t.Run("bad sandbox", func(t *testing.T) {
		t.Parallel()
		noInterpreter, noTrampoline := sandbox(t, Limits{Time: time.Second, Output: 100}), sandbox(t, Limits{Time: time.Second, Output: 100})
		noInterpreter.Interpreter, noTrampoline.Trampoline = nil, nil
		for _, bad := range []Sandbox{
			sandbox(t, Limits{Time: 0, Output: 100}),
			sandbox(t, Limits{Time: -time.Second, Output: 100}),
			sandbox(t, Limits{Time: time.Second, Output: 0}),
			sandbox(t, Limits{Time: time.Second, Output: -1}),
			noInterpreter,
			noTrampoline,
		} {
			if _, err := run(t, bad, "print hi"); err == nil {
				t.Errorf("Run with Time %v, Output %d, Interpreter %q, Trampoline %q returned a nil error; want an error", bad.Time, bad.Output, bad.Interpreter, bad.Trampoline)
			}
		}
	})
}

// TestEnvironment is not parallel: it sets a variable in the test process's environment.
func TestEnvironment(t *testing.T) {
	t.Setenv("PROCDOJO_SECRET", "hunter2")
	res, err := run(t, sandbox(t, Limits{Time: 10 * time.Second, Output: 1 << 20}), "env")
	if want := "PATH=/usr/bin:/bin\n"; err != nil || string(res.Output) != want {
		t.Errorf("Run(ctx, \"env\") = {Output: %q}, %v; want {Output: %q}, nil: set cmd.Env to exactly PATH=/usr/bin:/bin, so that nothing of the caller's environment (here PROCDOJO_SECRET=hunter2) reaches untrusted code", res.Output, err, want)
	}
}

// TestLimitsKillTheTree stops a script that has started a process holding its stdout, on
// each of the three ways a script can be stopped.
func TestLimitsKillTheTree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		cancel  bool   // cancel ctx at 300ms instead of waiting for the 500ms time limit
		flood   int    // write that many bytes, over the 1000-byte output limit
		wantOut string // the output the script wrote before it was stopped
		wantErr error
	}{
		{name: "time limit", wantOut: "spawned\n", wantErr: ErrTimeLimit},
		{name: "ctx cancelled", cancel: true, wantOut: "spawned\n", wantErr: context.Canceled},
		{name: "output limit", flood: 5000, wantOut: "spawned\n" + strings.Repeat("x", 1000-len("spawned\n")), wantErr: ErrOutputLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			t.Cleanup(func() { killAll(dir) })
			grandchild := append([]string{helperPath(t)}, helperArgs("grandchild", dir, strconv.Itoa(os.Getpid()))...)
			script := fmt.Sprintf("spawn %s %s\nsleep 60000", dir, strings.Join(grandchild, " "))
			sb := sandbox(t, Limits{Time: 500 * time.Millisecond, Output: 1 << 20})
			if tc.cancel {
				sb.Time = 20 * time.Second
			}
			if tc.flood > 0 {
				sb.Time, sb.Output = 20*time.Second, 1000
				script = fmt.Sprintf("spawn %s %s\nflood %d\nsleep 60000", dir, strings.Join(grandchild, " "), tc.flood)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				time.AfterFunc(300*time.Millisecond, cancel)
			}
			start := time.Now()
			res, err := runCtx(t, ctx, sb, script)
			took := time.Since(start)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr != ErrTimeLimit && errors.Is(err, ErrTimeLimit)) {
				t.Errorf("Run(ctx, %q) returned error %v; want an error wrapping %v", "spawn ...; sleep 60000", err, tc.wantErr)
			}
			if took > 5*time.Second {
				t.Errorf("Run took %v to stop a script; want it stopped at once", took)
			}
			if string(res.Output) != tc.wantOut || res.ExitCode != -1 {
				t.Errorf("Run(ctx, %q) = {Output: %s, ExitCode: %d}; want {Output: %s, ExitCode: -1}: the output so far, and -1 for a script killed by a signal", "spawn ...; sleep 60000", show(res.Output), res.ExitCode, show([]byte(tc.wantOut)))
			}
			checkTreeGone(t, dir, "Run returned")
		})
	}
}

// TestLeftovers runs scripts that exit at once, leaving behind a process they started:
// Run must not wait for it, and must kill it.
func TestLeftovers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, spawn, wantOut, why string
	}{
		{
			name:    "quiet",
			spawn:   "detach",
			wantOut: "spawned\ndone\n",
			why:     "once the interpreter has exited, kill its process group (syscall.Kill(-pid, SIGKILL)): what it left behind goes too",
		},
		{
			name:    "holding the output",
			spawn:   "spawn",
			wantOut: "spawned\ndone\n",
			why:     "the process it left holds the write end of the output pipe, so cmd.Wait waits for it for ever: set cmd.WaitDelay, then kill the process group",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			t.Cleanup(func() { killAll(dir) })
			grandchild := append([]string{helperPath(t)}, helperArgs("grandchild", dir, strconv.Itoa(os.Getpid()))...)
			script := fmt.Sprintf("%s %s %s\nprint done", tc.spawn, dir, strings.Join(grandchild, " "))
			sb := sandbox(t, Limits{Time: 20 * time.Second, Output: 1 << 20})
			done := make(chan outcome, 1)
			go func() {
				res, err := sb.Run(context.Background(), script)
				done <- outcome{res, err}
			}()
			var o outcome
			select {
			case o = <-done:
			case <-time.After(8 * time.Second):
				t.Fatalf("Run(ctx, %q), a script that exits at once, did not return within 8s: %s", tc.spawn+" ...; print done", tc.why)
			}
			if o.err != nil || string(o.res.Output) != tc.wantOut || o.res.ExitCode != 0 {
				t.Errorf("Run(ctx, %q) = {Output: %q, ExitCode: %d}, %v; want {Output: %q, ExitCode: 0}, nil: the script exited with status 0", tc.spawn+" ...; print done", o.res.Output, o.res.ExitCode, o.err, tc.wantOut)
			}
			checkTreeGone(t, dir, "Run returned")
		})
	}
}

// killAll kills every process whose pid file is in dir.
func killAll(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, n, ok := strings.Cut(e.Name(), "-"); ok {
			if pid, err := strconv.Atoi(n); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	}
}

// readPid returns the pid that role ("interp" or "grandchild") wrote in dir, or 0.
func readPid(dir, role string) int {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if r, n, ok := strings.Cut(e.Name(), "-"); ok && r == role {
			pid, _ := strconv.Atoi(n)
			return pid
		}
	}
	return 0
}

// gone reports whether the process pid has ended. A process that has exited but that its
// parent has not reaped, a zombie, counts as gone: it runs no more. (An orphaned grandchild
// can stay a zombie for good where pid 1 does not reap orphans, as in some containers; on
// Linux, /proc tells zombies apart.)
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

// checkTreeGone fails the test unless the interpreter that wrote its pid in dir has been
// waited for and the grandchild it started is gone.
func checkTreeGone(t *testing.T, dir, when string) {
	t.Helper()
	interp, grandchild := readPid(dir, "interp"), readPid(dir, "grandchild")
	if interp == 0 || grandchild == 0 {
		t.Fatalf("the interpreter (pid %d) or its grandchild (pid %d) never wrote its pid: the machine may be too slow", interp, grandchild)
	}
	if err := syscall.Kill(interp, 0); err != syscall.ESRCH {
		t.Errorf("%s, but the interpreter (pid %d) still exists (kill(pid, 0) = %v); want it killed and waited for", when, interp, err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for !gone(grandchild) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !gone(grandchild) {
		t.Errorf("%s, but the process the script started (pid %d) is still running: run the interpreter in a process group of its own (Setpgid), and kill the whole group (syscall.Kill(-pid, SIGKILL)) on a limit and once the interpreter has exited", when, grandchild)
	}
}

func TestOutputLimit(t *testing.T) {
	t.Parallel()
	const limit = 1 << 20
	tests := []struct {
		name    string
		flood   string // the interpreter's command: flood ("x") or flood3 ("✓", 3 bytes)
		bytes   int
		wantErr bool
	}{
		{name: "under the limit", flood: "flood", bytes: limit - 1},
		{name: "exactly the limit", flood: "flood", bytes: limit},
		{name: "one byte over", flood: "flood", bytes: limit + 1, wantErr: true},
		{name: "64 MiB over", flood: "flood", bytes: 64 << 20, wantErr: true},
		// Fewer characters than the limit, but more bytes: Output counts bytes.
		{name: "not ASCII, 1.5 MiB over", flood: "flood3", bytes: limit + limit/2, wantErr: true},
	}
	sb := sandbox(t, Limits{Time: 8 * time.Second, Output: limit})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := fmt.Sprintf("%s %d\nsleep 20000", tt.flood, tt.bytes)
			if !tt.wantErr {
				script = fmt.Sprintf("%s %d", tt.flood, tt.bytes)
			}
			start := time.Now()
			res, err := run(t, sb, script)
			if want := floodBytes(tt.flood, min(tt.bytes, limit)); !bytes.Equal(res.Output, want) {
				t.Errorf("Run(ctx, %q) with Output %d kept %s; want exactly the first %d bytes the script wrote, %s: Output counts bytes, not characters or lines", script, limit, show(res.Output), len(want), show(want))
			}
			if !tt.wantErr {
				if err != nil || res.ExitCode != 0 {
					t.Errorf("Run(ctx, %q) with Output %d = {ExitCode: %d}, %v; want {ExitCode: 0}, nil: up to Output bytes is not too many", script, limit, res.ExitCode, err)
				}
				return
			}
			if !errors.Is(err, ErrOutputLimit) || errors.Is(err, ErrTimeLimit) {
				t.Errorf("Run(ctx, %q) with Output %d returned error %v; want an error wrapping ErrOutputLimit: stop the script as soon as it writes more than Output bytes, and say so", script, limit, err)
			}
			if took := time.Since(start); took > 6*time.Second {
				t.Errorf("Run(ctx, %q) took %v; want the script killed as soon as it wrote too much, not at the time limit", script, took)
			}
		})
	}
}

// TestOutputMemory is not parallel: it measures what the test process allocates.
func TestOutputMemory(t *testing.T) {
	const limit, flood = 1 << 20, 64 << 20
	sb := sandbox(t, Limits{Time: 15 * time.Second, Output: limit})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := run(t, sb, fmt.Sprintf("flood %d", flood))
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("Run of a script that writes %d MiB, with Output %d MiB, allocated %d MiB; want less than 16 MiB: keep at most Output bytes, and discard (or stop reading) the rest", flood>>20, limit>>20, alloc>>20)
	}
	if !errors.Is(err, ErrOutputLimit) || len(res.Output) != limit {
		t.Errorf("Run of a script that writes %d MiB, with Output %d MiB = {Output: %d bytes}, %v; want {Output: %d bytes}, an error wrapping ErrOutputLimit", flood>>20, limit>>20, len(res.Output), err, limit)
	}
}

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	switch runtime.GOOS {
	case "linux":
	case "darwin":
		t.Skip("no memory check on macOS: it accepts RLIMIT_AS but does not enforce it")
	default:
		t.Skipf("no memory check on %s", runtime.GOOS)
	}
	var before syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_AS, &before)
	sb := sandbox(t, Limits{Time: 15 * time.Second, Output: 1 << 20, Memory: 4 << 30})
	for _, tc := range []struct {
		script, want string
		code         int
	}{
		{"alloc 16", "allocated\n", 0},
		{"alloc 8192", "alloc failed: cannot allocate memory\n", 3},
	} {
		res, err := run(t, sb, tc.script)
		if err != nil || string(res.Output) != tc.want || res.ExitCode != tc.code {
			t.Errorf("Run(ctx, %q) with Memory 4 GiB = {Output: %q, ExitCode: %d}, %v; want {Output: %q, ExitCode: %d}, nil: the trampoline must set RLIMIT_AS to Memory, then exec the interpreter", tc.script, res.Output, res.ExitCode, err, tc.want, tc.code)
		}
	}
	var after syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_AS, &after)
	if after != before {
		t.Errorf("the test process's own RLIMIT_AS changed from %+v to %+v; want it unchanged: set the limit in the trampoline, on its own process", before, after)
	}
}

func TestNoNetwork(t *testing.T) {
	t.Parallel()
	if err := probeNamespaces(t); err != nil {
		t.Skipf("no network check: this system cannot create user and network namespaces without privileges: %v", err)
	}
	// A server on loopback that the test itself can reach.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on 127.0.0.1: %v", err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second); err != nil {
		t.Fatalf("the test cannot connect to its own server at %s: %v", ln.Addr(), err)
	} else {
		c.Close()
	}

	script := "connect " + ln.Addr().String()
	res, err := run(t, sandbox(t, Limits{Time: 15 * time.Second, Output: 1 << 20}), script)
	if err != nil {
		t.Fatalf("Run(ctx, %q) returned error %v; want nil", script, err)
	}
	if !res.Isolated {
		t.Errorf("Run(ctx, %q) = {Isolated: false}; want true: this system allows unprivileged user and network namespaces (SysProcAttr.Cloneflags CLONE_NEWUSER|CLONE_NEWNET, with UidMappings and GidMappings)", script)
	}
	if !strings.HasPrefix(string(res.Output), "connect failed") || res.ExitCode != 3 {
		t.Errorf("Run(ctx, %q) = {Output: %q, ExitCode: %d}; want the connection to fail (exit status 3): in a network namespace of its own, the script cannot reach even 127.0.0.1", script, res.Output, res.ExitCode)
	}
}
