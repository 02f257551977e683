// Package supervisor keeps a worker process running: it restarts the worker when it crashes,
// backs off exponentially between restarts, and gives up when the worker crashes too often.
package supervisor

import (
	"context"
	"errors"
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
	// TODO: start a worker from s.Command and wait for it; on a crash, count it (only the
	// crashes within s.Window count), give up at s.MaxCrashes, else sleep the backoff and
	// start another. When ctx ends, kill the worker and wait for it.
	return errors.New("supervisor: not implemented")
}
