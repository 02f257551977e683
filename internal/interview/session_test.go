package interview

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/quiz"
)

// allRight answers every question of the bank right.
func allRight(qs []*quiz.Question) map[string][]string {
	m := map[string][]string{}
	for _, q := range qs {
		m[q.ID] = nil
	}
	return m
}

// harness is a session over the test bank, a fake prompter, a fake kata and a fake clock,
// with keys the test sends.
type harness struct {
	t       *testing.T
	qs      []*quiz.Question
	clock   *fakeClock
	kata    *fakeKata
	keys    chan Key
	out     *syncBuffer
	s       *Session
	saved   []quiz.Result
	stopped bool
}

func newHarness(t *testing.T, cfg Config, answers map[string][]string) *harness {
	t.Helper()
	h := &harness{t: t, qs: testBank(t), clock: &fakeClock{t: testStart}, keys: make(chan Key), out: &syncBuffer{}}
	h.kata = newFakeKata(t, h.clock)
	p, err := NewPlan(cfg, h.qs, testKatas)
	if err != nil {
		t.Fatal(err)
	}
	h.s = &Session{
		Plan: p, Prompter: newFakePrompter(t, h.qs, h.clock, answers), Kata: h.kata, Out: h.out, Now: h.clock.Now,
		Debounce: 20 * time.Millisecond,
		Keys: func() (<-chan Key, func(), error) {
			return h.keys, func() { h.stopped = true }, nil
		},
		OnAnswer: func(r quiz.Result) error { h.saved = append(h.saved, r); return nil },
	}
	return h
}

// start runs the session on a goroutine; the result arrives on the returned channel.
func (h *harness) start(ctx context.Context) <-chan result {
	done := make(chan result, 1)
	go func() {
		c, err := h.s.Run(ctx)
		done <- result{c, err}
	}()
	return done
}

type result struct {
	card *Scorecard
	err  error
}

func (h *harness) wait(done <-chan result) result {
	h.t.Helper()
	select {
	case r := <-done:
		if r.card == nil {
			h.t.Fatalf("Run returned no scorecard (err %v)", r.err)
		}
		return r
	case <-time.After(30 * time.Second):
		h.t.Fatalf("the session did not end; output:\n%s", h.out.String())
		return result{}
	}
}

func (h *harness) send(k Key) {
	h.t.Helper()
	select {
	case h.keys <- k:
	case <-time.After(20 * time.Second):
		h.t.Fatalf("the kata section did not take key %d; output:\n%s", k, h.out.String())
	}
}

func kataOf(c *Scorecard) *Section { return c.Sections[len(c.Sections)-1] }

// TestSessionAllRightAndPass answers every question right; the kata file already holds a
// solution, so it is checked at once and passes: ready, 100%.
func TestSessionAllRightAndPass(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 4, Seed: 1}, nil)
	p := h.s.Plan
	answers := map[string][]string{}
	for _, s := range p.Sections {
		for _, it := range s.Items {
			answers[it.Q.ID] = nil
		}
	}
	h.s.Prompter = newFakePrompter(t, h.qs, h.clock, answers)
	h.kata.write("package runcapture // DONE\n")
	h.s.Keys = nil
	r := h.wait(h.start(context.Background()))
	c := r.card
	if r.err != nil || c.Outcome != Finished || c.Percent != 100 || c.Verdict != assess.Ready {
		t.Fatalf("Run() = %s %.1f%% %s, %v; want finished 100%% ready, nil\n%s", c.Outcome, c.Percent, c.Verdict, r.err, h.out)
	}
	if k := kataOf(c).Kata; k.Outcome != KataPassed || k.Checks != 1 || h.kata.count() != 1 {
		t.Errorf("kata = %+v after %d check(s); want passed after 1", k, h.kata.count())
	}
	if len(h.saved) != 4 {
		t.Errorf("OnAnswer saw %d answers; want 4", len(h.saved))
	}
	for _, s := range c.Sections {
		if len(s.Missed) != 0 || !s.Reached {
			t.Errorf("section %s: reached %v, missed %+v; want reached, none missed", s.Name, s.Reached, s.Missed)
		}
	}
	if strings.Contains(h.out.String(), "Source:") {
		t.Errorf("the session showed feedback during the interview:\n%s", h.out)
	}
	if !strings.Contains(h.out.String(), "Time left: ") {
		t.Errorf("the session did not show the time left:\n%s", h.out)
	}
}

