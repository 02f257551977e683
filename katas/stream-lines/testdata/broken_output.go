// Broken: collects the whole output with cmd.Output() and only then splits it into lines, so nothing arrives while the program runs.
// Package streamlines runs a program and hands each line of its output to a callback as soon
// as the program writes it, the way a log monitor follows a running service.
package streamlines

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
)

// MaxLine is the longest line, in bytes and without its ending, that Stream delivers.
const MaxLine = 1 << 20

// Stream runs the program name with args and calls onLine with each line that the program
// writes to its standard output, in order, as soon as the line is complete: Stream does
// not wait for the program to finish first. A line is passed without its ending ("\n" or
// "\r\n"); a last line without one is passed too. onLine is called from one goroutine at
// a time, and never after Stream returns. The program's stdin and stderr are /dev/null.
//
// Stream returns once the program has exited and has been waited for (no zombie is left):
//   - nil if it exited with status 0 and every line was delivered;
//   - an error wrapping *exec.ExitError if it exited otherwise, after every line;
//   - an error wrapping ctx.Err() if ctx ended first: Stream stops calling onLine as soon
//     as it sees that ctx is done, kills the program and waits for it;
//   - an error wrapping bufio.ErrTooLong if a line is longer than MaxLine: Stream kills the
//     program and waits for it;
//   - the error from os/exec, such as one wrapping exec.ErrNotFound, if the program could
//     not start. onLine is not called.
func Stream(ctx context.Context, name string, args []string, onLine func(line string)) error {
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.Output()

	// Split what the program wrote into lines.
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, MaxLine+len("\r\n"))
	for sc.Scan() {
		if ctx.Err() != nil {
			break
		}
		onLine(sc.Text())
	}
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("streamlines: %q stopped: %w", name, ctx.Err())
	case sc.Err() != nil:
		return fmt.Errorf("streamlines: %q: reading its output: %w", name, sc.Err())
	case err != nil:
		return fmt.Errorf("streamlines: %q: %w", name, err)
	}
	return nil
}
