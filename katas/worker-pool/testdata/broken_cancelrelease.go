// Broken: when ctx ends during a job, gives the worker back to the pool although it is still running the abandoned job.
// Package workerpool keeps a fixed number of long-lived worker processes busy with jobs. It
// talks to each worker in JSON lines over its stdin and stdout, the way Node's fork() pools
// use process.send:
//
//	pool to worker (stdin):   {"id":7,"job":"resize a.png"}
//	worker to pool (stdout):  {"id":7,"result":"a-small.png"}  or  {"id":7,"error":"no such file"}
//
// A worker may also write lines that answer no job, such as {"id":0,"status":"ready"} when it
// starts; the pool matches every answer to its job by id and ignores the rest. A worker
// exits when its stdin is closed.
package workerpool

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is wrapped by the error Submit returns once Close has begun.
var ErrClosed = errors.New("pool closed")

// ErrWorkerCrashed is wrapped by the error Submit returns when a job's worker died before
// answering, twice.
var ErrWorkerCrashed = errors.New("worker crashed")

// JobError is a failure that a worker reported for a job, with {"error": "..."}.
type JobError struct {
	Job string // the job, as given to Submit
	Msg string // the worker's message
}

func (e *JobError) Error() string {
	return fmt.Sprintf("workerpool: job %q failed: %s", e.Job, e.Msg)
}

// stopGrace is how long Close waits for a worker to exit once its stdin is closed, before
// it kills it.
const stopGrace = 2 * time.Second

// maxLine is the longest line a worker may write.
const maxLine = 1 << 20

// Pool is a set of worker processes. Create it with New; its methods are safe for
// concurrent use.
type Pool struct {
	name string
	args []string
	n    int

	// slots holds one entry per worker that is not running a job: the worker, or nil
	// when its process has to be started again. A Submit takes a slot out for the
	// duration of its job, so at most n jobs are ever in flight.
	slots   chan *worker
	closing chan struct{} // closed when Close begins
	nextID  atomic.Uint64 // the last job id used; 0 is never a job's

	closeOnce sync.Once
	closeErr  error
}

// New starts n workers, each running the program name with args, and returns the pool.
// If a worker cannot start, New stops those already started and returns the error.
func New(n int, name string, args ...string) (*Pool, error) {
	if n < 1 {
		return nil, fmt.Errorf("workerpool: %d workers: want at least 1", n)
	}
	p := &Pool{
		name:    name,
		args:    args,
		n:       n,
		slots:   make(chan *worker, n),
		closing: make(chan struct{}),
	}
	for i := range n {
		w, err := p.start()
		if err != nil {
			for range n - i {
				p.slots <- nil
			}
			p.Close()
			return nil, err
		}
		p.slots <- w
	}
	return p, nil
}

// Submit sends job to an idle worker, waiting for one if all are busy, and returns the
// worker's result. Each worker has at most one job at a time, so at most n jobs are in
// flight.
//
// If the worker dies before answering, the pool reaps it, starts a new worker in its
// place and sends the job once more; if that worker dies too, Submit returns an error
// wrapping ErrWorkerCrashed. A failure the worker reports gives a *JobError, and is not
// retried.
//
// If ctx ends first, Submit returns an error wrapping ctx.Err() at once; if the job was
// already sent, its worker is killed and replaced, since nobody wants its answer.
//
// Once Close has begun, Submit returns an error wrapping ErrClosed instead of sending the
// job (or sending it again).
func (p *Pool) Submit(ctx context.Context, job string) (string, error) {
	for attempt := 1; ; attempt++ {
		w, err := p.acquire(ctx)
		if err != nil {
			return "", fmt.Errorf("workerpool: job %q: %w", job, err)
		}
		a, err := w.do(ctx, p.nextID.Add(1), job)
		if err == nil {
			p.slots <- w
			if a.Error != "" {
				return "", &JobError{Job: job, Msg: a.Error}
			}
			return a.Result, nil
		}

		if ctx.Err() != nil {
			// The caller gave up: the worker is fine, give it back.
			p.slots <- w
			return "", fmt.Errorf("workerpool: job %q: %w", job, ctx.Err())
		}
		// The worker died: reap it and put a new one in its slot.
		w.kill()
		p.slots <- p.replacement()
		if attempt == 2 {
			return "", fmt.Errorf("workerpool: job %q: %w, twice", job, ErrWorkerCrashed)
		}
	}
}

