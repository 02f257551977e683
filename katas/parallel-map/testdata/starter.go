// Package parallelmap spreads CPU-bound work over several worker processes and gathers the
// answers in order.
package parallelmap

import (
	"context"
	"errors"
	"fmt"
)

// Result is the answer for one input.
type Result struct {
	Value int // what the worker computed for the input
	PID   int // the worker process that computed it
}

// WorkerError reports a worker that failed, and the input it failed on.
type WorkerError struct {
	Index int   // the first of the worker's inputs it did not answer (its first input if it answered all)
	Err   error // why: the worker's *exec.ExitError, ErrMissing, or an error decoding its output
}

func (e *WorkerError) Error() string {
	return fmt.Sprintf("parallelmap: worker failed at input %d: %v", e.Index, e.Err)
}

func (e *WorkerError) Unwrap() error { return e.Err }

// ErrMissing means a worker exited with status 0 without answering all its inputs.
var ErrMissing = errors.New("worker exited without answering all its inputs")

// Map computes every input in worker processes and returns the results in the order of
// inputs. It splits inputs into min(workers, len(inputs)) shares of consecutive inputs
// (workers below 1 means 1) and runs one worker per share, all at once: the program name
// with args. A worker reads its share from stdin, one {"index":I,"input":N} JSON line per
// input, until EOF, and answers each on stdout with a {"index":I,"value":V,"pid":P} line,
// in any order, then exits with status 0.
//
// If a worker exits with another status, writes something that is not a response to one of
// its inputs, or leaves one unanswered, Map kills the other workers and returns a
// *WorkerError naming the input, and nil results. If ctx ends first, the workers are killed
// and the error wraps ctx's error.
func Map(ctx context.Context, inputs []int, workers int, name string, args ...string) ([]Result, error) {
	// TODO: split inputs into shares, start one worker per share with its requests on
	// stdin, decode its responses from stdout into results[index], and check how it exited.
	return nil, errors.New("not implemented")
}
