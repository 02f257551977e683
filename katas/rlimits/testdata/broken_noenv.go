// Broken: execs the target with an empty environment instead of the trampoline's, so the target loses PATH, HOME and whatever cmd.Env gave it.
// Package rlimits runs a program under CPU-time and memory limits that apply to that program
// alone, through a re-exec trampoline: this process keeps its own limits.
package rlimits

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
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
// lim, without changing the limits of this process.
//
// The command runs the trampoline: the program trampoline[0] with the arguments
// trampoline[1:], followed by lim, name and args encoded as Trampoline reads them.
// trampoline must not be empty, and must start a program that passes those arguments to
// Trampoline first thing in main: usually this very program, as
// []string{exe, "-trampoline"} with exe from os.Executable. The trampoline sets the limits
// on itself and becomes name through syscall.Exec, so name runs under the limits with the
// pid of cmd.Process, and killing that pid (as exec.CommandContext does when ctx ends)
// kills name.
func Command(ctx context.Context, trampoline []string, lim Limits, name string, args ...string) *exec.Cmd {
	// Round the CPU time up: RLIMIT_CPU counts seconds, and 1500ms must not become 1s.
	cpu := (lim.CPU + time.Second - 1) / time.Second
	targv := append([]string{}, trampoline[1:]...)
	targv = append(targv,
		strconv.FormatInt(int64(cpu), 10),
		strconv.FormatUint(lim.Memory, 10),
		name)
	targv = append(targv, args...)
	return exec.CommandContext(ctx, trampoline[0], targv...)
}

// Trampoline is the trampoline's side of Command: args are the arguments that Command put
// after trampoline[1:]. It sets the limits they carry on the calling process and replaces
// the process with the program they name (looked up in PATH if the name has no slash),
// which keeps this process's pid and environment. It returns only if that fails; the caller
// should then report the error and exit with status 127, as shells do for a command that
// cannot run.
func Trampoline(args []string) error {
	if len(args) < 3 {
		return fmt.Errorf("rlimits: trampoline: want CPU seconds, memory bytes and a program, got %q", args)
	}
	cpu, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return fmt.Errorf("rlimits: trampoline: CPU seconds: %w", err)
	}
	mem, err := strconv.ParseUint(args[1], 10, 64)
	if err != nil {
		return fmt.Errorf("rlimits: trampoline: memory bytes: %w", err)
	}
	// Find the program before setting any limit: once the memory limit is set, this Go
	// process may not be able to allocate much more.
	path, err := exec.LookPath(args[2])
	if err != nil {
		return fmt.Errorf("rlimits: trampoline: %w", err)
	}
	argv, env := args[2:], []string(nil) // a clean slate for the target

	if cpu > 0 {
		// Soft limit: SIGXCPU, a warning the program may catch. Hard limit one second later:
		// SIGKILL, which nothing can ignore.
		if err := setLimit(syscall.RLIMIT_CPU, cpu, cpu+1); err != nil {
			return err
		}
	}
	if mem > 0 {
		if err := setLimit(syscall.RLIMIT_AS, mem, mem); err != nil {
			return err
		}
	}
	// execve keeps the limits, the pid and the open descriptors, and replaces everything
	// else: the target now runs where the trampoline was, and nothing is left to wait for it.
	err = syscall.Exec(path, argv, env)
	return fmt.Errorf("rlimits: trampoline: exec %q: %w", path, err)
}

// setLimit sets the soft and hard limits of resource on this process. Only a privileged
// process may raise a hard limit, so neither goes above the hard limit already in place.
func setLimit(resource int, soft, hard uint64) error {
	var cur syscall.Rlimit
	if err := syscall.Getrlimit(resource, &cur); err != nil {
		return fmt.Errorf("rlimits: trampoline: getrlimit: %w", err)
	}
	lim := syscall.Rlimit{Cur: min(soft, cur.Max), Max: min(hard, cur.Max)}
	if err := syscall.Setrlimit(resource, &lim); err != nil {
		return fmt.Errorf("rlimits: trampoline: setrlimit(%d, %d/%d): %w", resource, lim.Cur, lim.Max, err)
	}
	return nil
}

// Run runs name with args under lim through Command, waits for it and returns what it wrote
// to standard output. Its standard input is empty (/dev/null).
//
// The error tells how the run ended:
//   - nil: the program exited with status 0.
//   - an error wrapping ErrCPULimit and the *exec.ExitError: the program used up its CPU
//     time, and SIGXCPU killed it, or SIGKILL after at least lim.CPU of CPU time.
//   - an error wrapping ctx.Err(): ctx ended first and Run killed the program.
//   - an error wrapping the *exec.ExitError, whose Stderr holds what the program wrote to
//     standard error: any other failure, such as an exit status of 3 or the trampoline's 127.
//   - another error: the trampoline could not be started.
func Run(ctx context.Context, trampoline []string, lim Limits, name string, args ...string) ([]byte, error) {
	cmd := Command(ctx, trampoline, lim, name, args...)
	// Do not wait forever for a grandchild that keeps the output pipes open.
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
		// SIGXCPU comes only from the soft CPU limit. SIGKILL may come from anywhere, so
		// it counts as the hard limit only if the program used at least its CPU time.
		used := exitErr.UserTime() + exitErr.SystemTime()
		switch sig := status.Signal(); {
		case sig == syscall.SIGXCPU,
			sig == syscall.SIGKILL && lim.CPU > 0 && used >= lim.CPU:
			return out, fmt.Errorf("%w: %q killed after %v of CPU time (%w)", ErrCPULimit, name, used.Round(time.Millisecond), exitErr)
		}
	}
	return out, fmt.Errorf("rlimits: %q: %w", name, exitErr)
}
