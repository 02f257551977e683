package quiz

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// fakePrompter answers from a queue. Each answer names the option TEXT to choose, so the
// test does not depend on the shuffled order. A test fails if any answer is left unused.
type fakePrompter struct {
	t       *testing.T
	answers []fakeAnswer
}

type fakeAnswer struct {
	choose []string // option texts to pick
	text   string   // free text for Text
	err    error    // returned instead
}

func newFake(t *testing.T, answers ...fakeAnswer) *fakePrompter {
	f := &fakePrompter{t: t, answers: answers}
	t.Cleanup(func() {
		if len(f.answers) > 0 {
			t.Errorf("fake prompter: %d answer(s) never asked for", len(f.answers))
		}
	})
	return f
}

func (f *fakePrompter) next() fakeAnswer {
	f.t.Helper()
	if len(f.answers) == 0 {
		f.t.Fatalf("fake prompter: asked more questions than queued")
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	return a
}

func (f *fakePrompter) pick(options []string) ([]int, error) {
	a := f.next()
	if a.err != nil {
		return nil, a.err
	}
	var out []int
	for _, c := range a.choose {
		i := slices.Index(options, c)
		if i < 0 {
			f.t.Fatalf("fake prompter: no option %q in %q", c, options)
		}
		out = append(out, i)
	}
	return out, nil
}

func (f *fakePrompter) Select(_ string, options []string) (int, error) {
	got, err := f.pick(options)
	if err != nil {
		return 0, err
	}
	return got[0], nil
}

func (f *fakePrompter) MultiSelect(_ string, options []string) ([]int, error) {
	return f.pick(options)
}

func (f *fakePrompter) Text(string) (string, error) {
	a := f.next()
	return a.text, a.err
}

func smallBank(t *testing.T) []*Question {
	t.Helper()
	qs, err := loadFiles(t, "testdata/good/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

func clock() func() time.Time {
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	n := 0
	return func() time.Time { n++; return t0.Add(time.Duration(n) * time.Second) }
}

// TestSessionShuffledScoring runs the same answers under many seeds: whatever order the
// choices are shown in, choosing the right text scores and the wrong text does not.
func TestSessionShuffledScoring(t *testing.T) {
	t.Parallel()
	qs := smallBank(t)
	for seed := uint64(0); seed < 20; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			items := Pick(qs, 0, seed, true)
			var answers []fakeAnswer
			want := map[string]float64{}
			for _, it := range items {
				switch it.Q.ID {
				case "t-single":
					answers = append(answers, fakeAnswer{choose: []string{"exec"}})
					want[it.Q.ID] = 1
				case "t-multi":
					answers = append(answers, fakeAnswer{choose: []string{"Cmd.Start", "exec.Command"}})
					want[it.Q.ID] = 0
				case "t-tf":
					answers = append(answers, fakeAnswer{choose: []string{"True"}})
					want[it.Q.ID] = 1
				case "t-open":
					answers = append(answers, fakeAnswer{text: "it exited"},
						fakeAnswer{choose: []string{"it has exited", "the parent has not reaped it"}})
					want[it.Q.ID] = 2.0 / 3
				}
			}
			var out bytes.Buffer
			var saved []Result
			s := &Session{Items: items, Seed: seed, Shuffled: true, Prompter: newFake(t, answers...),
				Out: &out, Now: clock(), OnAnswer: func(r Result) error { saved = append(saved, r); return nil }}
			rep, err := s.Run(context.Background())
			if err != nil {
				t.Fatalf("Run() error = %v", err)
			}
			if len(rep.Results) != 4 || len(saved) != 4 {
				t.Fatalf("Run() = %d results, %d saved; want 4, 4", len(rep.Results), len(saved))
			}
			for _, r := range rep.Results {
				if r.Score != want[r.ID] {
					t.Errorf("score(%s) = %v; want %v (given %v)", r.ID, r.Score, want[r.ID], r.Given)
				}
			}
			if got := rep.Total.Score; got < 2.66 || got > 2.67 {
				t.Errorf("total = %v; want 2.67", got)
			}
		})
	}
}

func TestSessionGivenIsBankOrder(t *testing.T) {
	t.Parallel()
	qs := smallBank(t)[:2]
	items := Pick(qs, 0, 7, true)
	var answers []fakeAnswer
	for _, it := range items {
		if it.Q.ID == "t-single" {
			answers = append(answers, fakeAnswer{choose: []string{"execFile"}})
		} else {
			answers = append(answers, fakeAnswer{choose: []string{"exec.LookPath", "Cmd.Run"}})
		}
	}
	rep, err := (&Session{Items: items, Prompter: newFake(t, answers...), Out: &bytes.Buffer{}}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		want := map[string][]int{"t-single": {3}, "t-multi": {1, 4}}[r.ID]
		if !slices.Equal(r.Given, want) {
			t.Errorf("Given(%s) = %v; want bank numbers %v", r.ID, r.Given, want)
		}
	}
}

