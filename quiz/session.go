package quiz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/procdojo/procdojo/internal/termsafe"
)

// Prompter asks the user for answers. The quiz command provides one backed by survey for
// terminals and PlainPrompter for everything else; tests use a fake.
type Prompter interface {
	// Select shows options and returns the 0-based index of the one chosen.
	Select(message string, options []string) (int, error)
	// MultiSelect shows options and returns the 0-based indexes chosen, possibly none.
	MultiSelect(message string, options []string) ([]int, error)
	// Text asks for an optional free-form answer; "" means the user skipped it.
	Text(message string) (string, error)
}

// Errors a Prompter returns to end a session.
var (
	// ErrQuit means the user asked to stop (q, or the end of input). The answers given so
	// far stand.
	ErrQuit = errors.New("quiz: stopped early")
	// ErrInterrupted means the user pressed Ctrl-C.
	ErrInterrupted = errors.New("quiz: interrupted")
)

// Result is the outcome of one answered question.
type Result struct {
	ID    string `json:"id"`
	Level string `json:"level"`
	Topic string `json:"topic"`
	Kind  string `json:"kind"`
	// Given holds the bank's 1-based numbers of the options chosen (True is 1 and False 2 for
	// truefalse), or of the rubric points ticked for an open question.
	Given     []int   `json:"given"`
	Text      string  `json:"text,omitempty"` // the free answer to an open question
	Correct   bool    `json:"correct"`
	Score     float64 `json:"score"`
	Max       float64 `json:"max"`
	ElapsedMS int64   `json:"elapsed_ms"`
}

// Score scores the shown positions chosen (0-based) for it: single, truefalse and multi
// score 1 only for exactly the right set, else 0; an open question scores the fraction of
// rubric points ticked.
func Score(it Item, chosen []int, text string) Result {
	q := it.Q
	r := Result{ID: q.ID, Level: q.Level, Topic: q.Topic, Kind: q.Kind, Text: text, Max: 1}
	if q.Kind == KindOpen {
		seen := map[int]bool{}
		for _, c := range chosen {
			if c >= 0 && c < len(q.Rubric) && !seen[c] {
				seen[c] = true
				r.Given = append(r.Given, c+1)
			}
		}
		slices.Sort(r.Given)
		r.Score = float64(len(r.Given)) / float64(len(q.Rubric))
		r.Correct = len(r.Given) == len(q.Rubric)
		return r
	}
	r.Given = it.ToBank(chosen)
	r.Correct = slices.Equal(r.Given, q.Correct())
	if r.Correct {
		r.Score = 1
	}
	return r
}

// Session asks a list of items, one after another.
type Session struct {
	Items    []Item
	Seed     uint64
	Shuffled bool
	Prompter Prompter
	// Out receives each question and the feedback after each answer.
	Out io.Writer
	// OnAnswer, when set, is called with each result as soon as it is scored, before the
	// next question; an error from it ends the session with that error.
	OnAnswer func(Result) error
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Before, when set, is called before item i (0-based) is shown. An error from it ends
	// the session before that item: ErrQuit keeps the answers given and marks the report
	// Stopped, as the user's q does; any other error is returned as it is.
	Before func(i int) error
	// Quiet leaves out the feedback after each answer (right or wrong, the explanation and
	// the source), for callers that report the answers later, such as a mock interview.
	Quiet bool
	// Width is the width of Out in columns, to wrap text at; 0 does not wrap (a pipe).
	Width int
}

