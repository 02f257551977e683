// Package taskrunner spreads prioritised tasks over a fixed set of long-lived worker
// processes, survives workers that crash by giving their task to another one, and keeps
// metrics that can be read at any time.
//
// A worker reads one task per line on its stdin and answers each with one line on its
// stdout: "ok TEXT" for a result, or "error TEXT" for a failure of the task. It exits when
// its stdin is closed.
package taskrunner

import (
	"bufio"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"sync"
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

// stopGrace is how long Close waits for a worker to exit once its stdin is closed, before
// it kills it.
const stopGrace = 5 * time.Second

// Runner runs tasks on worker processes. Create it with Start; its methods are safe for
// concurrent use.
type Runner struct {
	cfg Config

	mu      sync.Mutex
	cond    *sync.Cond // signalled when the queue grows, or Close changes things
	queue   taskHeap
	seq     uint64
	m       Metrics
	workers []*worker     // each slot's current process, nil while it has none
	closing bool          // Close has begun: no more Submit
	killed  bool          // Close's ctx ended: abandon every task
	abort   chan struct{} // closed when killed is set: stop kills at once
	slots   sync.WaitGroup
}

// Start starts cfg.Workers worker processes and returns the runner. If one cannot start,
// Start stops the others and returns the error.
func Start(cfg Config) (*Runner, error) {
	if cfg.Workers < 1 {
		return nil, fmt.Errorf("taskrunner: %d workers: want at least 1", cfg.Workers)
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	r := &Runner{cfg: cfg, workers: make([]*worker, cfg.Workers), abort: make(chan struct{})}
	r.cond = sync.NewCond(&r.mu)
	r.m.Workers = make([]WorkerMetrics, cfg.Workers)
	for i := range cfg.Workers {
		w, err := r.startWorker()
		if err != nil {
			for _, w := range r.workers[:i] {
				w.stop(nil)
			}
			return nil, err
		}
		r.workers[i] = w
		r.m.Workers[i].Pid = w.pid()
	}
	for i := range cfg.Workers {
		r.slots.Go(func() { r.serve(i) })
	}
	return r, nil
}

// Submit queues t and returns a channel that receives its Result once the task is done. It
// returns ErrClosed once Close has begun.
//
// Tasks run by priority. If a worker dies while running a task, a new worker process takes
// its slot, and the task goes back to the queue in the place it had, to run on the next
// free worker, unless it has had MaxAttempts attempts: then it fails with ErrCrashed. A
// failure the worker reports ("error TEXT") is a *TaskError, and is not retried.
func (r *Runner) Submit(t Task) (<-chan Result, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closing {
		return nil, fmt.Errorf("taskrunner: submitting task %q: %w", t.ID, ErrClosed)
	}
	r.seq++
	e := &entry{task: t, seq: r.seq, result: make(chan Result, 1)}
	heap.Push(&r.queue, e)
	r.m.Queued++
	r.cond.Signal()
	return e.result, nil
}

// Metrics returns a snapshot of the runner's counters. A task counts as Done or Failed only
// once it has finished for good; an attempt that crashed counts as a Crash and a Retry, or
// else leads to the task's failure.
func (r *Runner) Metrics() Metrics {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.m
	m.Workers = slices.Clone(r.m.Workers)
	return m
}

// Close stops taking tasks, waits for every task submitted to finish, then closes each
// worker's stdin and waits for it to exit.
//
// If ctx ends first, Close kills the worker processes and waits for them; the tasks that
// were running or waiting end with an error wrapping ErrClosed (a worker killed this way is
// not a crash), and Close returns an error wrapping ctx.Err(). When Close returns, no worker
// process is left.
func (r *Runner) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closing = true
	r.cond.Broadcast()
	r.mu.Unlock()

	done := make(chan struct{})
	go func() {
		r.slots.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}

	r.mu.Lock()
	if !r.killed {
		r.killed = true
		close(r.abort) // workers already being stopped are killed too
	}
	for r.queue.Len() > 0 {
		e := heap.Pop(&r.queue).(*entry)
		r.m.Queued--
		e.result <- Result{ID: e.task.ID, Attempts: e.attempts, Worker: -1,
			Err: fmt.Errorf("taskrunner: task %q: %w before it could run", e.task.ID, ErrClosed)}
	}
	for _, w := range r.workers {
		if w != nil {
			w.cmd.Process.Kill() // its slot sees it die, and waits for it
		}
	}
	r.cond.Broadcast()
	r.mu.Unlock()
	<-done
	return fmt.Errorf("taskrunner: close: %w", ctx.Err())
}

// serve runs tasks in slot i until the runner is closed and no task is left, waiting or
// running (a running one may come back after a crash), then stops the slot's worker.
func (r *Runner) serve(i int) {
	for {
		r.mu.Lock()
		for r.queue.Len() == 0 && !(r.closing && r.m.Running == 0) && !r.killed {
			r.cond.Wait()
		}
		if r.killed || r.queue.Len() == 0 {
			w := r.workers[i]
			r.workers[i] = nil
			r.m.Workers[i].Pid = 0
			r.mu.Unlock()
			if w != nil {
				w.stop(r.abort)
			}
			return
		}
		e := heap.Pop(&r.queue).(*entry)
		r.m.Queued--
		r.m.Running++
		w := r.workers[i]
		r.mu.Unlock()

		if w == nil {
			// The slot's last worker crashed, and no other could start then: try now.
			var err error
			if w, err = r.startWorker(); err == nil && !r.install(i, w) {
				w.stop(r.abort)
				err = fmt.Errorf("taskrunner: task %q: %w before it could run", e.task.ID, ErrClosed)
			}
			if err != nil {
				r.mu.Lock()
				r.m.Running--
				r.finish(i, e, Result{Err: err})
				r.mu.Unlock()
				continue
			}
		}

		e.attempts++
		begin := time.Now()
		output, failure, err := w.do(e.task.Payload)
		took := time.Since(begin)

		r.mu.Lock()
		r.m.Running--
		r.m.Workers[i].Busy += took
		if err == nil {
			res := Result{Output: output, Duration: took}
			if failure != "" {
				res.Err = &TaskError{ID: e.task.ID, Msg: failure}
			}
			r.finish(i, e, res)
			r.mu.Unlock()
			continue
		}

		// The worker died. Take it out of its slot before reaping it.
		r.workers[i] = nil
		r.m.Workers[i].Pid = 0
		switch {
		case r.killed:
			r.finish(i, e, Result{Duration: took, Err: fmt.Errorf("taskrunner: task %q: %w while it ran", e.task.ID, ErrClosed)})
		case e.attempts < r.cfg.MaxAttempts:
			r.m.Crashes++
			r.m.Workers[i].Crashes++
			r.m.Retries++
			r.m.Queued++
			heap.Push(&r.queue, e) // its seq is unchanged: it keeps its place
			r.cond.Signal()
		default:
			r.m.Crashes++
			r.m.Workers[i].Crashes++
			r.finish(i, e, Result{Duration: took, Err: fmt.Errorf("taskrunner: task %q: %w, %d times", e.task.ID, ErrCrashed, e.attempts)})
		}
		killed := r.killed
		r.mu.Unlock()

		w.reap()
		if killed {
			continue
		}
		// A new process for the slot; if it cannot start, the next task here tries again.
		if nw, err := r.startWorker(); err == nil && !r.install(i, nw) {
			nw.stop(r.abort)
		}
	}
}

// install makes w the worker of slot i, and reports true, unless Close is killing the
// workers: then w must be stopped.
func (r *Runner) install(i int, w *worker) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.killed {
		return false
	}
	r.workers[i] = w
	r.m.Workers[i].Pid = w.pid()
	return true
}

