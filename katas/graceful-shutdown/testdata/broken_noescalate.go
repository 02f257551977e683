// Broken: sends SIGTERM and then waits for the jobs for as long as they take: no SIGKILL after the grace period, so one job that ignores SIGTERM hangs the shutdown.
// Package graceful runs jobs as child processes and shuts them down gracefully: it stops
// taking new jobs, asks the running ones to finish with a signal, kills those that outlive
// a grace period, and waits for every one.
package graceful

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
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

	mu     sync.Mutex
	closed bool              // a shutdown has begun: Start refuses new jobs
	jobs   map[*Job]struct{} // the jobs that have not exited yet
	wg     sync.WaitGroup    // counts the jobs that have not exited yet
}

// Job is a child process started by Manager.Start.
type Job struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the job has exited and been reaped
	err  error         // cmd.Wait's result, set before done is closed
}

// Pid returns the job's process id, which is also the id of its process group.
func (j *Job) Pid() int { return j.cmd.Process.Pid }

// Wait waits for the job to exit and returns what cmd.Wait returned: nil for exit status 0,
// or an *exec.ExitError. It may be called any number of times, from any goroutine.
func (j *Job) Wait() error {
	<-j.done
	return j.err
}

// Start starts cmd as a job of m, in a new process group (it sets cmd.SysProcAttr.Setpgid),
// so that the signals of a terminal reach only this process, and the signals m sends reach
// the job and every process the job starts. The Manager waits for the job; callers use
// Job.Wait, never cmd.Wait. Once a shutdown has begun, Start returns ErrClosed and does not
// start cmd.
func (m *Manager) Start(cmd *exec.Cmd) (*Job, error) {
	// Holding the lock across cmd.Start means a shutdown cannot begin between the check
	// and the start, and so cannot miss this job.
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setpgid = true
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("graceful: %w", err)
	}

	j := &Job{cmd: cmd, done: make(chan struct{})}
	if m.jobs == nil {
		m.jobs = make(map[*Job]struct{})
	}
	m.jobs[j] = struct{}{}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		j.err = cmd.Wait()
		m.mu.Lock()
		delete(m.jobs, j)
		m.mu.Unlock()
		close(j.done)
	}()
	return j, nil
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
	return m.shutdown(ctx, syscall.SIGTERM)
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
	if len(sigs) == 0 {
		sigs = []os.Signal{syscall.SIGTERM, syscall.SIGINT}
	}
	// Listen before returning, so that a signal sent right after cannot be missed (or, with
	// nobody listening, kill this process).
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, sigs...)
	result := make(chan error, 1)
	go func() {
		defer signal.Stop(ch)
		select {
		case <-ctx.Done():
			result <- ctx.Err()
		case sig := <-ch:
			s, ok := sig.(syscall.Signal)
			if !ok {
				s = syscall.SIGTERM
			}
			result <- m.shutdown(ctx, s)
		}
	}()
	return result
}

// shutdown closes m, sends sig to every job, and escalates to SIGKILL after the grace
// period or when ctx ends.
func (m *Manager) shutdown(ctx context.Context, sig syscall.Signal) error {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.signalAll(sig)

	allDone := make(chan struct{})
	go func() {
		m.wg.Wait()
		close(allDone)
	}()
	// The jobs were asked to stop; they will.
	<-allDone
	return nil
}

// signalAll sends sig to the process group of every job that has not exited, and returns
// how many it signalled.
func (m *Manager) signalAll(sig syscall.Signal) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	for j := range m.jobs {
		// A negative pid names the process group: the job and all it started. ESRCH only
		// means the group is already gone.
		syscall.Kill(-j.Pid(), sig)
	}
	return len(m.jobs)
}
