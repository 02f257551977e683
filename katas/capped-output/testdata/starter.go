// Package cappedoutput runs a program and keeps at most a fixed number of bytes of its
// output, stopping the program if it writes more: Node's maxBuffer, without its deadlocks
// and without holding more in memory than the limit.
package cappedoutput

import (
	"context"
	"errors"
)

// ErrOutputLimit is wrapped by the error Output returns when the program wrote more than
// the limit.
var ErrOutputLimit = errors.New("output limit exceeded")

// Output runs the program name with args and returns what it wrote to stdout. The
// program's stdin and stderr are /dev/null.
//
// If the program writes more than limit bytes, Output kills it as soon as it sees the
// excess, waits for it, and returns the first limit bytes with an error wrapping
// ErrOutputLimit. Output holds little more than limit bytes in memory, however much the
// program writes. Exactly limit bytes is not too many.
//
// Otherwise Output returns everything the program wrote, and nil or, for a non-zero exit,
// an error wrapping *exec.ExitError. If ctx ends first, Output kills the program, waits
// for it, and returns what it wrote until then with an error wrapping ctx.Err().
//
// When Output returns, the program has been waited for: no zombie is left.
func Output(ctx context.Context, limit int, name string, args ...string) ([]byte, error) {
	// TODO: start the program with a pipe on its stdout, read no more than limit+1 bytes,
	// kill the program if it wrote too much, and always wait for it.
	return nil, errors.New("cappedoutput: not implemented")
}