// finish counts e as done or failed in slot i and sends its Result, completed with what
// the entry knows. r.mu must be held. The counters change before the Result is sent, so
// that whoever receives it sees them already.
func (r *Runner) finish(i int, e *entry, res Result) {
	res.ID, res.Attempts, res.Worker = e.task.ID, e.attempts, i
	if res.Err == nil {
		r.m.Done++
		r.m.Workers[i].Done++
	} else {
		r.m.Failed++
		r.m.Workers[i].Failed++
	}
	if r.closing && r.m.Running == 0 {
		r.cond.Broadcast() // idle slots may be waiting for the last task to finish
	}
	e.result <- res
}

// entry is a task in the queue.
type entry struct {
	task     Task
	seq      uint64
	attempts int
	result   chan Result // buffered: finish never blocks
}

// taskHeap orders entries by priority, highest first, then by seq, lowest first.
type taskHeap []*entry

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if h[i].task.Priority != h[j].task.Priority {
		return h[i].task.Priority > h[j].task.Priority
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(*entry)) }
func (h *taskHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}

// worker is one worker process.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
}

// errDied reports a worker that exited, or closed its stdout, before answering.
var errDied = errors.New("worker died")

func (r *Runner) startWorker() (*worker, error) {
	cmd := exec.Command(r.cfg.Name, r.cfg.Args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("taskrunner: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("taskrunner: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("taskrunner: starting a worker: %w", err)
	}
	return &worker{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout)}, nil
}

func (w *worker) pid() int { return w.cmd.Process.Pid }

// do sends payload to w and returns its answer: the TEXT of "ok TEXT", or of "error TEXT"
// as failure. err is errDied if w died before answering.
func (w *worker) do(payload string) (output, failure string, err error) {
	if _, err := io.WriteString(w.stdin, payload+"\n"); err != nil {
		return "", "", errDied // EPIPE: nobody reads its stdin any more
	}
	line, err := w.stdout.ReadString('\n')
	if err != nil {
		return "", "", errDied
	}
	line = strings.TrimSuffix(line, "\n")
	if text, ok := strings.CutPrefix(line, "ok "); ok {
		return text, "", nil
	}
	if text, ok := strings.CutPrefix(line, "error "); ok {
		return "", text, nil
	}
	return "", fmt.Sprintf("unexpected answer %q", line), nil
}

// reap waits for w, which has died or been killed.
func (w *worker) reap() {
	w.cmd.Process.Kill() // in case it only closed its stdout
	w.cmd.Wait()
}

// stop closes w's stdin, which asks it to exit, and waits for it, killing it if it is
// still running after stopGrace, or as soon as abort is closed (nil: never).
func (w *worker) stop(abort <-chan struct{}) {
	w.stdin.Close()
	exited := make(chan struct{})
	go func() {
		w.cmd.Wait()
		close(exited)
	}()
	grace := time.NewTimer(stopGrace)
	defer grace.Stop()
	select {
	case <-exited:
		return
	case <-grace.C:
	case <-abort:
	}
	w.cmd.Process.Kill()
	<-exited
}
