// Broken: when ctx ended, returns the output but leaves ExitCode at 0 instead of 137 (128 + SIGKILL).
// Package runcapture runs a program, captures what it writes and reports precisely how it
// ended: it exited with a code, it could not be started, or a signal killed it.
package runcapture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"syscall"
)

// Result is what a program wrote and how it ended.
type Result struct {
	// Stdout is everything the program wrote to its standard output.
	Stdout []byte
	// Stderr is everything the program wrote to its standard error, kept apart from Stdout.
	Stderr []byte
	// ExitCode is the program's exit status (0 to 255), or 128+n when signal n killed it
	// (137 for SIGKILL, 143 for SIGTERM), as shells report it.
	ExitCode int
}

// SignalError reports that a signal killed the program before it could exit.
type SignalError struct {
	Name   string         // the program, as given to Run
	Signal syscall.Signal // the signal that killed it
}

func (e *SignalError) Error() string {
	return fmt.Sprintf("runcapture: %q killed by signal %d (%v)", e.Name, int(e.Signal), e.Signal)
}

// Run runs the program name with args, waits for it to finish and returns what it wrote to
// stdout and stderr, each captured separately. A name without a slash is looked up in PATH.
// The program's standard input is empty (/dev/null). Run never uses a shell.
//
// The error tells apart the ways a run can end:
//   - nil: the program exited on its own, with any exit code. A non-zero exit is part of
//     the answer, not a failure of Run: the caller reads Result.ExitCode.
//   - an error wrapping exec.ErrNotFound: name is not in PATH. Result is empty.
//   - another error that wraps the system's reason, such as fs.ErrNotExist for a missing
//     path or fs.ErrPermission for a file that is not executable: the program could not be
//     started. Result is empty.
//   - a *SignalError: a signal killed the program. Result holds what it wrote until then,
//     and ExitCode is 128 plus the signal number.
//   - an error wrapping ctx.Err(): ctx ended before the program did, so Run killed it
//     (with SIGKILL, as exec.CommandContext does). Result holds what it wrote until then,
//     and ExitCode is 137 (128 + SIGKILL).
func Run(ctx context.Context, name string, args ...string) (Result, error) {
	// CommandContext kills the program (SIGKILL) if ctx ends while it runs.
	cmd := exec.CommandContext(ctx, name, args...)

	// Two separate buffers: os/exec copies each pipe in its own goroutine, so a program
	// that fills one pipe while we wait on the other cannot deadlock us.
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr

	err := cmd.Run()
	res := Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if err == nil {
		return res, nil
	}

	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) {
		// The program never ran. exec's error already names it and wraps the reason
		// (exec.ErrNotFound, fs.ErrNotExist, fs.ErrPermission...): keep that with %w.
		return Result{}, fmt.Errorf("runcapture: %w", err)
	}

	if ctx.Err() != nil {
		// We killed it because ctx ended: report that, not the SIGKILL we sent.
		return res, fmt.Errorf("runcapture: %q stopped: %w", name, ctx.Err())
	}

	// ExitError.ExitCode() is -1 for a program killed by a signal: the wait status has
	// the signal itself.
	if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
		res.ExitCode = 128 + int(status.Signal())
		return res, &SignalError{Name: name, Signal: status.Signal()}
	}

	res.ExitCode = exitErr.ExitCode()
	return res, nil
}
