// Package interactive drives a program that asks questions: it waits for each prompt in
// the program's output, answers it on the program's stdin, and notices when the program
// says something else or exits instead.
package interactive

import (
	"context"
	"errors"
	"fmt"
	"time"
)

var (
	// ErrTimeout means the program did not do what was expected in time.
	ErrTimeout = errors.New("interactive: timed out")

	// ErrExited means the program closed its output (it exited) before the prompt.
	ErrExited = errors.New("interactive: the program exited")
)

// ExpectError is returned by Expect when the prompt does not come.
type ExpectError struct {
	Prompt string // the prompt that was expected
	Output string // what the program printed instead, since the previous prompt
	Err    error  // ErrTimeout or ErrExited
}

func (e *ExpectError) Error() string {
	return fmt.Sprintf("interactive: waiting for %q: %v; the program printed %q", e.Prompt, e.Err, e.Output)
}

func (e *ExpectError) Unwrap() error { return e.Err }

// Session is a running program whose stdin and output are ours. Call Expect and Send in
// turn, then Close, exactly once, even after an error.
type Session struct {
	// TODO: the command, its stdin, the read end of its output, output read but not
	// yet consumed.
}

// Start starts name with args. Its stdout and stderr share one pipe, as they share a
// terminal, so a prompt written on either is seen. Cancelling ctx kills the program.
func Start(ctx context.Context, name string, args ...string) (*Session, error) {
	// TODO: exec.CommandContext, StdinPipe, one os.Pipe for stdout and stderr, Start, and
	// close the parent's write end.
	return nil, errors.New("not implemented")
}

// Expect reads the program's output until prompt appears, waiting at most timeout, and
// returns what came before the prompt. A prompt need not end a line: most do not. If the
// program exits first, or timeout passes, the error is an *ExpectError that wraps
// ErrExited or ErrTimeout and holds what the program printed meanwhile.
func (s *Session) Expect(prompt string, timeout time.Duration) (string, error) {
	// TODO: read chunks (not lines) with a read deadline until the prompt shows up.
	return "", errors.New("not implemented")
}

// Send writes answer and a newline to the program's stdin. Send an answer only once its
// prompt has appeared: many programs discard or refuse input typed ahead.
func (s *Session) Send(answer string) error {
	// TODO: write the answer and a newline.
	return errors.New("not implemented")
}

// Close closes the program's stdin, so that it reads EOF, then waits at most timeout for
// it to finish, and reaps it. It returns the output that Expect did not consume, and an
// error wrapping *exec.ExitError if the program failed, or ErrTimeout if it did not finish
// in time (it is killed then). Close(0) kills the program at once.
func (s *Session) Close(timeout time.Duration) (string, error) {
	// TODO: close stdin, read the rest with a deadline, kill if late, Wait.
	return "", errors.New("not implemented")
}

// Step is one exchange of a conversation: wait for Prompt, then send Answer.
type Step struct {
	Prompt string
	Answer string
}

// Converse starts name with args and goes through steps in order, giving each Expect at
// most stepTimeout; then it closes the program's stdin and gives it stepTimeout to finish.
// It returns what the program printed after the last answer. On any error the program
// is killed and reaped; a missing prompt gives an error wrapping *ExpectError.
func Converse(ctx context.Context, name string, args []string, steps []Step, stepTimeout time.Duration) (string, error) {
	// TODO: Start, then Expect and Send for each step, then Close.
	return "", errors.New("not implemented")
}