// Close stops the pool. Submit calls that have not got a worker yet return ErrClosed; jobs
// already running finish. Then Close closes each worker's stdin and waits for it to exit,
// killing any worker still running 2 seconds later. When Close returns, no worker process
// is left. Close returns the exit errors (*exec.ExitError) of the workers it stopped, if
// any, joined; a worker that crashed during a job was Submit's to reap and replace, and is
// not reported. Calling Close again returns the same.
func (p *Pool) Close() error {
	p.closeOnce.Do(func() {
		close(p.closing)
		var wg sync.WaitGroup
		errs := make([]error, p.n)
		for i := range p.n {
			// A slot comes back when the job on it, if any, is done.
			w := <-p.slots
			if w != nil {
				wg.Go(func() { errs[i] = w.stop() })
			}
		}
		wg.Wait()
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
}

// acquire takes a slot and returns its worker, started if need be.
func (p *Pool) acquire(ctx context.Context) (*worker, error) {
	select {
	case <-p.closing:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	case w := <-p.slots:
		select {
		case <-p.closing:
			// Close began meanwhile, and waits for this slot.
			p.slots <- w
			return nil, ErrClosed
		default:
		}
		if err := ctx.Err(); err != nil {
			// select picks at random among ready cases: ctx may have ended already.
			p.slots <- w
			return nil, err
		}
		if w == nil {
			var err error
			if w, err = p.start(); err != nil {
				p.slots <- nil
				return nil, err
			}
		}
		return w, nil
	}
}

// replacement returns a new worker for a slot, or nil if the pool is closing or the
// worker cannot start now (acquire will try again).
func (p *Pool) replacement() *worker {
	select {
	case <-p.closing:
		return nil
	default:
	}
	w, err := p.start()
	if err != nil {
		return nil
	}
	return w
}

// request and answer are the lines of the protocol.
type request struct {
	ID  uint64 `json:"id"`
	Job string `json:"job"`
}

type answer struct {
	ID     uint64 `json:"id"`
	Result string `json:"result"`
	Error  string `json:"error"`
}

// worker is one worker process.
type worker struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	answers chan answer   // the worker's lines, decoded; closed when its stdout ends
	reaped  chan struct{} // closed once the process has been waited for
}

// errDied reports a worker that exited, or closed its stdout, before answering.
var errDied = errors.New("worker died")

// start starts a worker process and the goroutine that reads its answers.
func (p *Pool) start() (*worker, error) {
	cmd := exec.Command(p.name, p.args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("workerpool: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("workerpool: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("workerpool: starting a worker: %w", err)
	}
	w := &worker{cmd: cmd, stdin: stdin, answers: make(chan answer), reaped: make(chan struct{})}
	go w.read(stdout)
	return w, nil
}

// read decodes the worker's stdout, line by line, into w.answers.
func (w *worker) read(stdout io.Reader) {
	defer close(w.answers)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, maxLine)
	for sc.Scan() {
		var a answer
		if json.Unmarshal(sc.Bytes(), &a) != nil {
			continue // not a protocol line
		}
		select {
		case w.answers <- a:
		case <-w.reaped:
			return
		}
	}
}

// do sends job to w under id and waits for the answer with that id.
func (w *worker) do(ctx context.Context, id uint64, job string) (answer, error) {
	line, err := json.Marshal(request{ID: id, Job: job})
	if err != nil {
		return answer{}, err
	}
	if _, err := w.stdin.Write(append(line, '\n')); err != nil {
		return answer{}, errDied // EPIPE: nobody reads its stdin any more
	}
	for {
		select {
		case a, ok := <-w.answers:
			if !ok {
				return answer{}, errDied
			}
			if a.ID == id {
				return a, nil
			}
			// A status line, or an answer to another id: not ours.
		case <-ctx.Done():
			return answer{}, ctx.Err()
		}
	}
}

// kill ends w at once and reaps it.
func (w *worker) kill() {
	w.cmd.Process.Kill()
	w.cmd.Wait()
	close(w.reaped)
}

// stop closes w's stdin, which asks it to exit, and waits for it, killing it if it is
// still running after stopGrace.
func (w *worker) stop() error {
	w.stdin.Close()
	timer := time.AfterFunc(stopGrace, func() { w.cmd.Process.Kill() })
	defer timer.Stop()
	err := w.cmd.Wait()
	close(w.reaped)
	if err != nil {
		return fmt.Errorf("workerpool: worker %d: %w", w.cmd.Process.Pid, err)
	}
	return nil
}
