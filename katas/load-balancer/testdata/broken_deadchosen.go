// Broken: keeps a worker that has exited in the rotation: with nothing in flight it looks the least busy, so it draws every new request and fails it.
// Package loadbalance spreads requests over a set of worker processes that speak JSON lines,
// sending each request to the least busy worker: the one with the fewest requests in
// flight.
package loadbalance

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"sync"
	"time"
)

// ErrWorkerExited is wrapped by the error of a request whose worker exited before it
// answered.
var ErrWorkerExited = errors.New("loadbalance: worker exited")

// ErrNoWorkers is returned by Do when every worker has exited.
var ErrNoWorkers = errors.New("loadbalance: no worker left")

// ErrClosed is returned by Do after Close, and by the requests Close cut short.
var ErrClosed = errors.New("loadbalance: balancer closed")

// WorkerError is a worker's answer that reports a failure: a line with an "error" field.
type WorkerError struct {
	Worker  int    // the worker's index
	Message string // the "error" field
}

func (e *WorkerError) Error() string {
	return fmt.Sprintf("loadbalance: worker %d: %s", e.Worker, e.Message)
}

// request is the line sent to a worker; reply is the line a worker sends back.
type request struct {
	ID   uint64          `json:"id"`
	Body json.RawMessage `json:"body"`
}

type reply struct {
	ID     uint64          `json:"id"`
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
}

// outcome is what a Do call waiting on a request receives.
type outcome struct {
	result json.RawMessage
	err    error
}

// worker is one worker process.
type worker struct {
	index   int
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	writeMu sync.Mutex    // one request line at a time on stdin
	done    chan struct{} // closed once the worker has exited and been reaped

	// Guarded by Balancer.mu.
	inFlight int
	pending  map[uint64]chan outcome // requests sent and not answered, by id
	exited   bool
}

// Balancer dispatches requests to worker processes. Create it with New; it is safe for use
// by many goroutines at once.
type Balancer struct {
	workers []*worker

	mu     sync.Mutex
	nextID uint64
	closed bool
}

// New starts the workers, one per command, in order: the worker started from cmds[i] has
// index i. It sets each command's Stdin and Stdout (pipes carrying the JSON lines) and
// leaves Stderr as it is. If a worker cannot start, New stops those already started and
// returns the error.
//
// The protocol: for each request, the balancer writes one line {"id": N, "body": BODY} to
// the worker's stdin, where N is a number unique to the request; the worker may answer
// requests in any order, each with one line on stdout, {"id": N, "result": RESULT} or
// {"id": N, "error": "MESSAGE"}. A worker exits when its stdin is closed.
func New(cmds ...*exec.Cmd) (*Balancer, error) {
	b := &Balancer{}
	for i, cmd := range cmds {
		w := &worker{index: i, cmd: cmd, done: make(chan struct{}), pending: make(map[uint64]chan outcome)}
		stdin, err := cmd.StdinPipe()
		if err == nil {
			w.stdin = stdin
			var stdout io.ReadCloser
			if stdout, err = cmd.StdoutPipe(); err == nil {
				if err = cmd.Start(); err == nil {
					b.workers = append(b.workers, w)
					go b.read(w, stdout)
					continue
				}
			}
		}
		b.Close()
		return nil, fmt.Errorf("loadbalance: starting worker %d: %w", i, err)
	}
	return b, nil
}

