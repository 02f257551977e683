//go:build unix

package kata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Supported reports whether katas can be checked on this OS: it needs process groups.
const Supported = true

// waitDelay bounds how long Wait waits after the deadline kills the group, and how long the
// readers wait for the pipes to close after go test exits.
const waitDelay = 2 * time.Second

// runGroup runs name with args in dir, in a process group of its own, until it exits or ctx
// ends; then it kills whatever is left of the group. stdout is read by readOut as a stream;
// stderr goes to errOut. It never uses a shell. It returns the process state when the
// process ran.
func runGroup(ctx context.Context, name string, args []string, dir string, env []string,
	readOut func(io.Reader) error, errOut io.Writer) (*os.ProcessState, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = waitDelay

	// Our own pipes, not os/exec's copying goroutines: Wait then returns as soon as go test
	// exits, and we kill the rest of the group before waiting for the pipes to drain, so a
	// leftover process holding them cannot hold up the check.
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("kata: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("kata: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	startErr := cmd.Start()
	outW.Close()
	errW.Close()
	if startErr != nil {
		outR.Close()
		errR.Close()
		return nil, fmt.Errorf("kata: starting %s: %w", name, startErr)
	}

	var wg sync.WaitGroup
	var readErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		readErr = readOut(outR)
		_, _ = io.Copy(io.Discard, outR) // keep draining if the reader stopped early
	}()
	go func() {
		defer wg.Done()
		_, _ = io.Copy(errOut, errR)
	}()

	waitErr := cmd.Wait()
	_ = killGroup(cmd.Process.Pid) // leftovers, such as a grandchild the tests forgot

	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(waitDelay):
		// A process outside the group still holds a pipe: stop reading.
		outR.Close()
		errR.Close()
		<-drained
	}
	outR.Close()
	errR.Close()

	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) && ctx.Err() == nil {
		return cmd.ProcessState, fmt.Errorf("kata: %w", waitErr)
	}
	if readErr != nil && !errors.Is(readErr, os.ErrClosed) {
		return cmd.ProcessState, fmt.Errorf("kata: reading go test's output: %w", readErr)
	}
	return cmd.ProcessState, nil
}

// killGroup sends SIGKILL to process group pgid. A group already gone is not an error.
func killGroup(pgid int) error {
	err := syscall.Kill(-pgid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

// exitInfo describes how a process ended and gives its status as a shell would: the exit
// code, or 128+signal.
func exitInfo(ps *os.ProcessState) (string, int) {
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		sig := ws.Signal()
		return fmt.Sprintf("killed by signal %d (%s)", int(sig), sig), 128 + int(sig)
	}
	return fmt.Sprintf("exit status %d", ps.ExitCode()), ps.ExitCode()
}
