// Broken: joins the stages with "|" into one "sh -c" string and takes the shell's status.

// Package pipeline runs "cmd1 | cmd2 | cmd3" without a shell: the commands are connected
// with OS pipes, and the pipeline fails if any command fails (bash's pipefail).
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
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
	// Let the shell do the plumbing: "a x | b y | c".
	var parts []string
	for _, argv := range stages {
		parts = append(parts, strings.Join(argv, " "))
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", strings.Join(parts, " | "))
	cmd.Stdin = stdin
	cmd.Stdout = stdout
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil && !killedBySIGPIPE(err) {
		if ctx.Err() != nil {
			return fmt.Errorf("pipeline: %w", ctx.Err())
		}
		last := len(stages) - 1
		return &StageError{Index: last, Name: stages[last][0], Err: err}
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
