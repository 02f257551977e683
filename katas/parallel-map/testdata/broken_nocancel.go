// Broken: keeps the first failure but does not cancel the other workers, so Map waits for a worker that hangs.
// Package parallelmap spreads CPU-bound work over several worker processes and gathers the
// answers in order.
package parallelmap

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sync"
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

// request and response are the worker protocol, one JSON object per line.
type request struct {
	Index int `json:"index"`
	Input int `json:"input"`
}

type response struct {
	Index int `json:"index"`
	Value int `json:"value"`
	PID   int `json:"pid"`
}

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
	if len(inputs) == 0 {
		return []Result{}, nil
	}
	n := min(max(workers, 1), len(inputs))
	// One failure fails the map: cancel stops the other workers.
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	results := make([]Result, len(inputs))
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for w := range n {
		// Share w is inputs[lo:hi]; the shares' sizes differ by at most one.
		lo, hi := w*len(inputs)/n, (w+1)*len(inputs)/n
		wg.Go(func() {
			// Each worker fills only results[lo:hi], indexed by the input, so the order
			// of inputs survives whatever order the workers answer in.
			err := runWorker(runCtx, inputs, lo, hi, results, name, args)
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			// The first failure is the cause; the others were killed because of it.
			if firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("parallelmap: %w", err)
	}
	if firstErr != nil {
		return nil, firstErr
	}
	return results, nil
}

// runWorker runs one worker on inputs[lo:hi] and stores its answers in results[lo:hi].
func runWorker(ctx context.Context, inputs []int, lo, hi int, results []Result, name string, args []string) error {
	var stdin bytes.Buffer
	enc := json.NewEncoder(&stdin)
	for i := lo; i < hi; i++ {
		enc.Encode(request{Index: i, Input: inputs[i]}) // cannot fail on ints
	}
	cmd := exec.CommandContext(ctx, name, args...)
	// A share is small; os/exec feeds it from its own goroutine while we read stdout.
	cmd.Stdin = &stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return &WorkerError{Index: lo, Err: err}
	}
	if err := cmd.Start(); err != nil {
		return &WorkerError{Index: lo, Err: err}
	}

	answered := make([]bool, hi-lo)
	var protoErr error
	dec := json.NewDecoder(stdout)
	for {
		var r response
		if err := dec.Decode(&r); err != nil {
			if !errors.Is(err, io.EOF) {
				protoErr = fmt.Errorf("decoding the worker's output: %w", err)
			}
			break
		}
		if r.Index < lo || r.Index >= hi || answered[r.Index-lo] {
			protoErr = fmt.Errorf("worker answered input %d, which is not one of its unanswered inputs %d..%d", r.Index, lo, hi-1)
			break
		}
		answered[r.Index-lo] = true
		results[r.Index] = Result{Value: r.Value, PID: r.PID}
	}
	if protoErr != nil {
		cmd.Process.Kill() // it is not speaking the protocol; do not wait for it to finish
	}
	waitErr := cmd.Wait()

	// Blame the first input left without an answer: that is where the worker stopped.
	missing := slices.Index(answered, false)
	index := lo
	if missing >= 0 {
		index = lo + missing
	}
	switch {
	case protoErr != nil:
		return &WorkerError{Index: index, Err: protoErr}
	case waitErr != nil:
		return &WorkerError{Index: index, Err: waitErr}
	case missing >= 0:
		return &WorkerError{Index: index, Err: ErrMissing}
	}
	return nil
}
