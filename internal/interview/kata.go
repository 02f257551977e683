package interview

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/procdojo/procdojo/internal/watch"
)

// KataRunner is what the kata section needs of the kata engine. procdojo's implementation
// lives with the commands (internal/cli); tests use a fake.
type KataRunner interface {
	// Start makes sure the user's file for kata id exists, writing the starter when it does
	// not (an existing file is kept as it is), and returns its path; created reports that
	// the starter was written now.
	Start(id string) (path string, created bool, err error)
	// Check checks the user's file now and records the check. When ctx ends first it
	// returns soon, and the result is ignored.
	Check(ctx context.Context, id string) (KataResult, error)
	// Hint returns hint n (from 1) of kata id and records that it was seen; past the last
	// hint, an error wrapping ErrNoMoreHints.
	Hint(id string, n int) (string, error)
}

// ErrNoMoreHints is wrapped by KataRunner.Hint past the last hint.
var ErrNoMoreHints = errors.New("no more hints")

// KataResult is the outcome of one check.
type KataResult struct {
	Pass   bool
	Passed int    // reference tests passed
	Total  int    // reference tests
	Reason string // why it did not pass, in one line
	Report string // the check's report for people (failing tests, build errors, verdict line)
}

// Key is a command of the kata section.
type Key int

// Commands of the kata section.
const (
	KeyCheck     Key = iota + 1 // check now
	KeyHint                     // show one more hint (it costs HintCost)
	KeyGiveUp                   // give up the kata
	KeyQuit                     // end the interview
	KeyInterrupt                // Ctrl-C, as a raw terminal delivers it
	keyEOF                      // the end of input: end once the running check is over
)

// KeysHelp lists the commands of the kata section for a terminal (keys) or plain mode
// (lines).
func KeysHelp(plain bool) string {
	if plain {
		return "type check (run the tests now), hint (costs points), skip (give up) or q (end the interview), then Enter"
	}
	return "keys: c check now, h hint (costs points), s skip (give up), q end the interview"
}

// KeyFor maps a key pressed on a raw terminal to a command.
func KeyFor(r rune) (Key, bool) {
	switch r {
	case 'c', 'C':
		return KeyCheck, true
	case 'h', 'H':
		return KeyHint, true
	case 's', 'S', 'g', 'G':
		return KeyGiveUp, true
	case 'q', 'Q', 4: // Ctrl-D
		return KeyQuit, true
	case 3: // Ctrl-C
		return KeyInterrupt, true
	}
	return 0, false
}

// ParseCommand maps a line typed in plain mode to a command: check, hint, skip (or "give
// up") and q (or quit), or their first letters.
func ParseCommand(line string) (Key, bool) {
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "check", "c":
		return KeyCheck, true
	case "hint", "h":
		return KeyHint, true
	case "skip", "s", "give up", "g":
		return KeyGiveUp, true
	case "q", "quit":
		return KeyQuit, true
	}
	return 0, false
}

// Why the kata section's context ended.
var (
	errPassed = errors.New("the kata passed")
	errTimeUp = errors.New("time is up")
)

// DefaultReminders lists when the kata section says how much time is left, besides at each
// check: 5 minutes and 1 minute before the end.
var DefaultReminders = []time.Duration{5 * time.Minute, time.Minute}

// kataRun is the state of one kata section, shared by the check goroutine and the keys.
type kataRun struct {
	s        *Session
	k        *KataInfo
	out      *KataOutcome
	deadline time.Time
	cancel   context.CancelCauseFunc
	mu       sync.Mutex // guards out and draining
	draining bool       // the input ended: end when the running check is over
}

