package quiz

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
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

	lines chan lineOrErr
	in    io.Reader
}

type lineOrErr struct {
	line string
	err  error
}

// ErrBadAnswer is returned for an answer that is not valid for the question.
var ErrBadAnswer = errors.New("bad answer")

// NewPlainPrompter returns a prompter that reads answers from in and writes prompts to out.
func NewPlainPrompter(ctx context.Context, in io.Reader, out io.Writer, reask bool) *PlainPrompter {
	return &PlainPrompter{Ctx: ctx, Out: out, Reask: reask, in: in}
}

// readLine returns the next line without its newline; io.EOF at the end of input.
func (p *PlainPrompter) readLine() (string, error) {
	if p.lines == nil {
		p.lines = make(chan lineOrErr)
		go func() {
			br := bufio.NewReader(p.in)
			for {
				line, err := br.ReadString('\n')
				if line != "" {
					p.lines <- lineOrErr{line: strings.TrimRight(line, "\r\n")}
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
		if err != nil {
			return nil, err
		}
		if !p.Reask {
			fmt.Fprintln(p.Out, line) // echo piped input so the transcript reads well
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
		fmt.Fprintf(p.Out, "%v; try again (q quits)\n", err)
	}
}

func (p *PlainPrompter) list(options []string) {
	for i, o := range options {
		fmt.Fprintf(p.Out, "  %d) %s\n", i+1, indentRest(strings.TrimRight(o, "\n"), "     "))
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

func indentRest(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}
