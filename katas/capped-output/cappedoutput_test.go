package cappedoutput

// The tests run a real program: the test binary itself, started as the "gen" helper, which
// writes a known pattern of bytes, as many as asked, up to 1 GiB. It writes its pid to a
// file first, so the tests can check that Output waited for it.

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
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["gen"] = gen
}

// pattern returns the first n bytes that gen writes: every byte value, in a cycle of 251
// (a prime, so that no chunk size lines up with it).
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

// gen PIDFILE N [exit=CODE] [stubborn] writes its pid to PIDFILE, then the first N bytes of
// pattern to stdout, 64 KiB at a time, then exits with status CODE (default 0).
//
// Normally gen dies from SIGPIPE if its reader closes the pipe. A stubborn gen ignores
// SIGPIPE and write errors, and after writing stays running, stdout open, until killed.
//
// gen PIDFILE stdio writes, instead of the pattern, "stdin X\nstderr X\n", X being
// "/dev/null" if that file descriptor is /dev/null, else "not /dev/null".
func gen(args []string) int {
	time.AfterFunc(30*time.Second, func() { os.Exit(98) }) // in case nobody kills it
	pidfile := args[0]
	n, _ := strconv.Atoi(args[1])
	code := 0
	stubborn := slices.Contains(args, "stubborn")
	for _, a := range args[2:] {
		if c, ok := strings.CutPrefix(a, "exit="); ok {
			code, _ = strconv.Atoi(c)
		}
	}
	if stubborn {
		signal.Ignore(syscall.SIGPIPE)
	}
	os.WriteFile(pidfile+".tmp", []byte(strconv.Itoa(os.Getpid())), 0o644)
	os.Rename(pidfile+".tmp", pidfile)

	if args[1] == "stdio" {
		null, err := os.Stat(os.DevNull)
		if err != nil {
			fmt.Printf("stat %s: %v\n", os.DevNull, err)
			return 4
		}
		for _, f := range []*os.File{os.Stdin, os.Stderr} {
			what := "not " + os.DevNull
			if fi, err := f.Stat(); err == nil && os.SameFile(fi, null) {
				what = os.DevNull
			}
			fmt.Printf("%s %s\n", strings.TrimPrefix(f.Name(), "/dev/"), what)
		}
		return 0
	}

	const chunk = 251 * 256 // about 64 KiB, and a whole number of pattern cycles
	buf := pattern(chunk)
	for written := 0; written < n; written += chunk {
		if _, err := os.Stdout.Write(buf[:min(chunk, n-written)]); err != nil && !stubborn {
			return 3
		}
	}
	if stubborn {
		select {}
	}
	return code
}

// readPid returns the pid gen wrote to pidfile, or 0.
func readPid(pidfile string) int {
	b, err := os.ReadFile(pidfile)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(string(b))
	return pid
}

// killAtEnd makes sure the gen that writes pidfile does not outlive the test.
func killAtEnd(t *testing.T, pidfile string) {
	t.Cleanup(func() {
		if pid := readPid(pidfile); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// checkReaped fails the test unless the gen that wrote pidfile is gone. It is a child of
// the test process: until Output has waited for it, it exists, running or as a zombie.
func checkReaped(t *testing.T, pidfile, call string) {
	t.Helper()
	pid := readPid(pidfile)
	if pid == 0 {
		t.Errorf("%s: the program never wrote its pid", call)
		return
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Errorf("%s returned, but the program (pid %d) still exists (kill(pid, 0) = %v): kill it if need be, and always wait for it (cmd.Wait)", call, pid, err)
	}
}

// output calls Output on gen, described by call, and fails the test if it has not returned
// after limit.
func output(t *testing.T, ctx context.Context, limit time.Duration, call string, max int, args ...string) ([]byte, error) {
	t.Helper()
	type outcome struct {
		out []byte
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		out, err := Output(ctx, max, helperPath(t), helperArgs("gen", args...)...)
		done <- outcome{out, err}
	}()
	select {
	case o := <-done:
		return o.out, o.err
	case <-time.After(limit):
		t.Fatalf("%s did not return within %v: past the limit, the program is still writing (or still running); stopping to read is not enough, kill it, then wait for it", call, limit)
		return nil, nil
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func size(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

func TestOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		limit   int
		written int    // bytes the program writes
		extra   string // more arguments for gen
		want    int    // bytes Output must return
		wantErr error  // what the error must wrap
	}{
		{name: "nothing", limit: 10, written: 0, want: 0},
		{name: "nothing, limit 0", limit: 0, written: 0, want: 0},
		{name: "one byte, limit 0", limit: 0, written: 1, want: 0, wantErr: ErrOutputLimit},
		{name: "under the limit", limit: 4096, written: 1000, want: 1000},
		{name: "exactly the limit", limit: 4096, written: 4096, want: 4096},
		{name: "one byte over", limit: 4096, written: 4097, want: 4096, wantErr: ErrOutputLimit},
		{name: "far over", limit: 100 << 10, written: 64 << 20, want: 100 << 10, wantErr: ErrOutputLimit},
		{name: "over a full pipe", limit: 1 << 20, written: 2 << 20, want: 1 << 20, wantErr: ErrOutputLimit},
		{name: "non-zero exit", limit: 4096, written: 10, extra: "exit=3", want: 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pidfile := filepath.Join(t.TempDir(), "pid")
			killAtEnd(t, pidfile)
			args := []string{pidfile, strconv.Itoa(tt.written)}
			if tt.extra != "" {
				args = append(args, tt.extra)
			}
			call := fmt.Sprintf("Output(ctx, %d, a program writing %s)", tt.limit, size(tt.written))
			out, err := output(t, testContext(t), 5*time.Second, call, tt.limit, args...)
			switch {
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("%s returned error %v; want an error wrapping ErrOutputLimit", call, err)
			case tt.extra == "exit=3":
				var exitErr *exec.ExitError
				if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
					t.Errorf("%s, exit status 3, returned error %v; want one wrapping *exec.ExitError with exit code 3", call, err)
				}
			case tt.wantErr == nil && err != nil:
				t.Errorf("%s returned error %v; want nil (%d bytes is within the limit)", call, err, tt.written)
			}
			if !bytes.Equal(out, pattern(tt.want)) {
				t.Errorf("%s = %d bytes (%s); want the first %d bytes the program wrote", call, len(out), firstDiff(out, pattern(tt.want)), tt.want)
			}
			checkReaped(t, pidfile, call)
		})
	}
}

// firstDiff describes where got departs from want.
func firstDiff(got, want []byte) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf("byte %d is %#x, want %#x", i, got[i], want[i])
		}
	}
	if len(got) == len(want) {
		return "same bytes"
	}
	return fmt.Sprintf("the first %d match", min(len(got), len(want)))
}

