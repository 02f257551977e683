// Package pipeline runs "cmd1 | cmd2 | cmd3" without a shell: the commands are connected
// with OS pipes, and the pipeline fails if any command fails (bash's pipefail).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// StageError reports the first stage of a pipeline that failed.
type StageError struct {
	Index int    // position of the stage in the pipeline, from 0
	Name  string // the stage's program
	Err   error  // why it failed: *exec.ExitError, exec.ErrNotFound, ...
}

func (e *StageError) Error() string {
	return fmt.Sprintf("pipeline: stage %d (%s): %v", e.Index, e.Name, e.Err)
}

func (e *StageError) Unwrap() error { return e.Err }

// Run runs the stages as a pipeline: each stage is a program and its arguments, started
// without a shell; stdin feeds the first stage and the last one writes to stdout (nil
// means no input, or output discarded). Stages run concurrently and Run returns once
// every stage has exited and been waited for.
//
// Run returns nil if every stage succeeded, otherwise a *StageError for the first stage
// that failed, by index, even if the last one succeeded (pipefail). A stage killed by
// SIGPIPE because a later stage stopped reading (as in "yes | head -n 1") has not failed.
// If ctx is done first, Run kills every stage and returns an error wrapping ctx.Err().
func Run(ctx context.Context, stdin io.Reader, stdout io.Writer, stages ...[]string) error {
	if len(stages) == 0 {
		return errors.New("pipeline: no stages")
	}
	for i, argv := range stages {
		if len(argv) == 0 {
			return fmt.Errorf("pipeline: stage %d is empty", i)
		}
	}

	// Our own context, to kill the stages already started if a later one fails to start.
	stageCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	cmds := make([]*exec.Cmd, len(stages))
	for i, argv := range stages {
		cmds[i] = exec.CommandContext(stageCtx, argv[0], argv[1:]...)
		// Bound the wait for our copies of stdin/stdout once a stage is gone.
		cmds[i].WaitDelay = time.Second
	}
	cmds[0].Stdin = stdin
	cmds[len(cmds)-1].Stdout = stdout

	// Connect neighbours with OS pipes: stage i writes into w, stage i+1 reads from r.
	// Each child gets its own copy of its end when it starts, so the parent's copies must
	// be closed right after: an open write end here means the reader never sees EOF, an
	// open read end means the writer never gets SIGPIPE when the reader quits.
	var parentEnds []*os.File
	defer func() {
		for _, f := range parentEnds {
			f.Close()
		}
	}()
	for i := range len(cmds) - 1 {
		r, w, err := os.Pipe()
		if err != nil {
			return fmt.Errorf("pipeline: %w", err)
		}
		parentEnds = append(parentEnds, r, w)
		cmds[i].Stdout = w
		cmds[i+1].Stdin = r
	}

	started := 0
	var startErr error
	for i, cmd := range cmds {
		if err := cmd.Start(); err != nil {
			startErr = &StageError{Index: i, Name: stages[i][0], Err: err}
			cancel() // kill the stages already running; they are waited for below
			break
		}
		started++
	}
	for _, f := range parentEnds {
		f.Close()
	}
	parentEnds = nil

	// Wait for every started stage, even after a failure: each one must be reaped.
	var first *StageError
	for i, cmd := range cmds[:started] {
		if err := cmd.Wait(); err != nil && first == nil && !killedBySIGPIPE(err) {
			first = &StageError{Index: i, Name: stages[i][0], Err: err}
		}
	}

	switch {
	case startErr != nil:
		return startErr
	case first != nil && ctx.Err() != nil:
		return fmt.Errorf("pipeline: %w", ctx.Err())
	case first != nil:
		return first
	}
	return nil
}

// killedBySIGPIPE reports whether err says the process died of SIGPIPE: it wrote to a
// pipe nobody reads any more.
func killedBySIGPIPE(err error) bool {
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		return false
	}
	status, ok := exitErr.Sys().(syscall.WaitStatus)
	return ok && status.Signaled() && status.Signal() == syscall.SIGPIPE
}
