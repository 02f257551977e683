// Package largefile streams data of any size through a child process used as a filter.
package largefile

import (
	"context"
	"errors"
	"io"
)

// Result counts the bytes that went through the filter.
type Result struct {
	In  int64 // bytes written to the child's standard input
	Out int64 // bytes copied from the child's standard output to the output
}

// Filter runs the program name with args, streams in to its standard input and its standard
// output to out, and waits for it to exit. Both directions are copied at the same time
// through fixed-size buffers, so the data never has to fit in memory and a child that writes
// while it reads cannot deadlock against Filter. The child's stdin is closed as soon as in
// returns io.EOF: that is how the child learns the input is over. Its stderr is discarded.
//
// Filter returns when the child has exited and both copies are done. The error, if any, is
// the first that applies of: ctx's error, if ctx ended before the child (the child is
// killed); the error of in (other than io.EOF) or of out, after which the child is killed;
// the child's *exec.ExitError if it failed; an error writing to its stdin, when it exited
// without reading all the input. Each is wrapped, so errors.Is and errors.As see through.
func Filter(ctx context.Context, in io.Reader, out io.Writer, name string, args ...string) (Result, error) {
	// TODO: start the child with pipes on stdin and stdout, copy in -> stdin and
	// stdout -> out concurrently, close stdin at EOF, then Wait.
	return Result{}, errors.New("not implemented")
}