// TestSessionKataLoop drives the kata section alone: no check of a fresh starter; check on
// request; a hint; re-checks on saves; PASS ends it. The hint costs HintCost.
func TestSessionKataLoop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 0, Seed: 1}, map[string][]string{})
	done := h.start(context.Background())
	waitFor(t, h.out, "The tests run on every save")
	h.send(KeyCheck)
	waitFor(t, h.out, "(0/3 tests)")
	h.send(KeyHint)
	waitFor(t, h.out, "Hint 1 of 2")
	h.kata.write("package runcapture // PART\n")
	waitFor(t, h.out, "(1/3 tests)")
	h.kata.write("package runcapture // DONE\n")
	r := h.wait(done)
	k := kataOf(r.card)
	if r.err != nil || k.Kata.Outcome != KataPassed || k.Kata.Checks != 3 || k.Kata.HintsTaken != 1 || k.Score != 1-HintCost {
		t.Errorf("kata section = %+v score %v, err %v; want passed after 3 checks with 1 hint, score %v", k.Kata, k.Score, r.err, 1-HintCost)
	}
	if !h.stopped {
		t.Error("the keys were not stopped at the end of the section")
	}
	if r.card.Verdict != assess.Ready || r.card.Percent != 90 {
		t.Errorf("verdict = %s %.1f%%; want ready 90%% (the kata alone)", r.card.Verdict, r.card.Percent)
	}
}

// TestSessionKataEnds: the ways the kata section ends besides PASS.
func TestSessionKataEnds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		drive       func(h *harness, cancel context.CancelFunc)
		wantOutcome string // the interview's
		wantKata    string
		wantErr     error
		wantChecks  int
		wantScore   float64
	}{
		{"give up", func(h *harness, _ context.CancelFunc) {
			h.kata.write("package runcapture // PART\n")
			waitFor(h.t, h.out, "(1/3 tests)")
			h.send(KeyGiveUp)
		}, Finished, KataGaveUp, nil, 1, 0.5 / 3},
		{"q", func(h *harness, _ context.CancelFunc) { h.send(KeyQuit) }, Stopped, Stopped, nil, 0, 0},
		{"Ctrl-C key", func(h *harness, _ context.CancelFunc) { h.send(KeyInterrupt) }, Interrupted, Interrupted, ErrInterrupted, 0, 0},
		{"Ctrl-C signal", func(h *harness, cancel context.CancelFunc) { cancel() }, Interrupted, Interrupted, ErrInterrupted, 0, 0},
		{"end of input waits for the running check", func(h *harness, _ context.CancelFunc) {
			h.kata.mu.Lock()
			h.kata.hold = true
			h.kata.mu.Unlock()
			h.send(KeyCheck)
			h.kata.waitStarted()
			close(h.keys)
			waitFor(h.t, h.out, "checking run-capture")
			h.kata.release <- struct{}{}
		}, Stopped, Stopped, nil, 1, 0},
		{"hint past the last", func(h *harness, _ context.CancelFunc) {
			for range 3 {
				h.send(KeyHint)
			}
			waitFor(h.t, h.out, "No more hints")
			h.send(KeyGiveUp)
		}, Finished, KataGaveUp, nil, 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, Config{Level: "junior", Questions: 0, Seed: 1}, map[string][]string{})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := h.start(ctx)
			waitFor(t, h.out, "The tests run on every save")
			tc.drive(h, cancel)
			r := h.wait(done)
			k := kataOf(r.card)
			if r.card.Outcome != tc.wantOutcome || k.Kata.Outcome != tc.wantKata || !errors.Is(r.err, tc.wantErr) && r.err != tc.wantErr {
				t.Errorf("Run() = %s, kata %s, %v; want %s, kata %s, %v\n%s", r.card.Outcome, k.Kata.Outcome, r.err, tc.wantOutcome, tc.wantKata, tc.wantErr, h.out)
			}
			if k.Kata.Checks != tc.wantChecks || k.Score != round3(tc.wantScore) {
				t.Errorf("kata: %d check(s), score %v; want %d, %v", k.Kata.Checks, k.Score, tc.wantChecks, round3(tc.wantScore))
			}
		})
	}
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }

// TestSessionKataTimeUp: with no command, the kata section ends when the budget is spent.
func TestSessionKataTimeUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 0, Budget: 300 * time.Millisecond, Seed: 1}, map[string][]string{})
	h.s.Now, h.s.Keys = nil, nil
	r := h.wait(h.start(context.Background()))
	k := kataOf(r.card)
	if r.err != nil || r.card.Outcome != Finished || k.Kata.Outcome != KataTimeUp || !k.TimeUp {
		t.Errorf("Run() = %s, kata %s (time up %v), %v; want finished, time up", r.card.Outcome, k.Kata.Outcome, k.TimeUp, r.err)
	}
}

