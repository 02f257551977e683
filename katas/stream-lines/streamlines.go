// Package streamlines runs a program and hands each line of its output to a callback as soon
// as the program writes it, the way a log monitor follows a running service.
package streamlines

import (
	"bufio"
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
	// CommandContext kills the program when ctx ends; that closes its end of the pipe, so
	// the read loop below sees EOF instead of waiting forever.
	cmd := exec.CommandContext(ctx, name, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("streamlines: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("streamlines: %w", err)
	}

	// Read the pipe while the program runs: each Scan returns as soon as a whole line has
	// arrived. The default limit is 64 KiB; room for MaxLine plus "\r\n" instead. That
	// limit counts the ending too, so a line of MaxLine+1 bytes and "\n" fits in it: the
	// length of what Scan returns (the line without its ending) is checked as well.
	sc := bufio.NewScanner(stdout)
	sc.Buffer(nil, MaxLine+len("\r\n"))
	var scanErr error
	for sc.Scan() {
		if ctx.Err() != nil {
			// Lines already read may still be in the buffer: drop them, the caller
			// has asked us to stop.
			break
		}
		if len(sc.Bytes()) > MaxLine {
			scanErr = bufio.ErrTooLong
			break
		}
		onLine(sc.Text())
	}
	if scanErr == nil {
		scanErr = sc.Err()
	}
	if scanErr != nil {
		// We stop reading, so the program would soon block writing to a full pipe, and
		// Wait would wait for it forever: kill it first.
		cmd.Process.Kill()
	}

	// Always Wait: it reaps the program (no zombie) and closes our end of the pipe.
	waitErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("streamlines: %q stopped: %w", name, ctx.Err())
	case scanErr != nil:
		return fmt.Errorf("streamlines: %q: reading its output: %w", name, scanErr)
	case waitErr != nil:
		return fmt.Errorf("streamlines: %q: %w", name, waitErr)
	}
	return nil
}
