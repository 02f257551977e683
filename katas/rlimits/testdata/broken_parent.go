// Broken: sets the limits with syscall.Setrlimit in the calling process before starting the program, so the parent lives under them too.
// Package rlimits runs a program under CPU-time and memory limits that apply to that program
// alone, through a re-exec trampoline: this process keeps its own limits.
package rlimits

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Limits are resource limits for one child process. A zero field sets no limit: the child
// keeps the limit it inherits from this process.
type Limits struct {
	// CPU is the most processor time, user plus system, that the child may use. The kernel
	// counts whole seconds, so it is rounded up to the next second. At the limit the child
	// gets SIGXCPU, which it may catch to clean up; one second of CPU time later it gets
	// SIGKILL, so a program that ignores SIGXCPU is stopped too.
	CPU time.Duration

	// Memory is the most address space, in bytes, that the child may map (RLIMIT_AS, what
	// `ulimit -v` sets in KiB). Beyond it, allocations fail with ENOMEM. A Go program
	// reserves several hundred MiB of address space as it starts, so give it 1 GiB or more.
	// macOS accepts this limit but does not enforce it.
	Memory uint64
}

// ErrCPULimit reports that the child was killed because it used up its CPU time.
var ErrCPULimit = errors.New("rlimits: cpu limit exceeded")

// Command returns a command, not yet started, that runs the program name with args under
// lim. The child inherits the limits, so set them here and skip the trampoline.
func Command(ctx context.Context, trampoline []string, lim Limits, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	if lim.CPU > 0 {
		secs := uint64((lim.CPU + time.Second - 1) / time.Second)
		if err := syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: secs, Max: secs + 1}); err != nil {
			cmd.Err = err
		}
	}
	if lim.Memory > 0 {
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim.Memory, Max: lim.Memory}); err != nil {
			cmd.Err = err
		}
	}
	return cmd
}

// Trampoline is not needed: Command sets the limits itself. It runs the program it is
// given, for callers that use it anyway.
func Trampoline(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("rlimits: trampoline: want CPU seconds, memory bytes and a program, got %q", args)
	}
	path, err := exec.LookPath(args[2])
	if err != nil {
		return fmt.Errorf("rlimits: trampoline: %w", err)
	}
	return syscall.Exec(path, args[2:], os.Environ())
}

// Run runs name with args under lim through Command, waits for it and returns what it wrote
// to standard output.
func Run(ctx context.Context, trampoline []string, lim Limits, name string, args ...string) ([]byte, error) {
	cmd := Command(ctx, trampoline, lim, name, args...)
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err == nil {
		return out, nil
	}
	if ctx.Err() != nil {
		return out, fmt.Errorf("rlimits: %q stopped: %w", name, ctx.Err())
	}
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return out, fmt.Errorf("rlimits: %w", err)
	}
	if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		used := exitErr.UserTime() + exitErr.SystemTime()
		switch sig := status.Signal(); {
		case sig == syscall.SIGXCPU,
			sig == syscall.SIGKILL && lim.CPU > 0 && used >= lim.CPU:
			return out, fmt.Errorf("%w: %q killed after %v of CPU time (%w)", ErrCPULimit, name, used.Round(time.Millisecond), exitErr)
		}
	}
	return out, fmt.Errorf("rlimits: %q: %w", name, exitErr)
}
