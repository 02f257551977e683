// Package rlimits runs a program under CPU-time and memory limits that apply to that program
// alone, through a re-exec trampoline: this process keeps its own limits.
package rlimits

import (
	"context"
	"errors"
	"os/exec"
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
	// TODO: run the trampoline (trampoline[0] with trampoline[1:]), adding the limits, the
	// program and its arguments as more arguments. Never set a limit in this process.
	cmd := exec.CommandContext(ctx, trampoline[0])
	cmd.Err = errors.New("rlimits: not implemented")
	return cmd
}

// Trampoline is the trampoline's side of Command: args are the arguments that Command put
// after trampoline[1:]. It sets the limits they carry on the calling process and replaces
// the process with the program they name (looked up in PATH if the name has no slash),
// which keeps this process's pid and environment. It returns only if that fails; the caller
// should then report the error and exit with status 127, as shells do for a command that
// cannot run.
func Trampoline(args []string) error {
	// TODO: read the limits and the program from args, set the limits on this process
	// (syscall.Setrlimit) and become the program (syscall.Exec).
	return errors.New("rlimits: not implemented")
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
	// TODO: run the command from Command, capture its output and tell apart how it ended.
	return nil, errors.New("rlimits: not implemented")
}
