// Package graceful runs jobs as child processes and shuts them down gracefully: it stops
// taking new jobs, asks the running ones to finish with a signal, kills those that outlive
// a grace period, and waits for every one.
package graceful

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"time"
)

// ErrClosed is returned by Start once a shutdown has begun.
var ErrClosed = errors.New("graceful: manager is shutting down")

// ErrKilled is wrapped by the error of a shutdown that had to kill jobs with SIGKILL because
// they were still running when the grace period ended.
var ErrKilled = errors.New("graceful: jobs killed after the grace period")

// Manager runs jobs, each a child process in a process group of its own, and shuts them
// down. The zero Manager is ready to use with a grace period of zero; set Grace before the
// first Start. A Manager must not be copied after first use.
type Manager struct {
	// Grace is how long the jobs get, from the first signal of a shutdown, to exit on their
	// own. Those still running then get SIGKILL.
	Grace time.Duration

	// TODO: add what Manager needs to know (and lock) to stop taking jobs and to signal
	// and wait for the running ones.
}

// Job is a child process started by Manager.Start.
type Job struct {
	cmd *exec.Cmd
	// TODO: add what Wait needs.
}

// Pid returns the job's process id, which is also the id of its process group.
func (j *Job) Pid() int { return j.cmd.Process.Pid }

// Wait waits for the job to exit and returns what cmd.Wait returned: nil for exit status 0,
// or an *exec.ExitError. It may be called any number of times, from any goroutine.
func (j *Job) Wait() error {
	// TODO: wait until the job has exited and return cmd.Wait's result.
	return errors.New("graceful: not implemented")
}

// Start starts cmd as a job of m, in a new process group (it sets cmd.SysProcAttr.Setpgid),
// so that the signals of a terminal reach only this process, and the signals m sends reach
// the job and every process the job starts. The Manager waits for the job; callers use
// Job.Wait, never cmd.Wait. Once a shutdown has begun, Start returns ErrClosed and does not
// start cmd.
func (m *Manager) Start(cmd *exec.Cmd) (*Job, error) {
	// TODO: refuse after a shutdown began, start cmd in its own process group, remember it
	// and wait for it in a goroutine.
	return nil, errors.New("graceful: not implemented")
}

// Shutdown shuts m down and returns once every job has exited:
//  1. Start refuses new jobs with ErrClosed.
//  2. Every running job's process group gets SIGTERM: the jobs finish the work they have in
//     hand and exit.
//  3. When Grace has passed, the groups of the jobs still running get SIGKILL.
//
// It returns nil if every job exited within Grace, an error wrapping ErrKilled if some had to
// be killed, and ctx.Err() if ctx ended first: the remaining jobs are then killed at once,
// and Shutdown still waits for them. Call Shutdown or ShutdownOnSignal once.
func (m *Manager) Shutdown(ctx context.Context) error {
	// TODO: stop taking jobs, SIGTERM every job's group, SIGKILL after Grace or when ctx
	// ends, and wait for them all.
	return errors.New("graceful: not implemented")
}

// ShutdownOnSignal makes m shut down when this process receives one of sigs (SIGTERM and
// SIGINT if sigs is empty), and returns at once, listening. On the first of those signals
// it forwards that signal to every job's process group and finishes the shutdown as
// Shutdown does, with the forwarded signal in place of SIGTERM; the returned channel then
// receives the result. Further signals during the shutdown are caught, so they cannot kill
// this process before its jobs are done. ctx bounds the whole: if it ends before a signal
// arrives, the channel receives ctx.Err() and nothing is shut down; if it ends during the
// shutdown, the jobs still running are killed at once, as in Shutdown, and the channel
// receives ctx.Err() once they have exited.
func (m *Manager) ShutdownOnSignal(ctx context.Context, sigs ...os.Signal) <-chan error {
	// TODO: signal.Notify before returning; on the first signal, shut down as Shutdown
	// does, sending that signal instead of SIGTERM.
	result := make(chan error, 1)
	result <- errors.New("graceful: not implemented")
	return result
}
