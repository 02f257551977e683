// Package daemon starts a program as a detached daemon that outlives the process that
// started it, records its pid in a pid file, and stops it later from any process.
package daemon

import (
	"context"
	"errors"
	"os/exec"
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
	// TODO: refuse if pidFile names a live process; open the log file; start cmd in a new
	// session with its output on the log file; write the pid file atomically; release the
	// process.
	return 0, errors.New("daemon: not implemented")
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
	// TODO: read the pid, send SIGTERM, wait until the pid is gone (or ctx ends), remove
	// the pid file.
	return errors.New("daemon: not implemented")
}