// Do sends req, encoded as JSON, to the least busy worker: the one with the fewest requests
// in flight, the lowest index among equals, never one that has exited. It waits for the
// answer and returns its result. A request is in flight from the moment Do chooses its
// worker until the worker answers it, with a result or an error, or exits.
//
// The error wraps ErrWorkerExited if the worker exited first, is a *WorkerError if the
// worker answered with an error, and wraps ctx.Err() if ctx ended first: the request then
// stays in flight until the worker answers, as the worker is still busy with it.
func (b *Balancer) Do(ctx context.Context, req any) (json.RawMessage, error) {
	body, err := json.Marshal(req)
	if err != nil {
		return nil, fmt.Errorf("loadbalance: %w", err)
	}

	// Choose the worker and count the request under one lock, so that two concurrent
	// calls cannot both pick the same idle worker on a stale count.
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil, ErrClosed
	}
	w := b.leastBusy()
	if w == nil {
		b.mu.Unlock()
		return nil, ErrNoWorkers
	}
	b.nextID++
	id := b.nextID
	ch := make(chan outcome, 1)
	w.pending[id] = ch
	w.inFlight++
	b.mu.Unlock()

	line, err := json.Marshal(request{ID: id, Body: body})
	if err == nil {
		w.writeMu.Lock()
		_, err = w.stdin.Write(append(line, '\n'))
		w.writeMu.Unlock()
	}
	if err != nil {
		// The request never reached the worker: it is not in flight any more.
		b.answer(w, id, outcome{err: fmt.Errorf("loadbalance: worker %d: sending: %w", w.index, err)})
	}

	select {
	case o := <-ch:
		return o.result, o.err
	case <-ctx.Done():
		return nil, fmt.Errorf("loadbalance: worker %d: %w", w.index, ctx.Err())
	}
}

// leastBusy returns the live worker with the fewest requests in flight, the first one
// among equals, or nil. b.mu must be held.
func (b *Balancer) leastBusy() *worker {
	var best *worker
	for _, w := range b.workers {
		if !w.exited && (best == nil || w.inFlight < best.inFlight) {
			best = w
		}
	}
	return best
}

// answer ends request id on worker w with o, if it is still pending: the request leaves the
// worker's count, whatever the outcome.
func (b *Balancer) answer(w *worker, id uint64, o outcome) {
	b.mu.Lock()
	ch, ok := w.pending[id]
	if ok {
		delete(w.pending, id)
		w.inFlight--
	}
	b.mu.Unlock()
	if ok {
		ch <- o // buffered: never blocks, even if Do has given up
	}
}

// read reads w's answers until its stdout ends, then reaps w and fails the requests it
// left unanswered.
func (b *Balancer) read(w *worker, stdout io.Reader) {
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var r reply
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			continue // not an answer: ignore the line rather than lose the worker
		}
		o := outcome{result: r.Result}
		if r.Error != "" {
			o = outcome{err: &WorkerError{Worker: w.index, Message: r.Error}}
		}
		b.answer(w, r.ID, o)
	}

	// Stdout has ended: the worker has exited or is about to. Reap it, then take it out of
	// the rotation and fail what it still held.
	werr := w.cmd.Wait()
	b.mu.Lock()
	closed := b.closed
	pending := w.pending
	w.pending = make(map[uint64]chan outcome)
	w.inFlight = 0
	b.mu.Unlock()
	for _, ch := range pending {
		err := fmt.Errorf("%w: worker %d (%v)", ErrWorkerExited, w.index, werr)
		if closed {
			err = fmt.Errorf("%w: %w", ErrClosed, err)
		}
		ch <- outcome{err: err}
	}
	close(w.done)
}

// InFlight returns how many requests each worker has in flight, by index; a worker that
// has exited has none.
func (b *Balancer) InFlight() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := make([]int, len(b.workers))
	for i, w := range b.workers {
		n[i] = w.inFlight
	}
	return n
}

// Close stops the balancer: Do returns ErrClosed from now on, the workers' stdin is closed
// so that they exit, and Close waits for them. A worker still running 2 seconds later is
// killed. Requests still in flight fail with an error wrapping ErrClosed.
func (b *Balancer) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	for _, w := range b.workers {
		// Safe while a Do call is writing: that write fails, and Do reports it.
		w.stdin.Close()
	}
	allDone := make(chan struct{})
	go func() {
		for _, w := range b.workers {
			<-w.done
		}
		close(allDone)
	}()
	select {
	case <-allDone:
	case <-time.After(2 * time.Second):
		// Time is up: kill the workers still running, then wait for them all.
		for _, w := range b.workers {
			select {
			case <-w.done:
			default:
				w.cmd.Process.Kill()
			}
		}
		<-allDone
	}
	return nil
}
