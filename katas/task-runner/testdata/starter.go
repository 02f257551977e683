// Package taskrunner spreads prioritised tasks over a fixed set of long-lived worker
// processes, survives workers that crash by giving their task to another one, and keeps
// metrics that can be read at any time.
//
// A worker reads one task per line on its stdin and answers each with one line on its
// stdout: "ok TEXT" for a result, or "error TEXT" for a failure of the task. It exits when
// its stdin is closed.
package taskrunner

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ErrClosed is returned by Submit once Close has begun, and is wrapped by the Err of the
// tasks that Close abandoned when its ctx ended.
var ErrClosed = errors.New("runner closed")

// ErrCrashed is wrapped by the Err of a task whose worker crashed on every attempt.
var ErrCrashed = errors.New("worker crashed")

// TaskError is a failure that a worker reported for a task, with "error TEXT".
type TaskError struct {
	ID  string // the task's ID
	Msg string // TEXT
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("taskrunner: task %q failed: %s", e.ID, e.Msg)
}

// Config describes a runner.
type Config struct {
	Workers int // how many worker processes run tasks, one task each at a time (at least 1)

	// MaxAttempts is how many times a task may be given to a worker when workers crash
	// while running it. Zero means 3.
	MaxAttempts int

	Name string   // the worker program
	Args []string // its arguments
}

// Task is a unit of work.
type Task struct {
	ID       string // names the task in its Result
	Priority int    // higher runs first; tasks of equal priority run in the order submitted
	Payload  string // the line sent to the worker (without a newline)
}

// Result is what became of a task.
type Result struct {
	ID       string
	Output   string        // TEXT of the worker's "ok TEXT"
	Err      error         // nil, a *TaskError, or an error wrapping ErrCrashed or ErrClosed
	Attempts int           // how many times the task was given to a worker
	Worker   int           // the slot, 0 to Workers-1, of the worker that ran the last attempt
	Duration time.Duration // how long the last attempt took
}

// Metrics is a snapshot of a runner's counters.
type Metrics struct {
	Queued  int // tasks waiting for a worker, retries included
	Running int // tasks a worker is running now
	Done    int // tasks finished with a result
	Failed  int // tasks finished with an error: reported by a worker, or out of attempts
	Retries int // attempts given back to the queue because the worker crashed
	Crashes int // worker processes that died while running a task

	Workers []WorkerMetrics // one per slot
}

// WorkerMetrics are the counters of one worker slot. A slot holds one worker process at a
// time: when it crashes, the next one takes its place.
type WorkerMetrics struct {
	Pid     int           // the slot's current worker process, 0 if it has none
	Done    int           // tasks finished with a result in this slot
	Failed  int           // tasks finished with an error in this slot
	Crashes int           // worker processes of this slot that died while running a task
	Busy    time.Duration // the time this slot spent running attempts, crashed ones included
}

// Runner runs tasks on worker processes. Create it with Start; its methods are safe for
// concurrent use.
type Runner struct {
	// TODO: the queue (by priority, then by order submitted), the workers, the counters...
}

// Start starts cfg.Workers worker processes and returns the runner. If one cannot start,
// Start stops the others and returns the error.
func Start(cfg Config) (*Runner, error) {
	// TODO: start the workers (StdinPipe, StdoutPipe, Start) and a goroutine per slot
	// that takes the most urgent task and runs it on the slot's worker.
	return nil, errors.New("taskrunner: not implemented")
}

// Submit queues t and returns a channel that receives its Result once the task is done. It
// returns ErrClosed once Close has begun.
//
// Tasks run by priority. If a worker dies while running a task, a new worker process takes
// its slot, and the task goes back to the queue in the place it had, to run on the next
// free worker, unless it has had MaxAttempts attempts: then it fails with ErrCrashed. A
// failure the worker reports ("error TEXT") is a *TaskError, and is not retried.
func (r *Runner) Submit(t Task) (<-chan Result, error) {
	// TODO
	return nil, errors.New("taskrunner: not implemented")
}

// Metrics returns a snapshot of the runner's counters. A task counts as Done or Failed only
// once it has finished for good; an attempt that crashed counts as a Crash and a Retry, or
// else leads to the task's failure.
func (r *Runner) Metrics() Metrics {
	// TODO: copy the counters under the lock, Workers included.
	return Metrics{}
}

// Close stops taking tasks, waits for every task submitted to finish, then closes each
// worker's stdin and waits for it to exit.
//
// If ctx ends first, Close kills the worker processes and waits for them; the tasks that
// were running or waiting end with an error wrapping ErrClosed (a worker killed this way is
// not a crash), and Close returns an error wrapping ctx.Err(). When Close returns, no worker
// process is left.
func (r *Runner) Close(ctx context.Context) error {
	// TODO
	return errors.New("taskrunner: not implemented")
}