func TestOutputStubbornProgram(t *testing.T) {
	t.Parallel()
	// This program ignores SIGPIPE: closing the pipe does not stop it, it keeps running
	// with stdout open. Only a kill does.
	pidfile := filepath.Join(t.TempDir(), "pid")
	killAtEnd(t, pidfile)
	const limit = 64 << 10
	call := "Output(ctx, 65536, a program writing 16 MiB that ignores SIGPIPE and keeps running)"
	out, err := output(t, testContext(t), 5*time.Second, call, limit, pidfile, strconv.Itoa(16<<20), "stubborn")
	if !errors.Is(err, ErrOutputLimit) {
		t.Errorf("%s returned error %v; want an error wrapping ErrOutputLimit", call, err)
	}
	if !bytes.Equal(out, pattern(limit)) {
		t.Errorf("%s = %d bytes (%s); want the first %d bytes", call, len(out), firstDiff(out, pattern(limit)), limit)
	}
	checkReaped(t, pidfile, call)
}

// TestOutputMemory is not parallel: it measures what this process allocates while Output
// reads from a program that writes 1 GiB.
func TestOutputMemory(t *testing.T) {
	const (
		limit   = 1 << 20
		written = 1 << 30
		bound   = 64 << 20 // bytes Output may allocate in all: the limit and then some
	)
	pidfile := filepath.Join(t.TempDir(), "pid")
	killAtEnd(t, pidfile)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	// Stop a runaway: once this process has allocated more than bound, kill the program,
	// so that an Output that keeps everything fails this test rather than the machine.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			if m.TotalAlloc-before.TotalAlloc > bound {
				if pid := readPid(pidfile); pid > 0 {
					syscall.Kill(pid, syscall.SIGKILL)
				}
				return
			}
		}
	}()

	call := "Output(ctx, 1 MiB, a program writing 1 GiB)"
	out, err := output(t, testContext(t), 5*time.Second, call, limit, pidfile, strconv.Itoa(written))

	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%s allocated %d KiB", call, allocated>>10)
	if allocated > bound {
		t.Fatalf("%s allocated %d MiB; want less than %d MiB: read at most limit+1 bytes (io.LimitReader), never the whole output", call, allocated>>20, bound>>20)
	}
	if !errors.Is(err, ErrOutputLimit) {
		t.Errorf("%s returned error %v; want an error wrapping ErrOutputLimit", call, err)
	}
	if len(out) != limit || !bytes.Equal(out, pattern(limit)) {
		t.Errorf("%s = %d bytes (%s); want the first %d bytes", call, len(out), firstDiff(out, pattern(limit)), limit)
	}
	checkReaped(t, pidfile, call)
}

func TestOutputNotFound(t *testing.T) {
	t.Parallel()
	_, err := Output(testContext(t), 10, "procdojo-no-such-program")
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Output(ctx, 10, \"procdojo-no-such-program\") returned error %v; want an error wrapping exec.ErrNotFound", err)
	}
}

// TestOutputContext ends ctx while the program, having written less than the limit, keeps
// running with stdout open: Output must kill it, reap it, and say that ctx ended.
func TestOutputContext(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	killAtEnd(t, pidfile)
	ctx, cancel := context.WithTimeout(testContext(t), 300*time.Millisecond)
	defer cancel()
	const written = 1000
	call := "Output(ctx ending after 300ms, 4096, a program that writes 1000 bytes and then runs for ever)"
	out, err := output(t, ctx, 5*time.Second, call, 4096, pidfile, strconv.Itoa(written), "stubborn")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%s returned error %v; want one wrapping ctx.Err(), context.DeadlineExceeded (when ctx has ended, report ctx.Err() rather than Wait's \"signal: killed\")", call, err)
	}
	if !bytes.Equal(out, pattern(written)) {
		t.Errorf("%s = %d bytes (%s); want the %d bytes the program wrote before ctx ended", call, len(out), firstDiff(out, pattern(written)), written)
	}
	checkReaped(t, pidfile, call)
}

func TestOutputStdinStderr(t *testing.T) {
	t.Parallel()
	pidfile := filepath.Join(t.TempDir(), "pid")
	killAtEnd(t, pidfile)
	call := "Output(ctx, 4096, a program reporting what its stdin and stderr are)"
	out, err := output(t, testContext(t), 5*time.Second, call, 4096, pidfile, "stdio")
	if want := "stdin /dev/null\nstderr /dev/null\n"; err != nil || string(out) != want {
		t.Errorf("%s = %q, %v; want %q, nil: leave cmd.Stdin and cmd.Stderr nil, so that os/exec connects them to /dev/null", call, out, err, want)
	}
}
