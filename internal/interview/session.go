package interview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/procdojo/procdojo/quiz"
)

// Session runs a planned interview. Fill its fields, then call Run once.
type Session struct {
	Plan *Plan
	// Prompter asks the questions (survey in a terminal, quiz.PlainPrompter otherwise).
	Prompter quiz.Prompter
	// Kata starts, checks and gives hints for the kata section's kata.
	Kata KataRunner
	// Keys is called when the kata section starts. It returns the commands the user gives
	// during the section (keys in a terminal, lines in plain mode; closed at the end of
	// input) and a function that Run calls when the section ends, to stop reading them and
	// restore the terminal. Nil means no commands: the section ends at PASS or when time is
	// up.
	Keys func() (keys <-chan Key, stop func(), err error)
	// PlainKeys says that the commands are typed lines (plain mode), not keys; it changes
	// only the help shown.
	PlainKeys bool
	// Out receives the questions, the kata section's checks and hints, and the time left.
	Out io.Writer
	// Width is the width of Out in columns, to wrap the questions at; 0 does not wrap.
	Width int
	// OnAnswer, when set, is called with each answer as soon as it is scored (to record it);
	// an error from it ends the interview with that error.
	OnAnswer func(quiz.Result) error
	// Poll finds the kata file's saves by polling instead of by file events; Debounce
	// replaces the watcher's default (tests).
	Poll     bool
	Debounce time.Duration
	// Reminders are the times left at which the kata section says so; nil means
	// DefaultReminders.
	Reminders []time.Duration
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// ErrInterrupted is returned by Run after Ctrl-C (it is quiz.ErrInterrupted).
var ErrInterrupted = quiz.ErrInterrupted

func (s *Session) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Run runs the sections in order and returns the scorecard. The interview's time starts
// now; a question section ends when its share of the time is used up (the question being
// answered is finished first), the kata section when the whole budget is. The user's q (or
// the end of input) ends the interview early; Ctrl-C ends it with ErrInterrupted. Either
// way the scorecard covers what was done, and sections not reached score 0. A bad answer in
// plain mode ends it with an error wrapping quiz.ErrBadAnswer.
func (s *Session) Run(ctx context.Context) (*Scorecard, error) {
	card := newScorecard(s.Plan, s.now())
	deadline := card.Started.Add(s.Plan.Budget)
	fmt.Fprintf(s.Out, "Mock interview, %s level%s, %s in all: %s.\n", s.Plan.Level, langPhrase(s.Plan.Lang),
		clock(s.Plan.Budget), s.sectionList())
	outcome := Finished
	var err error
	for i, sp := range s.Plan.Sections {
		sec := card.Sections[i]
		sec.Reached = true
		fmt.Fprintf(s.Out, "\n== Section %d of %d: %s (%s) ==\n", i+1, len(s.Plan.Sections), Title(sp.Name), s.sectionSize(sp))
		start := s.now()
		if sp.Kata != nil {
			outcome, err = s.runKata(ctx, sp, sec, deadline)
		} else {
			outcome, err = s.runQuestions(ctx, sp, sec, deadline)
		}
		sec.ElapsedMS = s.now().Sub(start).Milliseconds()
		if outcome != Finished || err != nil {
			break
		}
	}
	card.finish(s.now(), outcome)
	return card, err
}

func (s *Session) sectionList() string {
	var names []string
	for _, sp := range s.Plan.Sections {
		names = append(names, Title(sp.Name))
	}
	return strings.Join(names, ", ")
}

func (s *Session) sectionSize(sp SectionPlan) string {
	if sp.Kata != nil {
		return fmt.Sprintf("%s, the rest of the time", sp.Kata.ID)
	}
	return fmt.Sprintf("%d question(s), %s", len(sp.Items), clock(sp.Budget))
}

// runQuestions asks a question section through a quiz session, showing the time left
// before each question. It returns Finished to go on to the next section.
func (s *Session) runQuestions(ctx context.Context, sp SectionPlan, sec *Section, deadline time.Time) (string, error) {
	start := s.now()
	end := start.Add(sp.Budget)
	if deadline.Before(end) {
		end = deadline
	}
	timeUp := false
	qs := &quiz.Session{
		Items: sp.Items, Seed: s.Plan.Seed, Shuffled: true, Prompter: s.Prompter, Out: s.Out,
		OnAnswer: s.OnAnswer, Now: s.Now, Quiet: true, Width: s.Width,
		Before: func(int) error {
			t := s.now()
			if !t.Before(end) {
				timeUp = true
				return quiz.ErrQuit
			}
			fmt.Fprintf(s.Out, "\nTime left: %s for %s, %s in all.\n", clock(end.Sub(t)), Title(sp.Name), clock(deadline.Sub(t)))
			return nil
		},
	}
	rep, err := qs.Run(ctx)
	switch {
	case errors.Is(err, quiz.ErrInterrupted):
		sec.scoreQuestions(rep.Results)
		return Interrupted, ErrInterrupted
	case err != nil:
		sec.scoreQuestions(rep.Results)
		return Stopped, err
	case timeUp:
		sec.TimeUp = true
		sec.scoreQuestions(rep.Results)
		fmt.Fprintf(s.Out, "\nTime is up for %s; %d of %d question(s) answered.\n", Title(sp.Name), len(rep.Results), len(sp.Items))
		return Finished, nil
	case rep.Stopped:
		sec.scoreQuestions(rep.Results)
		return Stopped, nil
	}
	sec.scoreQuestions(rep.Results)
	return Finished, nil
}

// clock formats a duration as minutes and seconds, such as 4:05 or 45:00; negative is 0:00.
func clock(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	sec := int64(d.Round(time.Second) / time.Second)
	return fmt.Sprintf("%d:%02d", sec/60, sec%60)
}
