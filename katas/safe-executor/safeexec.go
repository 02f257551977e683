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
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// cleanEnv is the whole environment of the script: nothing of Run's caller reaches it.
var cleanEnv = []string{"PATH=/usr/bin:/bin"}

// waitDelay is how long Wait waits, once the interpreter has been killed or has exited, for
// whatever still holds its output pipes.
const waitDelay = time.Second

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
	if sb.Time <= 0 || sb.Output <= 0 || len(sb.Interpreter) == 0 || len(sb.Trampoline) == 0 {
		return Result{}, errors.New("safeexec: Sandbox needs an Interpreter, a Trampoline, and a positive Time and Output limit")
	}
	// Two reasons of ours to stop the script, told apart by the cause: its time is up,
	// or it said too much.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	ctx, cancel := context.WithTimeoutCause(ctx, sb.Time, ErrTimeLimit)
	defer cancel()

	res, err := sb.run(ctx, stop, script, true)
	if errors.Is(err, errNoNamespaces) {
		res, err = sb.run(ctx, stop, script, false)
	}
	return res, err
}

// errNoNamespaces reports that the system refused to create the namespaces.
var errNoNamespaces = errors.New("no user namespaces")

// run runs the script once, in new namespaces if isolate is set and the system has them.
func (sb Sandbox) run(ctx context.Context, stop context.CancelCauseFunc, script string, isolate bool) (Result, error) {
	args := append([]string{}, sb.Trampoline[1:]...)
	args = append(args, strconv.FormatUint(sb.Memory, 10))
	args = append(args, sb.Interpreter...)
	cmd := exec.CommandContext(ctx, sb.Trampoline[0], args...)
	cmd.Env = cleanEnv
	cmd.Stdin = strings.NewReader(script)
	out := &capWriter{limit: sb.Output, over: func() { stop(ErrOutputLimit) }}
	cmd.Stdout, cmd.Stderr = out, out // one writer: exec never calls its Write twice at once

	// A process group of its own, which whatever the script starts joins: one signal to
	// -pgid reaches them all. Killing the interpreter alone (Cancel's default) would leave
	// its children running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	isolated := isolate && newNetworkNamespace(cmd.SysProcAttr)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay

	if err := cmd.Start(); err != nil {
		if isolated && (errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EINVAL) ||
			errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EACCES)) {
			// Unprivileged user namespaces are disabled (sysctl, AppArmor, seccomp,
			// a container), or too many exist already.
			return Result{}, fmt.Errorf("safeexec: %w: %w", errNoNamespaces, err)
		}
		return Result{}, fmt.Errorf("safeexec: starting the interpreter: %w", err)
	}
	err := cmd.Wait()
	// Whatever the script left in its group goes too. ESRCH only means none is left.
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)

	res := Result{Output: out.bytes(), ExitCode: cmd.ProcessState.ExitCode(), Isolated: isolated}
	if ctx.Err() != nil {
		// ErrTimeLimit, ErrOutputLimit, or why the caller's ctx ended.
		return res, fmt.Errorf("safeexec: script stopped: %w", context.Cause(ctx))
	}
	// exec.ErrWaitDelay means that the script exited but a process it left behind held its
	// output: that process has just been killed, and the script's status stands.
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) && !errors.Is(err, exec.ErrWaitDelay) {
		return res, fmt.Errorf("safeexec: %w", err)
	}
	return res, nil
}

// Linux's CLONE_NEWUSER and CLONE_NEWNET.
const (
	cloneNewUser = 0x10000000
	cloneNewNet  = 0x40000000
)

// newNetworkNamespace asks, on Linux, for the child to start in a new user namespace, where
// it keeps its own uid and gid, and a new network namespace, where the only interface is a
// loopback that is down. It reports whether it did.
//
// On Linux alone would one write &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER |
// syscall.CLONE_NEWNET, UidMappings: ..., GidMappings: ...}. Those fields exist only on
// Linux, and this file must build on macOS as well, so it sets them by name.
func newNetworkNamespace(attr *syscall.SysProcAttr) bool {
	if runtime.GOOS != "linux" {
		return false
	}
	v := reflect.ValueOf(attr).Elem()
	flags := v.FieldByName("Cloneflags")
	if !flags.IsValid() {
		return false
	}
	flags.SetUint(flags.Uint() | cloneNewUser | cloneNewNet)
	// Map our own uid and gid, and only them, so that the script runs as itself inside.
	// Go denies setgroups in the namespace (GidMappingsEnableSetgroups is false), which
	// an unprivileged process must do before it may write its gid map.
	for field, id := range map[string]int{"UidMappings": os.Getuid(), "GidMappings": os.Getgid()} {
		ids := v.FieldByName(field) // a []syscall.SysProcIDMap
		m := reflect.New(ids.Type().Elem()).Elem()
		m.FieldByName("ContainerID").SetInt(int64(id))
		m.FieldByName("HostID").SetInt(int64(id))
		m.FieldByName("Size").SetInt(1)
		ids.Set(reflect.Append(ids, m))
	}
	return true
}

// capWriter keeps the first limit bytes written to it and calls over, once, when more
// come. It then discards everything, so that the script never blocks on a full pipe while
// it is being killed.
type capWriter struct {
	limit int
	over  func()

	mu       sync.Mutex
	buf      bytes.Buffer
	exceeded bool
}

func (w *capWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if room := w.limit - w.buf.Len(); len(p) > room {
		w.buf.Write(p[:room])
		if !w.exceeded {
			w.exceeded = true
			w.over()
		}
		return len(p), nil
	}
	return w.buf.Write(p)
}

func (w *capWriter) bytes() []byte {
	w.mu.Lock()
	defer w.mu.Unlock()
	return bytes.Clone(w.buf.Bytes())
}

// Trampoline is the trampoline's side of Run: args are the arguments Run put after
// Trampoline[1:]. It sets the memory limit they carry on the calling process and replaces
// the process with the interpreter, which keeps the limit, the pid, the process group, the
// namespaces and the environment. It returns only if that fails; the caller should then
// report the error and exit with status 127.
func Trampoline(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("safeexec: trampoline: want a memory limit and an interpreter, got %q", args)
	}
	mem, err := strconv.ParseUint(args[0], 10, 64)
	if err != nil {
		return fmt.Errorf("safeexec: trampoline: memory limit: %w", err)
	}
	// Find the interpreter before the limit is set: this process may not be able to
	// allocate much once it is.
	path, err := exec.LookPath(args[1])
	if err != nil {
		return fmt.Errorf("safeexec: trampoline: %w", err)
	}
	if mem > 0 {
		lim := syscall.Rlimit{Cur: mem, Max: mem}
		if err := syscall.Setrlimit(syscall.RLIMIT_AS, &lim); err != nil {
			return fmt.Errorf("safeexec: trampoline: setting RLIMIT_AS: %w", err)
		}
	}
	return fmt.Errorf("safeexec: trampoline: %w", syscall.Exec(path, args[1:], os.Environ()))
}
