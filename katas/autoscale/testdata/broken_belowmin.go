// Broken: stops every worker that stays idle for IdleTimeout, even when that leaves fewer than Min.
// Package autoscale runs tasks on a pool of worker processes that grows with the work
// waiting and shrinks when workers stay idle, between a minimum and a maximum. A worker reads
// one task per line on its stdin and answers each with one line on its stdout; it exits when
// its stdin is closed.
package autoscale

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// ErrClosed is wrapped by the error Do returns once Close has begun.
var ErrClosed = errors.New("pool closed")

// ErrWorkerDied is wrapped by the error Do returns when the worker running the task exited
// (or closed its stdout) before answering.
var ErrWorkerDied = errors.New("worker died")

// Config describes a pool.
type Config struct {
	Min int // workers kept running even when idle (0 or more); New starts them
	Max int // the most workers running at once (at least 1, and at least Min)

	// IdleTimeout is how long a worker may stay idle before the pool stops it, as long as
	// more than Min workers are running. It must be positive.
	IdleTimeout time.Duration

	Name string   // the worker program
	Args []string // its arguments

	// OnEvent, if not nil, is called each time a worker process starts and each time one
	// has stopped. Calls never overlap.
	OnEvent func(Event)
}

// EventKind says what happened to a worker.
type EventKind int

const (
	Started EventKind = iota + 1 // the worker process has started
	Stopped                      // the worker process has exited and been waited for
)

// Event reports that a worker process started or stopped.
type Event struct {
	Kind EventKind
	Pid  int // the worker's process id
}

// stopGrace is how long a worker may take to exit once its stdin is closed, before the pool
// kills it.
const stopGrace = 2 * time.Second

// Pool runs tasks on worker processes. Create it with New; its methods are safe for
// concurrent use.
type Pool struct {
	cfg Config

	mu      sync.Mutex
	idle    []*worker     // idle workers, the one idle for the shortest time last
	live    int           // workers running or starting, not counting those being stopped
	changed chan struct{} // closed and replaced when a worker goes idle or live drops
	closed  bool

	procs sync.WaitGroup // one count per worker process not yet waited for
	evMu  sync.Mutex     // one OnEvent call at a time
}

// worker is one worker process.
type worker struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader

	// idleSpell counts the times the worker went idle; the idle timer of an earlier
	// spell finds it changed and leaves the worker alone. Guarded by Pool.mu.
	idleSpell int
	timer     *time.Timer
}

// New checks cfg, starts cfg.Min workers and returns the pool. If a worker cannot start,
// New stops those already started and returns the error.
func New(cfg Config) (*Pool, error) {
	if cfg.Min < 0 || cfg.Max < 1 || cfg.Min > cfg.Max || cfg.IdleTimeout <= 0 {
		return nil, fmt.Errorf("autoscale: bad config: Min %d, Max %d, IdleTimeout %v: want 0 <= Min <= Max, 1 <= Max and IdleTimeout > 0", cfg.Min, cfg.Max, cfg.IdleTimeout)
	}
	p := &Pool{cfg: cfg, changed: make(chan struct{})}
	for range cfg.Min {
		w, err := p.start()
		if err != nil {
			p.Close()
			return nil, err
		}
		p.mu.Lock()
		p.live++
		p.release(w)
		p.mu.Unlock()
	}
	return p, nil
}

// Do runs task, one line of text, on an idle worker and returns the worker's one-line
// answer. When no worker is idle, Do starts a new one if fewer than Max are running, or
// else waits for one to be free. The idle worker used is the one idle for the shortest
// time, so that a light load keeps few workers busy and lets the others time out.
//
// If the worker dies before answering, Do returns an error wrapping ErrWorkerDied; the pool
// waits for that worker and, if fewer than Min are left, starts another. If ctx ends first,
// Do returns an error wrapping ctx.Err(), and the worker, if it had the task already, is
// killed and waited for, since nobody wants its answer. Once Close has begun, Do returns an
// error wrapping ErrClosed.
func (p *Pool) Do(ctx context.Context, task string) (string, error) {
	w, err := p.acquire(ctx)
	if err != nil {
		return "", fmt.Errorf("autoscale: task %q: %w", task, err)
	}
	answer, err := w.do(ctx, task)
	if err != nil {
		p.discard(w)
		return "", fmt.Errorf("autoscale: task %q: %w", task, err)
	}
	p.mu.Lock()
	p.release(w)
	p.mu.Unlock()
	return answer, nil
}

// Workers returns how many workers are running, idle or busy, not counting those being
// stopped.
func (p *Pool) Workers() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live
}

// Close stops the pool: Do calls that wait for a worker, and later ones, return ErrClosed.
// Idle workers are stopped at once and busy ones when their task is done: Close closes each
// worker's stdin and waits for it to exit, killing it if it still runs 2 seconds later.
// When Close returns, every worker process has been waited for. Calling Close again does
// the same.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.live -= len(idle)
	p.signal()
	p.mu.Unlock()
	for _, w := range idle {
		w.timer.Stop()
		go p.stop(w)
	}
	p.procs.Wait()
	return nil
}