// Run asks every item and returns the report. On ErrQuit it returns the report of the
// answers given and a nil error; on Ctrl-C (ErrInterrupted or ctx done) it returns that
// report and ErrInterrupted. Bad input ends the session with an error naming the question.
// The report says Stopped whenever the session ended before its last question. Text from
// the bank is escaped (termsafe) before it is written.
func (s *Session) Run(ctx context.Context) (*Report, error) {
	now := s.Now
	if now == nil {
		now = time.Now
	}
	rep := &Report{Seed: s.Seed, Shuffled: s.Shuffled, Started: now(), Asked: len(s.Items), Width: s.Width}
	finish := func(err error) (*Report, error) {
		rep.Ended = now()
		rep.Stopped = len(rep.Results) < len(s.Items)
		rep.tally()
		return rep, err
	}
	for i, it := range s.Items {
		if ctx.Err() != nil {
			return finish(ErrInterrupted)
		}
		if s.Before != nil {
			if err := s.Before(i); errors.Is(err, ErrQuit) {
				rep.Stopped = true
				return finish(nil)
			} else if err != nil {
				return finish(err)
			}
		}
		s.show(i, it)
		start := now()
		chosen, text, err := s.ask(it)
		if ctx.Err() != nil || errors.Is(err, ErrInterrupted) {
			return finish(ErrInterrupted)
		}
		if errors.Is(err, ErrQuit) {
			return finish(nil)
		}
		if err != nil {
			return finish(fmt.Errorf("question %d (%s): %w", i+1, it.Q.ID, err))
		}
		res := Score(it, chosen, text)
		res.ElapsedMS = now().Sub(start).Milliseconds()
		rep.Results = append(rep.Results, res)
		if s.OnAnswer != nil {
			if err := s.OnAnswer(res); err != nil {
				return finish(err)
			}
		}
		if !s.Quiet {
			s.feedback(it, res)
		}
	}
	return finish(nil)
}

// text makes bank text ready to print: escaped, and wrapped at the width.
func (s *Session) text(t string) string { return Wrap(termsafe.Escape(t), s.Width) }

func (s *Session) show(i int, it Item) {
	q := it.Q
	head := termsafe.Line(fmt.Sprintf("[%d/%d] %s · %s · %s · %s", i+1, len(s.Items), q.Level, q.Topic, q.Lang, q.ID))
	fmt.Fprintf(s.Out, "\n%s\n%s\n", head, s.text(strings.TrimSpace(q.Prompt)))
	if q.Code != "" {
		// Code is not wrapped: its lines mean what they say.
		fmt.Fprintf(s.Out, "\n%s\n", indent(termsafe.Escape(strings.TrimRight(q.Code, "\n")), "    "))
	}
	fmt.Fprintln(s.Out)
}

// ask returns the 0-based shown positions chosen (or rubric points ticked) and any text.
func (s *Session) ask(it Item) ([]int, string, error) {
	q := it.Q
	switch q.Kind {
	case KindSingle, KindTrueFalse:
		i, err := s.Prompter.Select("Your answer:", it.Shown())
		return []int{i}, "", err
	case KindMulti:
		c, err := s.Prompter.MultiSelect("Choose every right answer:", it.Shown())
		return c, "", err
	default:
		text, err := s.Prompter.Text("Your answer (optional, as you would say it in an interview):")
		if err != nil {
			return nil, "", err
		}
		fmt.Fprintf(s.Out, "\nModel answer:\n%s\n\n", s.text(indent(strings.TrimSpace(q.ModelAnswer), "  ")))
		c, err := s.Prompter.MultiSelect("Which key points did your answer cover?", q.Rubric)
		return c, text, err
	}
}

func (s *Session) feedback(it Item, r Result) {
	q := it.Q
	switch {
	case q.Kind == KindOpen:
		fmt.Fprintf(s.Out, "Score: %d of %d key points.\n", len(r.Given), len(q.Rubric))
	case r.Correct:
		fmt.Fprintln(s.Out, "✓ Right.")
	default:
		shown := it.Shown()
		var right []string
		for _, n := range it.CorrectShown() {
			right = append(right, fmt.Sprintf("%d) %s", n, oneLine(shown[n-1])))
		}
		fmt.Fprintln(s.Out, s.text("✗ Wrong. The answer: "+strings.Join(right, "; ")))
	}
	fmt.Fprintf(s.Out, "%s\n%s\n", s.text(strings.TrimSpace(q.Explanation)), s.text("Source: "+termsafe.Line(q.Source)))
}

func indent(s, prefix string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "\n") {
		return strings.ReplaceAll(s, "\n", " ⏎ ")
	}
	return s
}
