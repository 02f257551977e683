// Package iostreams carries a command's standard streams and what is known about them:
// whether each is a terminal and whether colour is wanted. Commands take one value of it, so
// tests can run them over buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"

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
	// Color reports whether output may use ANSI colour: Out is a terminal and NO_COLOR is unset.
	Color bool

	// InFile and OutFile are the terminal files behind In and Out when they are terminals,
	// for prompt libraries that need file descriptors; nil otherwise.
	InFile, OutFile *os.File
}

// System returns the process's own streams.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.InTTY = term.IsTerminal(int(os.Stdin.Fd()))
	s.OutTTY = term.IsTerminal(int(os.Stdout.Fd()))
	s.ErrTTY = term.IsTerminal(int(os.Stderr.Fd()))
	if s.InTTY {
		s.InFile = os.Stdin
	}
	if s.OutTTY {
		s.OutFile = os.Stdout
	}
	_, noColor := os.LookupEnv("NO_COLOR")
	s.Color = s.OutTTY && !noColor && os.Getenv("TERM") != "dumb"
	return s
}

// Test returns streams over buffers, none of them a terminal, and the buffers: in is read as
// standard input, out and errOut collect what the command writes.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

// CanPrompt reports whether interactive prompts can be shown: both standard input and
// standard output are terminals.
func (s *IOStreams) CanPrompt() bool {
	return s.InTTY && s.OutTTY && s.InFile != nil && s.OutFile != nil
}
