// Package passfds runs a child with extra file descriptors beyond stdin, stdout and stderr:
// a results file and a status pipe.
package passfds

import (
	"context"
	"errors"
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
	// TODO: open resultPath, make a pipe with os.Pipe, pass both in cmd.ExtraFiles, close
	// the parent's copies after Start, read the status lines to EOF, then Wait.
	return nil, errors.New("not implemented")
}