// runKata runs the kata section until PASS, give up, q, the end of input, Ctrl-C or the
// deadline. It returns Finished when the interview may end normally.
func (s *Session) runKata(ctx context.Context, sp SectionPlan, sec *Section, deadline time.Time) (string, error) {
	k, out := sp.Kata, sec.Kata
	if !s.now().Before(deadline) {
		out.Outcome, sec.TimeUp = KataTimeUp, true
		fmt.Fprintln(s.Out, "No time is left for the kata.")
		return Finished, nil
	}
	path, created, err := s.Kata.Start(k.ID)
	if err != nil {
		out.Outcome = Stopped
		return Stopped, err
	}
	out.File = path
	state := "your file, kept as it was"
	if created {
		state = "the starter, written now"
	}
	fmt.Fprintf(s.Out, "%s: %s (%s, %s; %d hint(s), each costs %.0f%% of this section)\nTime left: %s.\n\n%s\n\nYour file: %s (%s)\n",
		k.ID, k.Title, k.Level, k.lang(), k.Hints, 100*HintCost, clock(deadline.Sub(s.now())), indent(strings.TrimSpace(k.Statement), "  "), path, state)

	w, err := watch.New(filepath.Dir(path), watch.Options{Poll: s.Poll, Debounce: s.Debounce, Match: sameKind(path)})
	if err != nil {
		out.Outcome = Stopped
		return Stopped, fmt.Errorf("interview: watching %s: %w", filepath.Dir(path), err)
	}
	defer w.Close()
	secCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	// The deadline is on the session's clock, which tests replace: wait for what is left.
	left := deadline.Sub(s.now())
	secCtx, cancelDeadline := context.WithTimeoutCause(secCtx, left, errTimeUp)
	defer cancelDeadline()

	reminders := s.Reminders
	if reminders == nil {
		reminders = DefaultReminders
	}
	for _, d := range reminders {
		if left > d {
			t := time.AfterFunc(left-d, func() { fmt.Fprintf(s.Out, "\n%s left for %s.\n", clock(d), k.ID) })
			defer t.Stop()
		}
	}
	r := &kataRun{s: s, k: k, out: out, deadline: deadline, cancel: cancel}
	loop := &watch.Loop{Changes: w.C, Check: r.check, Lazy: created}
	var keyed string // the outcome a key chose
	if s.Keys != nil {
		keys, stop, err := s.Keys()
		if err != nil {
			out.Outcome = Stopped
			return Stopped, err
		}
		defer stop()
		loop.Keys = runes(secCtx, keys)
		loop.Key = func(c rune) bool {
			switch Key(c) {
			case KeyCheck:
				loop.CheckNow()
			case KeyHint:
				r.hint()
			case KeyGiveUp:
				keyed = KataGaveUp
				return true
			case KeyQuit:
				keyed = Stopped
				return true
			case KeyInterrupt:
				keyed = Interrupted
				return true
			case keyEOF:
				r.mu.Lock()
				r.draining = true
				r.mu.Unlock()
				loop.StopWhenIdle()
			}
			return false
		}
		fmt.Fprintf(s.Out, "The tests run on every save; %s.\n", KeysHelp(s.PlainKeys))
	} else {
		fmt.Fprintln(s.Out, "The tests run on every save.")
	}
	runErr := loop.Run(secCtx)
	cause := context.Cause(secCtx)
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case ctx.Err() != nil || keyed == Interrupted:
		out.Outcome = Interrupted
		return Interrupted, ErrInterrupted
	case errors.Is(cause, errPassed):
		out.Outcome = KataPassed
		return Finished, nil
	case keyed == KataGaveUp:
		out.Outcome = KataGaveUp
		fmt.Fprintf(s.Out, "You gave up %s.\n", k.ID)
		return Finished, nil
	case keyed == Stopped || runErr == nil:
		out.Outcome = Stopped
		return Stopped, nil
	}
	out.Outcome, sec.TimeUp = KataTimeUp, true
	fmt.Fprintf(s.Out, "\nTime is up for %s.\n", k.ID)
	return Finished, nil
}

// check runs one check, on the loop's goroutine for checks.
func (r *kataRun) check(ctx context.Context) {
	out := r.s.Out
	fmt.Fprintf(out, "\nchecking %s (%s left)...\n", r.k.ID, clock(r.deadline.Sub(r.s.now())))
	res, err := r.s.Kata.Check(ctx, r.k.ID)
	if ctx.Err() != nil {
		return // the section is ending; the check does not count
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	if err != nil {
		fmt.Fprintf(&b, "The check could not run: %v\n", err)
	} else {
		r.out.Checks++
		if r.out.Total == 0 || res.Passed*r.out.Total > r.out.BestPassed*res.Total {
			r.out.BestPassed, r.out.Total = res.Passed, res.Total
		}
		r.out.LastReason = res.Reason
		b.WriteString(strings.TrimRight(res.Report, "\n") + "\n")
		if res.Pass {
			r.out.LastReason = ""
			fmt.Fprintf(&b, "PASS: %s is done, with %s left.\n", r.k.ID, clock(r.deadline.Sub(r.s.now())))
			out.Write([]byte(b.String()))
			r.cancel(errPassed)
			return
		}
	}
	if r.draining {
		out.Write([]byte(b.String()))
		return
	}
	if r.s.Keys != nil {
		fmt.Fprintf(&b, "Waiting for a save; %s.\n", KeysHelp(r.s.PlainKeys))
	}
	out.Write([]byte(b.String()))
}

// hint shows the next hint, on the loop's goroutine.
func (r *kataRun) hint() {
	r.mu.Lock()
	n := r.out.HintsTaken + 1
	r.mu.Unlock()
	text, err := r.s.Kata.Hint(r.k.ID, n)
	switch {
	case errors.Is(err, ErrNoMoreHints):
		fmt.Fprintf(r.s.Out, "No more hints: %s has %d.\n", r.k.ID, n-1)
		return
	case err != nil:
		fmt.Fprintf(r.s.Out, "No hint: %v\n", err)
		return
	}
	r.mu.Lock()
	r.out.HintsTaken = n
	r.mu.Unlock()
	fmt.Fprintf(r.s.Out, "Hint %d of %d (-%.0f%% of this section): %s\n", n, r.k.Hints, 100*HintCost, strings.TrimSpace(text))
}

// runes turns keys into the loop's runes, and the end of keys into keyEOF.
func runes(ctx context.Context, keys <-chan Key) <-chan rune {
	out := make(chan rune)
	go func() {
		defer close(out)
		for {
			select {
			case k, ok := <-keys:
				if !ok {
					k = keyEOF
				}
				select {
				case out <- rune(k):
				case <-ctx.Done():
					return
				}
				if !ok {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// sameKind matches the files a save of which re-checks the kata: those with the user file's
// extension (.go, .js), not hidden.
func sameKind(path string) func(string) bool {
	ext := filepath.Ext(path)
	return func(name string) bool { return strings.HasSuffix(name, ext) && !strings.HasPrefix(name, ".") }
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
