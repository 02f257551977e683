// Broken: Close ignores its timeout: it reads the output to EOF and waits for the program, so a program that does not exit when its stdin closes is never killed.
// Package interactive drives a program that asks questions: it waits for each prompt in
// the program's output, answers it on the program's stdin, and notices when the program
// says something else or exits instead.
package interactive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
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
	cmd    *exec.Cmd
	cancel context.CancelFunc // kills the program
	stdin  io.WriteCloser
	out    *os.File // read end of the pipe carrying the program's stdout and stderr
	buf    []byte   // output read but not yet consumed by Expect
	eof    bool     // out reached EOF
}

// Start starts name with args. Its stdout and stderr share one pipe, as they share a
// terminal, so a prompt written on either is seen. Cancelling ctx kills the program.
func Start(ctx context.Context, name string, args ...string) (*Session, error) {
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, name, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("interactive: %w", err)
	}
	// Our own pipe rather than StdoutPipe: an *os.File read end supports read deadlines,
	// and one pipe can take both stdout and stderr.
	r, w, err := os.Pipe()
	if err != nil {
		cancel()
		return nil, fmt.Errorf("interactive: %w", err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close() // the child has its copy; with ours open we would never see EOF
	if err != nil {
		r.Close()
		cancel()
		return nil, fmt.Errorf("interactive: starting %q: %w", name, err)
	}
	return &Session{cmd: cmd, cancel: cancel, stdin: stdin, out: r}, nil
}

// Expect reads the program's output until prompt appears, waiting at most timeout, and
// returns what came before the prompt. A prompt need not end a line: most do not. If the
// program exits first, or timeout passes, the error is an *ExpectError that wraps
// ErrExited or ErrTimeout and holds what the program printed meanwhile.
func (s *Session) Expect(prompt string, timeout time.Duration) (string, error) {
	// Reads are not line-based: a prompt like "name? " is followed by no newline, and
	// may arrive in several pieces. Keep reading chunks until the buffer contains it.
	if err := s.out.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return "", fmt.Errorf("interactive: %w", err)
	}
	chunk := make([]byte, 4096)
	for {
		if i := bytes.Index(s.buf, []byte(prompt)); i >= 0 {
			before := string(s.buf[:i])
			s.buf = s.buf[i+len(prompt):]
			return before, nil
		}
		if s.eof {
			return "", &ExpectError{Prompt: prompt, Output: string(s.buf), Err: ErrExited}
		}
		n, err := s.out.Read(chunk)
		s.buf = append(s.buf, chunk[:n]...)
		switch {
		case err == io.EOF:
			s.eof = true
		case errors.Is(err, os.ErrDeadlineExceeded):
			return "", &ExpectError{Prompt: prompt, Output: string(s.buf), Err: ErrTimeout}
		case err != nil:
			return "", fmt.Errorf("interactive: reading output: %w", err)
		}
	}
}

// Send writes answer and a newline to the program's stdin. Send an answer only once its
// prompt has appeared: many programs discard or refuse input typed ahead.
func (s *Session) Send(answer string) error {
	if _, err := io.WriteString(s.stdin, answer+"\n"); err != nil {
		return fmt.Errorf("interactive: sending %q: %w", answer, err)
	}
	return nil
}

// Close closes the program's stdin, so that it reads EOF, then waits at most timeout for
// it to finish, and reaps it. It returns the output that Expect did not consume, and an
// error wrapping *exec.ExitError if the program failed, or ErrTimeout if it did not finish
// in time (it is killed then). Close(0) kills the program at once.
func (s *Session) Close(timeout time.Duration) (string, error) {
	defer s.cancel()
	defer s.out.Close()
	s.stdin.Close() // EOF for the program: many wait for it before exiting

	// The program has its EOF: read what is left and wait for it to finish.
	var readErr error
	if !s.eof {
		var rest []byte
		s.out.SetReadDeadline(time.Time{})
		rest, readErr = io.ReadAll(s.out)
		s.buf = append(s.buf, rest...)
	}
	out := string(s.buf)
	s.buf = nil
	waitErr := s.cmd.Wait()

	switch {
	case errors.Is(readErr, os.ErrDeadlineExceeded):
		return out, fmt.Errorf("interactive: the program did not finish within %v after its stdin was closed: %w",
			timeout, ErrTimeout)
	case readErr != nil:
		return out, fmt.Errorf("interactive: reading output: %w", readErr)
	case waitErr != nil:
		return out, fmt.Errorf("interactive: %w", waitErr)
	}
	return out, nil
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
	s, err := Start(ctx, name, args...)
	if err != nil {
		return "", err
	}
	for i, step := range steps {
		// One answer per prompt, only once the prompt is there: never all answers at once.
		if _, err := s.Expect(step.Prompt, stepTimeout); err != nil {
			s.Close(0)
			return "", fmt.Errorf("interactive: step %d: %w", i+1, err)
		}
		if err := s.Send(step.Answer); err != nil {
			s.Close(0)
			return "", fmt.Errorf("interactive: step %d: %w", i+1, err)
		}
	}
	return s.Close(stepTimeout)
}
