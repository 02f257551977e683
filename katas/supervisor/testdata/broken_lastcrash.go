// Broken: formats the last crash's error with %v, so the caller cannot tell why the worker crashed with errors.Is or errors.As.
// Package supervisor keeps a worker process running: it restarts the worker when it crashes,
// backs off exponentially between restarts, and gives up when the worker crashes too often.
package supervisor

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// ErrTooManyCrashes is wrapped by the error Run returns when the worker crashed
// Supervisor.MaxCrashes times within Supervisor.Window.
var ErrTooManyCrashes = errors.New("supervisor: too many crashes")

// Supervisor keeps one worker process running. Set its fields, then call Run; Command,
// Backoff, MaxBackoff, MaxCrashes and Window must be set.
type Supervisor struct {
	// Command returns a new, unstarted command for each start of the worker (an exec.Cmd
	// runs only once). Run starts it, waits for it and kills it when ctx ends.
	Command func() *exec.Cmd

	// Backoff is the delay before the first restart in a streak of crashes. Each further
	// crash within Window doubles it, up to MaxBackoff.
	Backoff    time.Duration
	MaxBackoff time.Duration

	// MaxCrashes is how many crashes within any span of Window make Run give up. A crash
	// that happened Window or longer ago no longer counts, so a worker that stays up longer
	// than Window starts a new streak: the count and the backoff start again.
	MaxCrashes int
	Window     time.Duration

	// Now returns the current time; nil means time.Now. Run reads it when a worker has
	// exited, to date the crash.
	Now func() time.Time

	// Sleep waits for d, or until ctx ends and then returns ctx.Err(); nil means a real
	// timer. Run calls it for every backoff delay.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Run starts the worker and keeps it running until ctx ends or Run gives up on it.
//
// A worker crashes when it exits with a non-zero status, is killed by a signal, or cannot
// be started. After a crash, Run waits for the backoff delay (through Sleep) and starts a
// new worker from Command. It returns:
//   - nil, when a worker exits with status 0: it has finished its job.
//   - an error wrapping ErrTooManyCrashes and the last crash's error, when MaxCrashes crashes
//     happened within Window. Run does not sleep or restart after that crash.
//   - ctx.Err(), when ctx ends: Run kills the running worker, waits for it, and does not
//     start another, so no worker outlives Run.
func (s *Supervisor) Run(ctx context.Context) error {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	sleep := s.Sleep
	if sleep == nil {
		sleep = sleepContext
	}

	var crashes []time.Time // when the crashes still inside the window happened, oldest first
	for {
		err := s.runOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err == nil {
			return nil
		}

		// Slide the window: forget the crashes it has left behind, then count this one.
		t := now()
		for len(crashes) > 0 && t.Sub(crashes[0]) >= s.Window {
			crashes = crashes[1:]
		}
		crashes = append(crashes, t)
		if len(crashes) >= s.MaxCrashes {
			return fmt.Errorf("%w: %d within %v, the last: %v", ErrTooManyCrashes, len(crashes), s.Window, err)
		}
		if err := sleep(ctx, s.backoff(len(crashes))); err != nil {
			return err
		}
	}
}

// backoff returns the delay after the nth crash of a streak: Backoff doubled n-1 times, at
// most MaxBackoff. It doubles step by step, so a long streak cannot overflow.
func (s *Supervisor) backoff(n int) time.Duration {
	d := s.Backoff
	for i := 1; i < n && d < s.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.MaxBackoff)
}

// runOnce starts one worker and waits for it to exit, or kills it when ctx ends. It
// returns the worker's error: nil for exit status 0, the start error or the *exec.ExitError
// otherwise.
func (s *Supervisor) runOnce(ctx context.Context) error {
	cmd := s.Command()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("supervisor: starting the worker: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("supervisor: worker %d: %w", cmd.Process.Pid, err)
		}
		return nil
	case <-ctx.Done():
		// Stop means no process left: kill the worker and reap it before returning.
		cmd.Process.Kill()
		<-done
		return ctx.Err()
	}
}

// sleepContext waits for d or until ctx ends, whichever comes first.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
