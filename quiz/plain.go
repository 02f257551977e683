package quiz

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/procdojo/procdojo/internal/termsafe"
)

// PlainPrompter asks one line at a time, for pipes, scripts and dumb terminals:
//   - single and truefalse: a choice number;
//   - multi: choice numbers separated by commas or spaces;
//   - open: no free text is read; the rubric points covered are numbers as for multi, and
//     a blank line means none;
//   - "q", or the end of input, stops the session (ErrQuit).
//
// Bad input is asked again when Reask is set (a person at a terminal), and is otherwise an
// error (ErrBadAnswer), so a script with a wrong answer file fails loudly.
type PlainPrompter struct {
	// Ctx, when set, ends a pending read with ErrInterrupted once it is done.
	Ctx   context.Context
	Out   io.Writer // where the options and the prompt are written
	Reask bool
	// Width is the width of Out in columns, to wrap options at; 0 does not wrap.
	Width int

	lines chan lineOrErr
	in    io.Reader
}

type lineOrErr struct {
	line string
	err  error
}

// ErrBadAnswer is returned for an answer that is not valid for the question.
var ErrBadAnswer = errors.New("bad answer")

// MaxAnswerLine is the longest answer line read, in bytes; a longer one is a bad answer.
const MaxAnswerLine = 64 << 10

// errLongLine is read in place of a line longer than MaxAnswerLine.
var errLongLine = fmt.Errorf("%w: the line is longer than %d bytes", ErrBadAnswer, MaxAnswerLine)

// NewPlainPrompter returns a prompter that reads answers from in and writes prompts to out.
func NewPlainPrompter(ctx context.Context, in io.Reader, out io.Writer, reask bool) *PlainPrompter {
	return &PlainPrompter{Ctx: ctx, Out: out, Reask: reask, in: in}
}

// readLine returns the next line without its newline; io.EOF at the end of input, and
// errLongLine for a line longer than MaxAnswerLine (which is read to its end and dropped:
// at most MaxAnswerLine bytes are ever held).
func (p *PlainPrompter) readLine() (string, error) {
	if p.lines == nil {
		p.lines = make(chan lineOrErr)
		go func() {
			br := bufio.NewReaderSize(p.in, MaxAnswerLine)
			for {
				line, err := br.ReadSlice('\n')
				if errors.Is(err, bufio.ErrBufferFull) {
					for errors.Is(err, bufio.ErrBufferFull) {
						_, err = br.ReadSlice('\n')
					}
					p.lines <- lineOrErr{err: errLongLine}
					line = nil
				}
				if len(line) > 0 {
					p.lines <- lineOrErr{line: strings.TrimRight(string(line), "\r\n")}
				}
				if err != nil {
					p.lines <- lineOrErr{err: err}
					close(p.lines)
					return
				}
			}
		}()
	}
	var done <-chan struct{}
	if p.Ctx != nil {
		done = p.Ctx.Done()
	}
	select {
	case l, ok := <-p.lines:
		if !ok {
			return "", io.EOF
		}
		return l.line, l.err
	case <-done:
		return "", ErrInterrupted
	}
}

// ReadLine returns the next line of input without its newline: io.EOF at the end of input,
// ErrInterrupted once Ctx is done. It reads from the same buffer as the questions, so a
// caller can read lines of its own (such as commands) between questions.
func (p *PlainPrompter) ReadLine() (string, error) { return p.readLine() }

// ask prints the prompt, reads a line and parses it, re-asking when allowed.
func (p *PlainPrompter) ask(prompt string, parse func(string) ([]int, error)) ([]int, error) {
	for {
		fmt.Fprint(p.Out, prompt)
		line, err := p.readLine()
		if errors.Is(err, io.EOF) {
			fmt.Fprintln(p.Out)
			return nil, ErrQuit
		}
		if errors.Is(err, errLongLine) {
			if !p.Reask {
				fmt.Fprintln(p.Out)
				return nil, err
			}
			fmt.Fprintf(p.Out, "%v; try again (q quits)\n", err)
			continue
		}
		if err != nil {
			return nil, err
		}
		if !p.Reask {
			fmt.Fprintln(p.Out, termsafe.Line(line)) // echo piped input so the transcript reads well
		}
		if t := strings.TrimSpace(line); strings.EqualFold(t, "q") || strings.EqualFold(t, "quit") {
			return nil, ErrQuit
		}
		got, err := parse(line)
		if err == nil {
			return got, nil
		}
		if !p.Reask {
			return nil, err
		}
		fmt.Fprintf(p.Out, "%s; try again (q quits)\n", termsafe.Line(err.Error()))
	}
}

// list writes the options, numbered from 1, each wrapped at the width under its text.
func (p *PlainPrompter) list(options []string) {
	for i, o := range options {
		lines := strings.Split(termsafe.Escape(strings.TrimRight(o, "\n")), "\n")
		for j, l := range lines {
			if j == 0 {
				l = fmt.Sprintf("  %d) %s", i+1, l)
			} else {
				l = "     " + l
			}
			fmt.Fprintln(p.Out, wrapLine(l, p.Width, "     "))
		}
	}
}

// Select implements Prompter.
func (p *PlainPrompter) Select(message string, options []string) (int, error) {
	p.list(options)
	got, err := p.ask(fmt.Sprintf("%s [1-%d, q quits] ", message, len(options)), func(s string) ([]int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 || n > len(options) {
			return nil, fmt.Errorf("%w: %q is not a choice number from 1 to %d", ErrBadAnswer, strings.TrimSpace(s), len(options))
		}
		return []int{n - 1}, nil
	})
	if err != nil {
		return 0, err
	}
	return got[0], nil
}

// MultiSelect implements Prompter.
func (p *PlainPrompter) MultiSelect(message string, options []string) ([]int, error) {
	p.list(options)
	return p.ask(fmt.Sprintf("%s [numbers such as 1,3; blank for none; q quits] ", message), func(s string) ([]int, error) {
		return ParseNumbers(s, len(options))
	})
}

// Text implements Prompter: plain mode reads no free text.
func (p *PlainPrompter) Text(string) (string, error) { return "", nil }

// ParseNumbers parses choice numbers from 1 to n separated by commas or spaces into 0-based
// indexes; a blank line is an empty set.
func ParseNumbers(s string, n int) ([]int, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	var out []int
	seen := map[int]bool{}
	for _, f := range fields {
		k, err := strconv.Atoi(f)
		if err != nil || k < 1 || k > n {
			return nil, fmt.Errorf("%w: %q is not a number from 1 to %d", ErrBadAnswer, f, n)
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k-1)
		}
	}
	return out, nil
}
