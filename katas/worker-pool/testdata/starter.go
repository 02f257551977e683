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
	"context"
	"errors"
	"fmt"
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

// Pool is a set of worker processes. Create it with New; its methods are safe for
// concurrent use.
type Pool struct {
	// TODO: the workers, which of them are idle, whether the pool is closing...
}

// New starts n workers, each running the program name with args, and returns the pool.
// If a worker cannot start, New stops those already started and returns the error.
func New(n int, name string, args ...string) (*Pool, error) {
	// TODO: start n workers (exec.Command with StdinPipe and StdoutPipe) and a goroutine
	// per worker that reads its answers.
	return nil, errors.New("workerpool: not implemented")
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
	// TODO: take an idle worker, send {"id":...,"job":...}, wait for the answer with that
	// id; on a crash replace the worker and retry once.
	return "", errors.New("workerpool: not implemented")
}

// Close stops the pool. Submit calls that have not got a worker yet return ErrClosed; jobs
// already running finish. Then Close closes each worker's stdin and waits for it to exit,
// killing any worker still running 2 seconds later. When Close returns, no worker process
// is left. Close returns the exit errors (*exec.ExitError) of the workers it stopped, if
// any, joined; a worker that crashed during a job was Submit's to reap and replace, and is
// not reported. Calling Close again returns the same.
func (p *Pool) Close() error {
	// TODO: refuse new jobs, wait for the jobs in flight, close each worker's stdin and
	// wait for every worker to exit.
	return errors.New("workerpool: not implemented")
}
