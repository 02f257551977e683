// Package autoscale runs tasks on a pool of worker processes that grows with the work
// waiting and shrinks when workers stay idle, between a minimum and a maximum. A worker reads
// one task per line on its stdin and answers each with one line on its stdout; it exits when
// its stdin is closed.
package autoscale

import (
	"context"
	"errors"
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

// Pool runs tasks on worker processes. Create it with New; its methods are safe for
// concurrent use.
type Pool struct {
	// TODO: the idle workers, how many are running, whether the pool is closing...
}

// New checks cfg, starts cfg.Min workers and returns the pool. If a worker cannot start,
// New stops those already started and returns the error.
func New(cfg Config) (*Pool, error) {
	// TODO: check cfg, start Min workers (StdinPipe, StdoutPipe, Start) and mark them idle.
	return nil, errors.New("autoscale: not implemented")
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
	// TODO: take the most recently idle worker, or start one below Max, or wait; send the
	// task, read the answer, and make the worker idle again with a timer that stops it.
	return "", errors.New("autoscale: not implemented")
}

// Workers returns how many workers are running, idle or busy, not counting those being
// stopped.
func (p *Pool) Workers() int {
	// TODO
	return 0
}

// Close stops the pool: Do calls that wait for a worker, and later ones, return ErrClosed.
// Idle workers are stopped at once and busy ones when their task is done: Close closes each
// worker's stdin and waits for it to exit, killing it if it still runs 2 seconds later.
// When Close returns, every worker process has been waited for. Calling Close again does
// the same.
func (p *Pool) Close() error {
	// TODO: refuse new tasks, stop the idle workers, and wait for every worker to exit.
	return errors.New("autoscale: not implemented")
}
