// Broken: relies on the kill alone to end the read, so a grandchild that holds fd 4 keeps Run reading long after ctx ends.
// Package passfds runs a child with extra file descriptors beyond stdin, stdout and stderr:
// a results file and a status pipe.
package passfds

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
)

// Run runs the program name with args and two extra file descriptors. Fd 3 is the file at
// resultPath, created or truncated and open for writing, where the child writes its
// results. Fd 4 is the write end of a pipe on which the child writes status messages, one
// per line. The child gets no other descriptors besides 0, 1 and 2, which are /dev/null.
//
// Run returns the status lines in the order the child wrote them, once the child has exited
// and the status pipe is at end of file, with an error wrapping the child's *exec.ExitError
// if it failed. If ctx ends first, the child is killed and the error wraps ctx's error; the
// status lines read until then are returned either way. A descendant of the child that
// keeps fd 4 open keeps the pipe from reaching end of file: Run then waits for ctx.
func Run(ctx context.Context, resultPath string, name string, args ...string) ([]string, error) {
	results, err := os.OpenFile(resultPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("passfds: %w", err)
	}
	// os.Pipe, like every descriptor the os package opens, is close-on-exec: it reaches a
	// child only through Cmd's fields. (syscall.Pipe is not, and would leak into every
	// child started meanwhile.)
	statusR, statusW, err := os.Pipe()
	if err != nil {
		results.Close()
		return nil, fmt.Errorf("passfds: %w", err)
	}
	defer statusR.Close()

	cmd := exec.CommandContext(ctx, name, args...)
	// ExtraFiles[i] becomes the child's fd 3+i, so the order is the contract.
	cmd.ExtraFiles = []*os.File{results, statusW}
	err = cmd.Start()
	// The child has its own copies now; close ours, started or not. Above all the pipe's
	// write end: the reader sees end of file only once every copy of it is closed, and
	// ours would stay open as long as we wait for it.
	results.Close()
	statusW.Close()
	if err != nil {
		return nil, fmt.Errorf("passfds: starting %q: %w", name, err)
	}

	// The kill on ctx's end closes the child's copy: the read then ends.
	var status []string
	sc := bufio.NewScanner(statusR)
	for sc.Scan() {
		status = append(status, sc.Text())
	}
	readErr := sc.Err()
	// Wait only after reading to the end: a child blocked writing to a full status pipe
	// that nobody reads would never exit.
	waitErr := cmd.Wait()

	switch {
	case ctx.Err() != nil:
		return status, fmt.Errorf("passfds: %q: %w", name, ctx.Err())
	case waitErr != nil:
		return status, fmt.Errorf("passfds: %q: %w", name, waitErr)
	case readErr != nil:
		return status, fmt.Errorf("passfds: reading the status of %q: %w", name, readErr)
	}
	return status, nil
}
