// Package prompt is the terminal side of the quiz.Prompter interface: survey's Select,
// MultiSelect and Multiline prompts over a real terminal. Commands use it only when both
// standard input and standard output are terminals (survey needs both) and fall back to
// quiz.PlainPrompter otherwise.
package prompt

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/AlecAivazis/survey/v2"
	"github.com/AlecAivazis/survey/v2/terminal"

	"github.com/procdojo/procdojo/internal/termsafe"
	"github.com/procdojo/procdojo/quiz"
)

// Survey asks through survey on a terminal. Build it with New.
type Survey struct {
	opts []survey.AskOpt
}

// New returns a prompter over the terminal files in and out; errOut receives survey's own
// messages. Once ctx is done (a signal to the process, which survey cannot see: in raw
// mode it only sees keys), a pending prompt ends as if Ctrl-C was pressed, restoring the
// terminal, and returns quiz.ErrInterrupted.
func New(ctx context.Context, in, out *os.File, errOut io.Writer) *Survey {
	return &Survey{opts: []survey.AskOpt{
		survey.WithStdio(&input{ctx: ctx, f: in}, out, errOut),
		survey.WithShowCursor(true),
	}}
}

// input is the terminal as survey reads it: the bytes of f, read by one goroutine, and a
// Ctrl-C (ETX) once ctx is done. Fd is f's, for survey to set the terminal's mode.
type input struct {
	ctx     context.Context
	f       *os.File
	once    sync.Once
	chunks  chan []byte
	pending []byte
}

func (in *input) Fd() uintptr { return in.f.Fd() }

func (in *input) Read(p []byte) (int, error) {
	in.once.Do(func() {
		in.chunks = make(chan []byte)
		go func() {
			defer close(in.chunks)
			for {
				buf := make([]byte, 256)
				n, err := in.f.Read(buf)
				if n > 0 {
					in.chunks <- buf[:n]
				}
				if err != nil {
					return
				}
			}
		}()
	})
	if len(in.pending) == 0 {
		select {
		case b, ok := <-in.chunks:
			if !ok {
				return 0, io.EOF
			}
			in.pending = b
		case <-in.ctx.Done():
			return copy(p, []byte{terminal.KeyInterrupt}), nil
		}
	}
	n := copy(p, in.pending)
	in.pending = in.pending[n:]
	return n, nil
}

// mapErr turns survey's Ctrl-C into quiz.ErrInterrupted and end of input into quiz.ErrQuit.
func mapErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, terminal.InterruptErr):
		return quiz.ErrInterrupted
	case errors.Is(err, io.EOF):
		return quiz.ErrQuit
	}
	return err
}

// flat shows a multi-line option on one line, as survey lists need, with anything that
// would act on the terminal escaped.
func flat(options []string) []string {
	out := make([]string, len(options))
	for i, o := range options {
		out[i] = termsafe.Line(strings.ReplaceAll(strings.TrimSpace(o), "\n", " ⏎ "))
	}
	return out
}

// Select implements quiz.Prompter.
func (s *Survey) Select(message string, options []string) (int, error) {
	var idx int
	p := &survey.Select{Message: termsafe.Line(message), Options: flat(options), PageSize: 10}
	err := survey.AskOne(p, &idx, s.opts...)
	return idx, mapErr(err)
}

// MultiSelect implements quiz.Prompter.
func (s *Survey) MultiSelect(message string, options []string) ([]int, error) {
	var idx []int
	p := &survey.MultiSelect{Message: termsafe.Line(message), Options: flat(options), PageSize: 10,
		Help: "space toggles, enter confirms; nothing selected is a valid answer"}
	err := survey.AskOne(p, &idx, s.opts...)
	return idx, mapErr(err)
}

// Text implements quiz.Prompter with a Multiline prompt. Survey ends it on two empty lines
// in a row, and says so ("[Enter 2 empty lines to finish]"); two empty lines and nothing
// else is an empty answer, which skips.
func (s *Survey) Text(message string) (string, error) {
	var text string
	p := &survey.Multiline{Message: termsafe.Line(message)}
	err := survey.AskOne(p, &text, s.opts...)
	return strings.TrimSpace(text), mapErr(err)
}
