// Package pipeline runs "cmd1 | cmd2 | cmd3" without a shell: the commands are connected
// with OS pipes, and the pipeline fails if any command fails (bash's pipefail).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	// TODO: one exec.Cmd per stage, os.Pipe between neighbours, start them all, close the
	// parent's pipe ends, Wait for every stage and report the first failure.
	return errors.New("not implemented")
}
