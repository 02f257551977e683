// Broken: never looks at the pid file before starting, so a second Start runs a second daemon and overwrites the first one's pid.
// Package daemon starts a program as a detached daemon that outlives the process that
// started it, records its pid in a pid file, and stops it later from any process.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrRunning is wrapped by Start's error when the pid file names a running process.
var ErrRunning = errors.New("daemon: already running")

// ErrNotRunning is wrapped by Stop's error when no running daemon is recorded in the pid
// file.
var ErrNotRunning = errors.New("daemon: not running")

// Start starts cmd as a daemon and records its pid in pidFile. It returns the daemon's pid
// without waiting for it: the daemon outlives the process that calls Start.
//
//   - The daemon runs in a new session (setsid): it has no controlling terminal, and it
//     leads its own process group, so the hangup or Ctrl-C of the starter's terminal, and
//     signals to the starter's process group, do not reach it.
//   - Its stdin is /dev/null, and its stdout and stderr are the file logFile, opened for
//     appending (created with mode 0644 if needed), or /dev/null if logFile is "". It
//     shares no pipe with the starter, so the starter's readers do not wait for it, and it
//     does not die of SIGPIPE when the starter exits.
//   - It runs in cmd.Dir, or "/" if that is empty, so that it keeps no directory busy.
//   - If pidFile holds the pid of a running process, Start starts nothing and returns an
//     error wrapping ErrRunning. A pid file that holds no running pid (it is stale, left by a
//     daemon that died) is replaced.
//   - The pid file is written atomically: to a temporary file in the same directory, then
//     renamed over pidFile, so a reader sees the old content or the new, never a partial
//     one.
//
// Start sets cmd's Stdin, Stdout, Stderr, Dir and SysProcAttr.Setsid. Two Start calls
// racing on one pid file can both succeed; use a lock file if that can happen.
func Start(cmd *exec.Cmd, pidFile, logFile string) (int, error) {
	if logFile == "" {
		logFile = os.DevNull
	}
	log, err := os.OpenFile(logFile, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return 0, fmt.Errorf("daemon: %w", err)
	}
	// The daemon gets its own copy of the descriptor; ours is not needed after Start.
	defer log.Close()

	// An *os.File is handed to the child as is. Any other io.Writer would make os/exec
	// copy through a pipe with a goroutine of this process, which dies with it.
	cmd.Stdin = nil // /dev/null
	cmd.Stdout = log
	cmd.Stderr = log
	if cmd.Dir == "" {
		cmd.Dir = "/"
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("daemon: %w", err)
	}
	pid := cmd.Process.Pid

	if err := writeFileAtomic(pidFile, []byte(strconv.Itoa(pid)+"\n")); err != nil {
		// A daemon nobody can find is worse than none.
		cmd.Process.Kill()
		cmd.Wait()
		return 0, err
	}
	// This process will not wait for the daemon. When the starter exits (a CLI's "start"
	// command does at once), the daemon is reparented to init, which reaps it when it
	// ends. A starter that lives on should reap it instead (go cmd.Wait()), or the daemon
	// stays a zombie from its exit until the starter's.
	cmd.Process.Release()
	return pid, nil
}

// Stop stops the daemon recorded in pidFile: it sends it SIGTERM, waits until it has
// exited, then removes pidFile. Stop can be called from any process, not only the one that
// started the daemon.
//
// If pidFile is missing or holds no running pid, Stop returns an error wrapping
// ErrNotRunning. It removes a stale pid file, one that names a process that is not running,
// but leaves alone a file that holds no pid at all: that may be no pid file. If ctx ends
// before the daemon exits, Stop returns ctx.Err() and leaves the daemon and its pid file
// alone.
func Stop(ctx context.Context, pidFile string) error {
	pid, err := readPid(pidFile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotRunning, err)
	}
	if !alive(pid) {
		os.Remove(pidFile)
		return fmt.Errorf("%w: pid %d (from %s) is not running", ErrNotRunning, pid, pidFile)
	}
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("daemon: signalling pid %d: %w", pid, err)
	}

	// The daemon is not our child, so we cannot wait(2) for it: poll until the pid is gone.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for alive(pid) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("daemon: pid %d still running: %w", pid, ctx.Err())
		case <-tick.C:
		}
	}
	if err := os.Remove(pidFile); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("daemon: %w", err)
	}
	return nil
}

// readPid reads the pid recorded in pidFile.
func readPid(pidFile string) (int, error) {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return 0, err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("%s: no pid in %q", pidFile, b)
	}
	return pid, nil
}

// alive reports whether a process with this pid exists. Signal 0 checks without sending
// anything; EPERM means it exists but belongs to another user. A pid file cannot tell a
// reused pid from its daemon: that would take a lock held by the daemon.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// writeFileAtomic writes data to a temporary file in name's directory and renames it over
// name: rename replaces a file in one step, and only within one file system.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*")
	if err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("daemon: %w", err)
	}
	// CreateTemp makes the file 0600; a pid file is for everyone to read.
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("daemon: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("daemon: %w", err)
	}
	return nil
}
