// Broken: kills the program past the limit but returns without waiting for it, leaving a zombie.
// Package cappedoutput runs a program and keeps at most a fixed number of bytes of its
// output, stopping the program if it writes more: Node's maxBuffer, without its deadlocks
// and without holding more in memory than the limit.
package cappedoutput

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
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
	cmd := exec.CommandContext(ctx, name, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("cappedoutput: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cappedoutput: %w", err)
	}

	// Read one byte more than the limit: if it comes, the output is too long. The
	// LimitReader bounds both what we read and what we hold, however much the program
	// writes.
	out, readErr := io.ReadAll(io.LimitReader(stdout, int64(limit)+1))
	over := len(out) > limit
	if over || readErr != nil {
		// Too much: kill it, and be done with it.
		cmd.Process.Kill()
		if over {
			return out[:limit], fmt.Errorf("cappedoutput: %q wrote more than %d bytes: %w", name, limit, ErrOutputLimit)
		}
		return out, fmt.Errorf("cappedoutput: %q: reading its output: %w", name, readErr)
	}
	waitErr := cmd.Wait()

	switch {
	case over:
		return out[:limit], fmt.Errorf("cappedoutput: %q wrote more than %d bytes: %w", name, limit, ErrOutputLimit)
	case ctx.Err() != nil && (readErr != nil || waitErr != nil):
		// Killed because ctx ended: say so, rather than "signal: killed".
		return out, fmt.Errorf("cappedoutput: %q stopped: %w", name, ctx.Err())
	case readErr != nil:
		return out, fmt.Errorf("cappedoutput: %q: reading its output: %w", name, readErr)
	case waitErr != nil:
		return out, fmt.Errorf("cappedoutput: %q: %w", name, waitErr)
	}
	return out, nil
}
