// Package prompt is the terminal side of the quiz.Prompter interface: survey's Select,
// MultiSelect and Multiline prompts over a real terminal. Commands use it only when both
// standard input and standard output are terminals (survey needs both) and fall back to
// quiz.PlainPrompter otherwise.
package prompt

import (
	"errors"
	"io"
	"os"
	"strings"

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
// messages.
func New(in, out *os.File, errOut io.Writer) *Survey {
	return &Survey{opts: []survey.AskOpt{
		survey.WithStdio(in, out, errOut),
		survey.WithShowCursor(true),
	}}
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
