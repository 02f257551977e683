//go:build unix

package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// childRun is how one procdojo child process ended.
type childRun struct {
	code           int
	stdout, stderr string
	maxRSS         int64         // peak memory, bytes
	cpu            time.Duration // user and system
	wall           time.Duration
}

// childOptions say how to start procdojo as a child.
type childOptions struct {
	stdin  io.Reader // nil: /dev/null
	stdout *os.File  // nil: captured
	env    []string  // added to procdojoCommandEnv
	// started, when set, is called once the child has started, with its process.
	started func(*os.Process)
}

// childDeadline is how long any procdojo child may run before the test kills it: far more
// than any of them needs, even on a loaded machine, so that reaching it means a hang.
const childDeadline = 2 * time.Minute

// runChild runs procdojo (the test binary re-run as procdojo) with args, in its own process
// group, and returns how it ended. The child is killed, with its group, at childDeadline.
func runChild(t *testing.T, o childOptions, args ...string) childRun {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), childDeadline)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	peak := filepath.Join(t.TempDir(), "peak")
	cmd.Env = procdojoCommandEnv(append(o.env, peakEnv+"="+peak)...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Stdin = o.stdin
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if o.stdout != nil {
		cmd.Stdout = o.stdout
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if o.started != nil {
		o.started(cmd.Process)
	}
	err = cmd.Wait()
	r := childRun{stdout: stdout.String(), stderr: stderr.String(), wall: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("procdojo %q did not end within %v (killed)\nstdout:\n%.2000s\nstderr:\n%.2000s", args, childDeadline, r.stdout, r.stderr)
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("procdojo %q: %v", args, err)
	}
	st := cmd.ProcessState
	r.code = st.ExitCode()
	if ws, ok := st.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.code = 128 + int(ws.Signal())
	}
	if ru, ok := st.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss
		if runtime.GOOS != "darwin" { // Linux and the BSDs count kilobytes; macOS bytes
			r.maxRSS *= 1024
		}
		r.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	// The child's own peak, where it could tell it (writePeak): rusage on Linux also counts
	// this test process's peak.
	if data, err := os.ReadFile(peak); err == nil {
		if kb, err := strconv.ParseInt(string(data), 10, 64); err == nil {
			r.maxRSS = kb * 1024
		}
	}
	return r
}