// TestSessionKataReminder: the kata section says how much time is left at the reminders.
func TestSessionKataReminder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 0, Budget: time.Minute, Seed: 1}, map[string][]string{})
	h.s.Now = nil
	h.s.Reminders = []time.Duration{time.Minute - 200*time.Millisecond, time.Hour}
	done := h.start(context.Background())
	waitFor(t, h.out, "1:00 left for run-capture")
	h.send(KeyGiveUp)
	h.wait(done)
	if strings.Contains(h.out.String(), "60:00 left") {
		t.Errorf("a reminder beyond the budget was shown:\n%s", h.out)
	}
}

// TestSessionQuestionsTimeUp: each answer takes 3 minutes of a 4-minute interview. The
// screening section's time is up after its first answer; code reading gets one; design and
// the kata find no time left.
func TestSessionQuestionsTimeUp(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 4, Budget: 4 * time.Minute, Seed: 1}, nil)
	answers := map[string][]string{}
	p := h.s.Plan
	answers[p.Sections[0].Items[0].Q.ID] = nil
	answers[p.Sections[1].Items[0].Q.ID] = nil
	fp := newFakePrompter(t, h.qs, h.clock, answers)
	fp.step = 3 * time.Minute
	h.s.Prompter = fp
	r := h.wait(h.start(context.Background()))
	c := r.card
	got := []string{}
	for _, s := range c.Sections {
		got = append(got, s.Name+":"+num(s.Score)+"/"+num(s.Max)+":"+map[bool]string{true: "time up", false: "in time"}[s.TimeUp])
	}
	want := "screening:1/2:time up code:1/1:in time design:0/1:time up kata:0/1:time up"
	if strings.Join(got, " ") != want || r.err != nil || c.Outcome != Finished {
		t.Errorf("sections = %s, %s, %v; want %s, finished\n%s", strings.Join(got, " "), c.Outcome, r.err, want, h.out)
	}
	if c.Verdict != assess.NotYet {
		t.Errorf("verdict = %s; want not yet", c.Verdict)
	}
}

// TestSessionInterruptedDuringQuestions: Ctrl-C at the second question keeps the first
// answer and ends with ErrInterrupted; nothing after is reached.
func TestSessionInterruptedDuringQuestions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 4, Seed: 1}, nil)
	first := h.s.Plan.Sections[0].Items[0].Q.ID
	fp := newFakePrompter(t, h.qs, h.clock, map[string][]string{first: nil})
	fp.stopAt, fp.stopErr = 2, quiz.ErrInterrupted
	h.s.Prompter = fp
	r := h.wait(h.start(context.Background()))
	c := r.card
	if !errors.Is(r.err, ErrInterrupted) || c.Outcome != Interrupted || len(h.saved) != 1 || h.saved[0].ID != first {
		t.Fatalf("Run() = %s, %v, saved %+v; want interrupted with %s saved", c.Outcome, r.err, h.saved, first)
	}
	if c.Sections[0].Answered != 1 || c.Sections[1].Reached || kataOf(c).Kata.Outcome != KataNotReached {
		t.Errorf("sections = %+v; want 1 answered, then nothing reached", c.Sections)
	}
}

// TestSessionQuitDuringQuestions: q (ErrQuit) in a question section ends the interview,
// which is stopped, not interrupted.
func TestSessionQuitDuringQuestions(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 4, Seed: 1}, nil)
	fp := newFakePrompter(t, h.qs, h.clock, map[string][]string{})
	fp.stopAt, fp.stopErr = 1, quiz.ErrQuit
	h.s.Prompter = fp
	r := h.wait(h.start(context.Background()))
	if r.err != nil || r.card.Outcome != Stopped || r.card.Sections[1].Reached {
		t.Errorf("Run() = %s, %v; want stopped, nil, and nothing more reached", r.card.Outcome, r.err)
	}
}

func TestParseCommandAndKeyFor(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]Key{"check": KeyCheck, " C ": KeyCheck, "hint": KeyHint, "skip": KeyGiveUp,
		"give up": KeyGiveUp, "q": KeyQuit, "QUIT": KeyQuit} {
		if got, ok := ParseCommand(line); !ok || got != want {
			t.Errorf("ParseCommand(%q) = %v, %v; want %v", line, got, ok, want)
		}
	}
	for _, line := range []string{"", "1", "checkk", "next"} {
		if got, ok := ParseCommand(line); ok {
			t.Errorf("ParseCommand(%q) = %v; want no command", line, got)
		}
	}
	for r, want := range map[rune]Key{'c': KeyCheck, 'h': KeyHint, 's': KeyGiveUp, 'q': KeyQuit, 3: KeyInterrupt, 4: KeyQuit} {
		if got, ok := KeyFor(r); !ok || got != want {
			t.Errorf("KeyFor(%q) = %v, %v; want %v", r, got, ok, want)
		}
	}
	if _, ok := KeyFor('x'); ok {
		t.Error("KeyFor('x') is a command; want none")
	}
}