// acquire returns an idle worker, or a new one if there is room, waiting if need be.
func (p *Pool) acquire(ctx context.Context) (*worker, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p.mu.Lock()
		if p.closed {
			p.mu.Unlock()
			return nil, ErrClosed
		}
		if n := len(p.idle); n > 0 {
			// The most recently idle one: last in, first out.
			w := p.idle[n-1]
			p.idle = p.idle[:n-1]
			w.idleSpell++ // its timer, if it fires now, must leave it alone
			w.timer.Stop()
			p.mu.Unlock()
			return w, nil
		}
		if p.live < p.cfg.Max {
			p.live++ // count it now, so that no other Do starts one past Max
			p.mu.Unlock()
			w, err := p.start()
			if err != nil {
				p.mu.Lock()
				p.live--
				p.signal()
				p.mu.Unlock()
				return nil, err
			}
			return w, nil
		}
		changed := p.changed
		p.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// release makes w idle, and arms its idle timer; if the pool is closing, it stops w
// instead. p.mu must be held.
func (p *Pool) release(w *worker) {
	if p.closed {
		p.live--
		go p.stop(w)
		return
	}
	p.idle = append(p.idle, w)
	w.idleSpell++
	spell := w.idleSpell
	w.timer = time.AfterFunc(p.cfg.IdleTimeout, func() { p.expire(w, spell) })
	p.signal()
}

// expire stops w, idle since its idle spell began, unless it has been used since, the pool
// is down to Min workers, or Close has taken it.
func (p *Pool) expire(w *worker, spell int) {
	p.mu.Lock()
	i := -1
	for j, v := range p.idle {
		if v == w {
			i = j
		}
	}
	if i < 0 || w.idleSpell != spell {
		p.mu.Unlock()
		return
	}
	p.idle = append(p.idle[:i], p.idle[i+1:]...)
	p.live--
	p.signal()
	p.mu.Unlock()
	p.stop(w)
}

// discard kills w, which died or holds an unwanted task, waits for it and, if the pool
// fell below Min, starts a replacement.
func (p *Pool) discard(w *worker) {
	w.cmd.Process.Kill()
	p.reap(w)
	p.mu.Lock()
	p.live--
	replace := !p.closed && p.live < p.cfg.Min
	if replace {
		p.live++
	}
	p.signal()
	p.mu.Unlock()
	if !replace {
		return
	}
	nw, err := p.start()
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.live-- // the next Do that needs a worker will try again
		p.signal()
		return
	}
	p.release(nw)
}

// signal wakes the Do calls waiting for a worker. p.mu must be held.
func (p *Pool) signal() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// start starts a worker process.
func (p *Pool) start() (*worker, error) {
	cmd := exec.Command(p.cfg.Name, p.cfg.Args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("autoscale: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("autoscale: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("autoscale: starting a worker: %w", err)
	}
	p.procs.Add(1)
	p.event(Event{Kind: Started, Pid: cmd.Process.Pid})
	return &worker{cmd: cmd, stdin: stdin, stdout: bufio.NewReader(stdout)}, nil
}

// stop closes w's stdin, which asks it to exit, and waits for it, killing it if it is still
// running after stopGrace.
func (p *Pool) stop(w *worker) {
	w.stdin.Close()
	timer := time.AfterFunc(stopGrace, func() { w.cmd.Process.Kill() })
	defer timer.Stop()
	p.reap(w)
}

// reap waits for w's process, which has been asked to exit, and reports it stopped. Without
// the Wait, the exited worker would stay in the process table as a zombie.
func (p *Pool) reap(w *worker) {
	w.cmd.Wait()
	p.event(Event{Kind: Stopped, Pid: w.cmd.Process.Pid})
	p.procs.Done()
}

func (p *Pool) event(e Event) {
	if p.cfg.OnEvent == nil {
		return
	}
	p.evMu.Lock()
	defer p.evMu.Unlock()
	p.cfg.OnEvent(e)
}

// do sends task to w and waits for its answer.
func (w *worker) do(ctx context.Context, task string) (string, error) {
	if _, err := io.WriteString(w.stdin, task+"\n"); err != nil {
		return "", ErrWorkerDied // EPIPE: nobody reads its stdin any more
	}
	type line struct {
		text string
		err  error
	}
	answer := make(chan line, 1)
	go func() {
		text, err := w.stdout.ReadString('\n')
		answer <- line{text, err}
	}()
	select {
	case l := <-answer:
		if l.err != nil {
			return "", ErrWorkerDied
		}
		return strings.TrimSuffix(l.text, "\n"), nil
	case <-ctx.Done():
		// The caller kills w, which ends the read.
		return "", ctx.Err()
	}
}
