// Broken: sends SIGTERM, then always sleeps the whole grace period before SIGKILL, even when every process has already exited.
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
	cmd := exec.Command(name, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("timeouttree: %w", err)
	}
	pgid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// stop ends the group: SIGTERM, time to clean up, SIGKILL.
	stop := func(why error) ([]byte, error) {
		syscall.Kill(-pgid, syscall.SIGTERM)
		time.Sleep(grace)
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
		return out.Bytes(), fmt.Errorf("timeouttree: %q stopped: %w", name, why)
	}

	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		syscall.Kill(-pgid, syscall.SIGKILL)
		if err != nil {
			return out.Bytes(), fmt.Errorf("timeouttree: %q: %w", name, err)
		}
		return out.Bytes(), nil
	case <-timer.C:
		return stop(ErrTimeout)
	case <-ctx.Done():
		return stop(ctx.Err())
	}
}
