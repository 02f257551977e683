// Package iostreams carries a command's standard streams and what is known about them:
// whether each is a terminal, how wide, and whether colour is wanted. Commands take one value
// of it, so tests can run them over buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"sync"

	"golang.org/x/term"
)

// IOStreams is the set of streams a command uses. Prompts, progress and warnings go to
// ErrOut so that Out stays pipeable. The zero value is not usable; build one with System or
// Test.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// InTTY, OutTTY and ErrTTY report whether each stream is a terminal.
	InTTY, OutTTY, ErrTTY bool
	// Dumb reports that the terminal is a dumb one (TERM=dumb): no colour, no cursor
	// movement, so no interactive prompts.
	Dumb bool
	// Color reports whether output may use ANSI colour: Out is a terminal that is not dumb
	// and NO_COLOR is unset.
	Color bool
	// OutWidth and ErrWidth are the widths in columns of Out and ErrOut when they are
	// terminals, read when the streams are built; 0 when they are not terminals, and text
	// written to them is not wrapped.
	OutWidth, ErrWidth int

	// InFile and OutFile are the terminal files behind In and Out when they are terminals,
	// for prompt libraries that need file descriptors; nil otherwise.
	InFile, OutFile *os.File

	// out is the recorder System puts in front of standard output; nil otherwise.
	out *recorder
}

// System returns the process's own streams. Out records the first error of a write to
// standard output, which WriteError returns.
func System() *IOStreams {
	out := &recorder{w: os.Stdout}
	s := &IOStreams{In: os.Stdin, Out: out, ErrOut: os.Stderr, out: out}
	s.InTTY = term.IsTerminal(int(os.Stdin.Fd()))
	s.OutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.ErrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if s.InTTY {
		s.InFile = os.Stdin
	}
	if s.OutTTY {
		s.OutFile = os.Stdout
		s.OutWidth = width(os.Stdout)
	}
	if s.ErrTTY {
		s.ErrWidth = width(os.Stderr)
	}
	s.Dumb = os.Getenv("TERM") == "dumb"
	_, noColor := os.LookupEnv("NO_COLOR")
	s.Color = s.OutTTY && !noColor && !s.Dumb
	return s
}

func width(f *os.File) int {
	w, _, err := term.GetSize(int(f.Fd()))
	if err != nil || w <= 0 {
		return 0
	}
	return w
}

// Test returns streams over buffers, none of them a terminal, and the buffers: in is read as
// standard input, out and errOut collect what the command writes.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// CanPrompt reports whether interactive prompts can be shown: both standard input and
// standard output are terminals, and the terminal is not a dumb one.
func (s *IOStreams) CanPrompt() bool {
	return s.InTTY && s.OutTTY && s.InFile != nil && s.OutFile != nil && !s.Dumb
}

// Width returns the width to wrap text written to w at: OutWidth for Out, ErrWidth for
// ErrOut, 0 (do not wrap) for anything else.
func (s *IOStreams) Width(w io.Writer) int {
	switch w {
	case s.Out:
		return s.OutWidth
	case s.ErrOut:
		return s.ErrWidth
	}
	return 0
}

// WriteError returns the first error met writing to standard output (a full disk, a closed
// file) through System's streams, even when a command has wrapped Out since; nil for Test's
// streams. Commands print with fmt.Fprint and do not check each write, so the caller checks
// this once at the end.
func (s *IOStreams) WriteError() error {
	if s.out == nil {
		return nil
	}
	return s.out.error()
}

// recorder writes to w and keeps the first error. After an error it writes nothing more.
type recorder struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.w.Write(p)
	if err != nil {
		r.err = err
	}
	return n, err
}

func (r *recorder) error() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}