func TestSessionQuitKeepsAnswers(t *testing.T) {
	t.Parallel()
	items := Pick(smallBank(t), 0, 0, false)
	var saved int
	s := &Session{Items: items, Out: &bytes.Buffer{}, Now: clock(),
		Prompter: newFake(t, fakeAnswer{choose: []string{"exec"}}, fakeAnswer{err: ErrQuit}),
		OnAnswer: func(Result) error { saved++; return nil }}
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatalf("Run() error = %v; want nil on quit", err)
	}
	if !rep.Stopped || len(rep.Results) != 1 || saved != 1 || rep.Asked != 4 {
		t.Errorf("Run() = stopped %v, %d results, %d saved, asked %d; want true, 1, 1, 4", rep.Stopped, len(rep.Results), saved, rep.Asked)
	}
}

func TestSessionInterrupt(t *testing.T) {
	t.Parallel()
	items := Pick(smallBank(t), 0, 0, false)
	s := &Session{Items: items, Out: &bytes.Buffer{},
		Prompter: newFake(t, fakeAnswer{choose: []string{"exec"}}, fakeAnswer{err: ErrInterrupted})}
	rep, err := s.Run(context.Background())
	if !errors.Is(err, ErrInterrupted) || len(rep.Results) != 1 {
		t.Errorf("Run() = %d results, %v; want 1, ErrInterrupted", len(rep.Results), err)
	}
}

func TestSessionSaveErrorStops(t *testing.T) {
	t.Parallel()
	items := Pick(smallBank(t), 0, 0, false)
	boom := errors.New("disk full")
	s := &Session{Items: items, Out: &bytes.Buffer{},
		Prompter: newFake(t, fakeAnswer{choose: []string{"exec"}}),
		OnAnswer: func(Result) error { return boom }}
	if _, err := s.Run(context.Background()); !errors.Is(err, boom) {
		t.Errorf("Run() error = %v; want %v", err, boom)
	}
}

func TestPickSeedReproducible(t *testing.T) {
	t.Parallel()
	qs := smallBank(t)
	order := func(items []Item) string {
		var b strings.Builder
		for _, it := range items {
			fmt.Fprint(&b, it.Q.ID, it.Order, " ")
		}
		return b.String()
	}
	a, b := order(Pick(qs, 3, 42, true)), order(Pick(qs, 3, 42, true))
	if a != b {
		t.Errorf("Pick(seed 42) twice = %q and %q; want the same", a, b)
	}
	if got := order(Pick(qs, 0, 42, false)); got != "t-single[0 1 2] t-multi[0 1 2 3] t-tf[0 1] t-open[] " {
		t.Errorf("Pick(no shuffle) = %q; want bank order", got)
	}
	differs := false
	for seed := uint64(1); seed < 10 && !differs; seed++ {
		differs = order(Pick(qs, 0, seed, true)) != order(Pick(qs, 0, 0, true))
	}
	if !differs {
		t.Error("Pick gives the same order for ten seeds; want shuffling")
	}
}

