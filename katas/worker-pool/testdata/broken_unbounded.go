// Broken: hands jobs to the workers in turn without waiting for one to be free, so any number of jobs are in flight at once.
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

	mu       sync.Mutex
	workers  []*worker
	next     int  // the worker that gets the next job: round robin
	closed   bool // Close has begun
	inflight sync.WaitGroup
	nextID   atomic.Uint64

	closeOnce sync.Once
	closeErr  error
}

// New starts n workers, each running the program name with args, and returns the pool.
// If a worker cannot start, New stops those already started and returns the error.
func New(n int, name string, args ...string) (*Pool, error) {
	if n < 1 {
		return nil, fmt.Errorf("workerpool: %d workers: want at least 1", n)
	}
	p := &Pool{name: name, args: args, n: n}
	for range n {
		w, err := p.start()
		if err != nil {
			p.Close()
			return nil, err
		}
		p.workers = append(p.workers, w)
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
		// Workers answer by id, so each can take any number of jobs: hand them out in
		// turn.
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return "", fmt.Errorf("workerpool: job %q: %w", job, ErrClosed)
		}
		i := p.next % p.n
		p.next++
		w := p.workers[i]
		p.inflight.Add(1)
		p.mu.Unlock()

		a, err := w.do(ctx, p.nextID.Add(1), job)
		switch {
		case err == nil && a.Error != "":
			p.inflight.Done()
			return "", &JobError{Job: job, Msg: a.Error}
		case err == nil:
			p.inflight.Done()
			return a.Result, nil
		case ctx.Err() != nil:
			p.inflight.Done()
			return "", fmt.Errorf("workerpool: job %q: %w", job, ctx.Err())
		}

		// The worker died: reap it, and start a new one in its place.
		p.mu.Lock()
		if p.workers[i] == w {
			w.kill()
			if nw, err := p.start(); err == nil {
				p.workers[i] = nw
			}
		}
		p.mu.Unlock()
		p.inflight.Done()
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
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		p.inflight.Wait()
		var errs []error
		for _, w := range p.workers {
			errs = append(errs, w.stop())
		}
		p.closeErr = errors.Join(errs...)
	})
	return p.closeErr
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
	cmd   *exec.Cmd
	stdin io.WriteCloser
	dead  chan struct{} // closed when the worker's stdout ends

	mu      sync.Mutex
	pending map[uint64]chan answer // jobs sent and not answered yet, by id
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
	w := &worker{
		cmd:     cmd,
		stdin:   stdin,
		dead:    make(chan struct{}),
		pending: map[uint64]chan answer{},
	}
	go w.read(stdout)
	return w, nil
}

// read hands each answer of the worker to the job waiting for it.
func (w *worker) read(stdout io.Reader) {
	defer close(w.dead)
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, maxLine)
	for sc.Scan() {
		var a answer
		if json.Unmarshal(sc.Bytes(), &a) != nil {
			continue
		}
		w.mu.Lock()
		ch := w.pending[a.ID]
		delete(w.pending, a.ID)
		w.mu.Unlock()
		if ch != nil {
			ch <- a
		}
	}
}

// do sends job to w under id and waits for the answer with that id.
func (w *worker) do(ctx context.Context, id uint64, job string) (answer, error) {
	ch := make(chan answer, 1)
	w.mu.Lock()
	w.pending[id] = ch
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.pending, id)
		w.mu.Unlock()
	}()

	line, err := json.Marshal(request{ID: id, Job: job})
	if err != nil {
		return answer{}, err
	}
	w.mu.Lock()
	_, err = w.stdin.Write(append(line, '\n'))
	w.mu.Unlock()
	if err != nil {
		return answer{}, errDied
	}
	select {
	case a := <-ch:
		return a, nil
	case <-w.dead:
		return answer{}, errDied
	case <-ctx.Done():
		return answer{}, ctx.Err()
	}
}

// kill ends w at once and reaps it.
func (w *worker) kill() {
	w.cmd.Process.Kill()
	w.cmd.Wait()
}

// stop closes w's stdin, which asks it to exit, and waits for it, killing it if it is
// still running after stopGrace.
func (w *worker) stop() error {
	w.stdin.Close()
	timer := time.AfterFunc(stopGrace, func() { w.cmd.Process.Kill() })
	defer timer.Stop()
	err := w.cmd.Wait()
	if err != nil {
		return fmt.Errorf("workerpool: worker %d: %w", w.cmd.Process.Pid, err)
	}
	return nil
}
