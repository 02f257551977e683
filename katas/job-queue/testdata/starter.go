// Package jobqueue runs background jobs, each a child process: the most urgent first, a
// few at a time, with a time limit per attempt and retries for jobs that fail.
package jobqueue

import (
	"errors"
	"io"
	"time"
)

// ErrTimeout is wrapped by a Result's Err when the job's last attempt was still running
// after the job's Timeout.
var ErrTimeout = errors.New("job timed out")

// ErrClosed is returned by Add once Close has begun.
var ErrClosed = errors.New("queue closed")

// Job is a program to run in the background.
type Job struct {
	ID       string   // names the job in its Result
	Priority int      // higher runs first; jobs of equal priority run in the order added
	Name     string   // the program, looked up in PATH if it has no slash
	Args     []string // its arguments

	// Timeout limits each attempt: an attempt still running after Timeout is killed, with
	// every process it started (the job runs in a process group of its own), and counts
	// as a failed attempt. Zero means no limit.
	Timeout time.Duration

	// MaxAttempts is how many times the job may run in all, retries included, while its
	// attempts fail (exit with a non-zero status, or time out). Zero means 1: no retry.
	MaxAttempts int

	// Stdout receives what every attempt writes to standard output; nil means /dev/null.
	// The job's stdin and stderr are /dev/null.
	Stdout io.Writer
}

// Result is what became of a job.
type Result struct {
	ID       string // the job's ID
	Attempts int    // how many attempts were made: starts, or 1 for a program that cannot start

	// Err is nil if the last attempt exited with status 0. Otherwise it wraps ErrTimeout
	// if the last attempt timed out, the *exec.ExitError if it exited with a non-zero
	// status, or the error that kept the program from starting.
	Err error
}

// Queue runs jobs in the background. Create it with New; its methods are safe for
// concurrent use.
type Queue struct {
	// TODO: the jobs waiting (ordered by priority, then by arrival), how many run now,
	// whether the queue is closed...
}

// New returns a queue that runs at most workers jobs at once (fewer than 1 means 1), and
// calls report, if not nil, with each job's Result once the job is done: when an attempt
// succeeds, or when its last attempt fails. report calls never overlap.
//
// A job that fails is retried, while it has attempts left, behind the jobs of its priority
// that are waiting already (but ahead of less urgent ones). A program that cannot start
// at all (exec.ErrNotFound, say) is not retried: it would not start the next time either.
func New(workers int, report func(Result)) *Queue {
	// TODO: start workers goroutines that take the most urgent job waiting and run it.
	return &Queue{}
}

// Add queues j. It returns an error wrapping ErrClosed once Close has begun.
func (q *Queue) Add(j Job) error {
	// TODO: queue j and wake a worker.
	return errors.New("jobqueue: not implemented")
}

// Close stops taking jobs and waits until every job added has run and been reported,
// retries included. Calling it again waits the same way.
func (q *Queue) Close() {
	// TODO: refuse new jobs, then wait for the workers to run every job left.
}
