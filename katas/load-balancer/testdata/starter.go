// Package loadbalance spreads requests over a set of worker processes that speak JSON lines,
// sending each request to the least busy worker: the one with the fewest requests in
// flight.
package loadbalance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
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

// Balancer dispatches requests to worker processes. Create it with New; it is safe for use
// by many goroutines at once.
type Balancer struct {
	// TODO: the workers, each with its process, its stdin, the requests it has in flight
	// (by id, to match the answers), and a mutex to choose and count under.
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
	// TODO: for each command, set up pipes for stdin and stdout, start it, and read its
	// answers in a goroutine.
	return nil, errors.New("loadbalance: not implemented")
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
	// TODO: under a lock, choose the least busy live worker and count the request; send it
	// as a line; wait for the answer with the same id, or for ctx.
	return nil, errors.New("loadbalance: not implemented")
}

// InFlight returns how many requests each worker has in flight, by index; a worker that
// has exited has none.
func (b *Balancer) InFlight() []int {
	// TODO
	return nil
}

// Close stops the balancer: Do returns ErrClosed from now on, the workers' stdin is closed
// so that they exit, and Close waits for them. A worker still running 2 seconds later is
// killed. Requests still in flight fail with an error wrapping ErrClosed.
func (b *Balancer) Close() error {
	// TODO: close the workers' stdin and wait for them; kill those still running after 5s.
	return errors.New("loadbalance: not implemented")
}
