// Broken: stops the group with SIGKILL at once, never SIGTERM, so no process gets the chance to exit cleanly.
// Package timeouttree runs a program with a time limit and, when the limit passes, stops the
// program and every process it started: SIGTERM first, SIGKILL after a grace period.
package timeouttree

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
	"time"
)

// ErrTimeout is wrapped by the error Run returns when its time limit passed before the
// program finished.
var ErrTimeout = errors.New("time limit exceeded")

// Run runs the program name with args in a new process group, which the processes it
// starts join too, and returns what the program wrote to stdout.
//
// If the program is still running after timeout, Run stops the whole group: it sends
// SIGTERM to every process in it, gives them up to grace to exit, then sends SIGKILL to
// the group. It returns the output written until then and an error wrapping ErrTimeout.
// If ctx ends first, Run stops the group the same way but returns an error wrapping
// ctx.Err() instead, and not ErrTimeout.
//
// If the program exits but a process it started keeps stdout open, Run waits no more than
// grace for it, then returns an error wrapping exec.ErrWaitDelay.
//
// Otherwise Run returns nil, or an error wrapping *exec.ExitError for a non-zero exit.
//
// In every case, when Run returns, the program has been waited for and every process left
// in its group has been sent SIGKILL.
func Run(ctx context.Context, timeout, grace time.Duration, name string, args ...string) ([]byte, error) {
	// The cause tells our own time limit apart from the caller cancelling ctx.
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, ErrTimeout)
	defer cancel()

	cmd := exec.CommandContext(ctx, name, args...)
	// A process group of its own, whose id is the program's pid. Its children inherit
	// the group, so one signal sent to -pgid reaches all of them.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// When ctx ends, kill the whole group.
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	// grace after ctx ends, or after the program exits while its stdout is still open
	// (held by a child), Wait stops waiting: it kills the program if it is still running
	// and closes the pipe. Without it, Wait blocks for as long as any process holds the
	// pipe.
	cmd.WaitDelay = grace

	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("timeouttree: %w", err)
	}
	err := cmd.Wait()

	// Whatever is still in the group gets SIGKILL: a process that ignored SIGTERM, or one
	// the program left behind. ESRCH only means that the group is already empty.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)

	if ctx.Err() != nil {
		// ErrTimeout if our time limit passed, else why the caller's ctx ended.
		return out.Bytes(), fmt.Errorf("timeouttree: %q stopped: %w", name, context.Cause(ctx))
	}
	if err != nil {
		return out.Bytes(), fmt.Errorf("timeouttree: %q: %w", name, err)
	}
	return out.Bytes(), nil
}