func TestReportJSONShape(t *testing.T) {
	t.Parallel()
	items := Pick(smallBank(t), 2, 0, false)
	s := &Session{Items: items, Seed: 9, Shuffled: true, Out: &bytes.Buffer{}, Now: clock(),
		Prompter: newFake(t, fakeAnswer{choose: []string{"exec"}}, fakeAnswer{choose: []string{"Cmd.Run"}})}
	rep, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := rep.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Seed      uint64           `json:"seed"`
		Started   time.Time        `json:"started"`
		Ended     time.Time        `json:"ended"`
		Questions []map[string]any `json:"questions"`
		Total     map[string]any   `json:"total"`
		Levels    []map[string]any `json:"levels"`
		Topics    []map[string]any `json:"topics"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("WriteJSON output is not JSON: %v\n%s", err, buf.String())
	}
	if doc.Seed != 9 || doc.Started.IsZero() || !doc.Ended.After(doc.Started) {
		t.Errorf("seed/started/ended = %d %v %v", doc.Seed, doc.Started, doc.Ended)
	}
	if len(doc.Questions) != 2 {
		t.Fatalf("questions = %d; want 2", len(doc.Questions))
	}
	for _, k := range []string{"id", "level", "topic", "kind", "given", "correct", "score", "max"} {
		if _, ok := doc.Questions[0][k]; !ok {
			t.Errorf("question has no %q: %v", k, doc.Questions[0])
		}
	}
	if doc.Total["score"] != 1.0 || doc.Total["max"] != 2.0 || len(doc.Levels) != 1 || len(doc.Topics) != 2 {
		t.Errorf("total %v, levels %v, topics %v; want score 1 of 2, 1 level, 2 topics", doc.Total, doc.Levels, doc.Topics)
	}
}

// TestPlainPrompter drives plain mode as a script would: numbers, lists, blank, q, EOF and
// a bad answer.
func TestPlainPrompter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		input   string
		reask   bool
		results int
		err     error
		stopped bool
	}{
		{"all answered", "2\n1 2\n1\n1,3\n", false, 4, nil, false},
		{"blank rubric is none", "2\n1,2\n2\n\n", false, 4, nil, false},
		{"q stops", "2\nq\n", false, 1, nil, true},
		{"end of input stops", "2\n1\n", false, 2, nil, true},
		{"bad answer is an error", "7\n", false, 0, ErrBadAnswer, true},
		{"bad answer is re-asked at a terminal", "7\nx\n2\nq\n", true, 1, nil, true},
		{"a line over 64 KiB is an error", strings.Repeat("1", MaxAnswerLine+1) + "\n", false, 0, ErrBadAnswer, true},
		{"a line over 64 KiB is re-asked at a terminal", strings.Repeat("2 ", MaxAnswerLine) + "\n2\nq\n", true, 1, nil, true},
		{"escape sequences in a script", "\x1b[2J\n", false, 0, ErrBadAnswer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			p := NewPlainPrompter(context.Background(), strings.NewReader(tt.input), &out, tt.reask)
			s := &Session{Items: Pick(smallBank(t), 0, 0, false), Prompter: p, Out: &out}
			rep, err := s.Run(context.Background())
			if !errors.Is(err, tt.err) || len(rep.Results) != tt.results || rep.Stopped != tt.stopped {
				t.Errorf("Run(%q) = %d results, stopped %v, err %v; want %d, %v, %v\n%s",
					tt.input, len(rep.Results), rep.Stopped, err, tt.results, tt.stopped, tt.err, out.String())
			}
			if tt.err != nil && !strings.Contains(err.Error(), "t-single") {
				t.Errorf("error %q does not name the question", err)
			}
			if out.Len() > 4096 || strings.Contains(out.String(), "\x1b") {
				t.Errorf("the transcript holds %d bytes; want the long or hostile answer left out or escaped:\n%.300q", out.Len(), out.String())
			}
			var js bytes.Buffer
			if err := rep.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"levels": [`) || !strings.Contains(js.String(), `"topics": [`) {
				t.Errorf("JSON report = %s, %v; want levels and topics as lists, never null", js.String(), err)
			}
		})
	}
}

func TestPlainScores(t *testing.T) {
	t.Parallel()
	p := NewPlainPrompter(context.Background(), strings.NewReader("2\n2 1\n2\n3\n"), &bytes.Buffer{}, false)
	rep, err := (&Session{Items: Pick(smallBank(t), 0, 0, false), Prompter: p, Out: &bytes.Buffer{}}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, r := range rep.Results {
		got = append(got, r.Score)
	}
	if want := []float64{1, 1, 0, 1.0 / 3}; !slices.Equal(got, want) {
		t.Errorf("scores = %v; want %v", got, want)
	}
}

// TestSessionEscapesBankText is the last line of defence behind lint: a question holding
// escape sequences and a bidi override, built in memory (Load refuses it), is printed with
// them escaped by the session and the plain prompter.
func TestSessionEscapesBankText(t *testing.T) {
	t.Parallel()
	evil := "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\ \u202eevil \x1b[2J"
	q := &Question{ID: "evil", Level: "junior", Kind: KindOpen, Topic: "exec", Lang: "go", Prompt: evil, Code: evil,
		ModelAnswer: evil, Rubric: []string{evil, "b"}, Explanation: evil, Source: evil}
	var out bytes.Buffer
	p := NewPlainPrompter(context.Background(), strings.NewReader("1\n"), &out, false)
	s := &Session{Items: Pick([]*Question{q}, 0, 0, false), Prompter: p, Out: &out}
	if _, err := s.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(out.String(), "\x1b\u202e") {
		t.Errorf("printed raw:\n%q", out.String())
	}
	if n := strings.Count(out.String(), `\x1b]8;;https://evil.example\x1b\click`); n != 6 {
		t.Errorf("the escaped text shows %d times; want 6 (prompt, code, model answer, rubric, explanation, source):\n%s", n, out.String())
	}
}
