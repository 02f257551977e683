//go:build unix

package kata

import (
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// Supported reports whether katas can be checked on this OS: it needs process groups.
const Supported = true

// waitDelay bounds how long Wait waits after the deadline kills the group, and how long the
// readers wait for the pipes to close after the process exits.
const waitDelay = 2 * time.Second

// runGroup runs name with args in dir, in a process group of its own, until it exits or ctx
// ends; then it kills whatever is left of the group. stdout is read by readOut as a stream;
// stderr goes to errOut. It never uses a shell. It returns the process state when the
// process ran. The build runs this way: it runs no code of the user's.
func runGroup(ctx context.Context, name string, args []string, dir string, env []string,
	readOut func(io.Reader) error, errOut io.Writer) (*os.ProcessState, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.SysProcAttr = buildAttr()
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.WaitDelay = waitDelay
	// Pdeathsig (Linux) is tied to the thread that starts the child (go.dev/issue/27505).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	return runPiped(cmd, readOut, errOut, func() {
		if cmd.Process != nil {
			_ = killGroup(cmd.Process.Pid) // leftovers
		}
	})
}

// killGroup sends SIGKILL to process group pgid. A group already gone is not an error.
func killGroup(pgid int) error {
	err := syscall.Kill(-pgid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}
