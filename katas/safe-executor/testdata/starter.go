// Package safeexec runs untrusted scripts in an interpreter under a time limit, a memory
// limit and an output cap, with a clean environment and, where the operating system allows
// it, without network access.
//
// The memory limit is set by a trampoline: Run starts a small program (usually this very
// program, re-executed with a marker argument) that calls Trampoline, which sets the limit
// on its own process and then becomes the interpreter with syscall.Exec. Setting the limit
// in Run's process instead would limit Run's process itself.
package safeexec

import (
	"context"
	"errors"
	"time"
)

// ErrTimeLimit is wrapped by the error Run returns when the script was still running after
// Limits.Time.
var ErrTimeLimit = errors.New("time limit exceeded")

// ErrOutputLimit is wrapped by the error Run returns when the script wrote more than
// Limits.Output bytes.
var ErrOutputLimit = errors.New("output limit exceeded")

// Limits bound one run of a script.
type Limits struct {
	// Time is the most wall-clock time the script may run. It must be positive. After it,
	// the interpreter and every process it started are killed.
	Time time.Duration

	// Memory is the most address space, in bytes, the interpreter may map (RLIMIT_AS);
	// beyond it, its allocations fail. Zero means no limit. Address space is not memory
	// used: a runtime reserves much more than it touches (a Go program linked with libc,
	// over 1 GiB as it starts), so be generous. macOS accepts the limit but does not
	// enforce it.
	Memory uint64

	// Output is the most output, stdout and stderr together, that Run keeps. It must be
	// positive. A script that writes more is killed, with every process it started.
	Output int
}

// Sandbox runs untrusted scripts. Its zero value is not usable: set every field.
type Sandbox struct {
	// Interpreter is the interpreter's program and arguments. It reads the script from its
	// standard input. Interpreter[0] is looked up in PATH if it has no slash.
	Interpreter []string

	// Trampoline is the program, and its first arguments, that Run starts in place of the
	// interpreter: usually this program, as []string{exe, "-trampoline"} with exe from
	// os.Executable. Run adds its own arguments; the program must pass everything after
	// Trampoline[1:] to the function Trampoline, first thing in main.
	Trampoline []string

	Limits
}

// Result is what became of a script.
type Result struct {
	Output   []byte // what the script wrote on stdout and stderr, at most Limits.Output bytes
	ExitCode int    // the interpreter's exit status, or -1 if a signal ended it

	// Isolated reports whether the script ran in user and network namespaces of its own,
	// where no network interface is up, not even loopback (Linux, where unprivileged user
	// namespaces are allowed). If false, the script had the same network as Run's caller.
	Isolated bool
}

// Run runs script in the interpreter under sb's limits and returns its output and exit
// status. The interpreter runs with the environment PATH=/usr/bin:/bin and nothing else, in
// a process group of its own, and, on Linux, in new user and network namespaces if the
// system allows them (see Result.Isolated); elsewhere it runs with the network it finds.
//
// A script that exits, with any status, gives a nil error, even if a process it left
// behind still holds its output (Run then waits a second at most). Otherwise the error wraps
// ErrTimeLimit, ErrOutputLimit, ctx.Err() if ctx ended first, or the reason the interpreter
// could not be started. In every case, when Run returns, the interpreter has been waited
// for and every process left in its process group has been sent SIGKILL.
func (sb Sandbox) Run(ctx context.Context, script string) (Result, error) {
	// TODO: check sb; start sb.Trampoline with the memory limit and sb.Interpreter as
	// arguments, the script on stdin, a clean environment, a process group of its own and,
	// on Linux, new user and network namespaces; cap the output, kill the group on a limit.
	return Result{}, errors.New("safeexec: not implemented")
}

// Trampoline is the trampoline's side of Run: args are the arguments Run put after
// Trampoline[1:]. It sets the memory limit they carry on the calling process and replaces
// the process with the interpreter, which keeps the limit, the pid, the process group, the
// namespaces and the environment. It returns only if that fails; the caller should then
// report the error and exit with status 127.
func Trampoline(args []string) error {
	// TODO: read the memory limit, set RLIMIT_AS on this process, then syscall.Exec the
	// interpreter.
	return errors.New("safeexec: trampoline: not implemented")
}
