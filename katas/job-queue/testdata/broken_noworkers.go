// Broken: starts exactly workers workers, so New(0, ...) has none, and its jobs never run.
// Package jobqueue runs background jobs, each a child process: the most urgent first, a
// few at a time, with a time limit per attempt and retries for jobs that fail.
package jobqueue

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"syscall"
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

// killDelay is how long an attempt's Wait waits, once the attempt has been killed or has
// exited, for whatever still holds its stdout.
const killDelay = time.Second

// Queue runs jobs in the background. Create it with New; its methods are safe for
// concurrent use.
type Queue struct {
	report func(Result)
	repMu  sync.Mutex // one report call at a time

	mu      sync.Mutex
	cond    *sync.Cond // signalled when pending grows, active drops to 0, or closed is set
	pending jobHeap    // jobs waiting for a worker, the most urgent on top
	seq     uint64     // the order in which jobs (and retries) joined pending
	active  int        // attempts running now
	closed  bool
	workers sync.WaitGroup
}

// New returns a queue that runs at most workers jobs at once (fewer than 1 means 1), and
// calls report, if not nil, with each job's Result once the job is done: when an attempt
// succeeds, or when its last attempt fails. report calls never overlap.
//
// A job that fails is retried, while it has attempts left, behind the jobs of its priority
// that are waiting already (but ahead of less urgent ones). A program that cannot start
// at all (exec.ErrNotFound, say) is not retried: it would not start the next time either.
func New(workers int, report func(Result)) *Queue {
	q := &Queue{report: report}
	q.cond = sync.NewCond(&q.mu)
	for range workers {
		q.workers.Go(q.work)
	}
	return q
}

// Add queues j. It returns an error wrapping ErrClosed once Close has begun.
func (q *Queue) Add(j Job) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return fmt.Errorf("jobqueue: adding job %q: %w", j.ID, ErrClosed)
	}
	q.push(&entry{job: j})
	return nil
}

// Close stops taking jobs and waits until every job added has run and been reported,
// retries included. Calling it again waits the same way.
func (q *Queue) Close() {
	q.mu.Lock()
	q.closed = true
	q.cond.Broadcast()
	q.mu.Unlock()
	q.workers.Wait()
}

// entry is a job in the queue, with its attempts so far.
type entry struct {
	job      Job
	attempts int
	seq      uint64
}

// push queues e behind everything already waiting at its priority. q.mu must be held.
func (q *Queue) push(e *entry) {
	q.seq++
	e.seq = q.seq
	heap.Push(&q.pending, e)
	q.cond.Signal()
}

// work is one worker: it runs the most urgent job waiting, one at a time, until the queue
// is closed and no job is left, waiting or running (a running job may come back as a
// retry).
func (q *Queue) work() {
	for {
		q.mu.Lock()
		for q.pending.Len() == 0 && !(q.closed && q.active == 0) {
			q.cond.Wait()
		}
		if q.pending.Len() == 0 {
			q.mu.Unlock()
			return
		}
		e := heap.Pop(&q.pending).(*entry)
		q.active++
		q.mu.Unlock()

		e.attempts++
		started, err := run(e.job)
		retry := err != nil && started && e.attempts < max(e.job.MaxAttempts, 1)

		q.mu.Lock()
		q.active--
		if retry {
			q.push(e)
		} else if q.active == 0 {
			q.cond.Broadcast() // Close may be waiting for the last job to finish
		}
		q.mu.Unlock()

		if !retry && q.report != nil {
			q.repMu.Lock()
			q.report(Result{ID: e.job.ID, Attempts: e.attempts, Err: err})
			q.repMu.Unlock()
		}
	}
}

// run runs one attempt of j and reports whether the program started and how it ended.
func run(j Job) (started bool, err error) {
	ctx := context.Background()
	if j.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, j.Timeout, ErrTimeout)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, j.Name, j.Args...)
	cmd.Stdout = j.Stdout
	// The job leads a process group of its own, which the processes it starts join. On
	// timeout, SIGKILL to -pgid stops all of them: killing the job alone (what Cancel does
	// by default) would leave its children running, holding its stdout open.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = killDelay

	if err := cmd.Start(); err != nil {
		return false, fmt.Errorf("jobqueue: job %q: %w", j.ID, err)
	}
	switch err := cmd.Wait(); {
	case err == nil:
		return true, nil
	case ctx.Err() != nil:
		return true, fmt.Errorf("jobqueue: job %q: %w after %v", j.ID, context.Cause(ctx), j.Timeout)
	default:
		return true, fmt.Errorf("jobqueue: job %q: %w", j.ID, err)
	}
}

// jobHeap orders entries by priority, highest first, then by seq, lowest first.
type jobHeap []*entry

func (h jobHeap) Len() int { return len(h) }
func (h jobHeap) Less(i, j int) bool {
	if h[i].job.Priority != h[j].job.Priority {
		return h[i].job.Priority > h[j].job.Priority
	}
	return h[i].seq < h[j].seq
}
func (h jobHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *jobHeap) Push(x any)   { *h = append(*h, x.(*entry)) }
func (h *jobHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
