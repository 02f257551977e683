// Refresh the golden files of the review tests with:
//
//	go test ./internal/cli -run TestRunReview -update

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/fsrs"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/quiz"
)

// fakePrompter answers from a queue: each answer names the option texts to choose, so the
// test does not depend on the shuffled order. A test fails if any answer is left unused.
type fakePrompter struct {
	t       *testing.T
	answers [][]string // option texts; {"!quit"} returns quiz.ErrQuit, {"!interrupt"} ErrInterrupted
}

func newFakePrompter(t *testing.T, answers ...[]string) *fakePrompter {
	f := &fakePrompter{t: t, answers: answers}
	t.Cleanup(func() {
		if len(f.answers) > 0 {
			t.Errorf("fake prompter: %d answer(s) never asked for", len(f.answers))
		}
	})
	return f
}

func (f *fakePrompter) pick(options []string) ([]int, error) {
	if len(f.answers) == 0 {
		f.t.Fatalf("fake prompter: asked more than queued, with options %q", options)
	}
	a := f.answers[0]
	f.answers = f.answers[1:]
	switch {
	case slices.Equal(a, []string{"!quit"}):
		return nil, quiz.ErrQuit
	case slices.Equal(a, []string{"!interrupt"}):
		return nil, quiz.ErrInterrupted
	}
	var out []int
	for _, text := range a {
		i := slices.IndexFunc(options, func(o string) bool { return strings.HasPrefix(o, text) })
		if i < 0 {
			f.t.Fatalf("fake prompter: no option %q in %q", text, options)
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

func (f *fakePrompter) MultiSelect(_ string, options []string) ([]int, error) { return f.pick(options) }

func (f *fakePrompter) Text(string) (string, error) { return "", nil }

// TestRunReview reviews the due questions of the fixture history in plain mode, as a pipe
// would: the transcript and the JSON are golden, the answers are saved with mode review and
// their rating, and replaying the log gives the schedule the session reported.
func TestRunReview(t *testing.T) {
	t.Parallel()
	for _, asJSON := range []bool{false, true} {
		name := map[bool]string{false: "review.txt", true: "review.json"}[asJSON]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ios, in, out, errOut := iostreams.Test()
			// st-exec-shell: exec (right); st-env-inherit: both rubric points, then Good.
			in.WriteString("3\n1,2\n3\n")
			src := fixtureSource(t, true)
			src.Now = tick(standingNow, 7*time.Second)
			err := runReview(context.Background(), &reviewOptions{IO: ios, Source: src, N: 10, Seed: 42, JSON: asJSON})
			if err != nil {
				t.Fatalf("runReview() = %v; stderr:\n%s", err, errOut)
			}
			goldenFile(t, name, out.Bytes())
			if asJSON {
				goldenFile(t, "review.stderr.txt", bytes.ReplaceAll(errOut.Bytes(), []byte(src.Log.Dir()), []byte("$DATA")))
			}

			recs := readAll(t, src.Log)
			if got, want := answerIDs(recs, "review"), []string{"st-exec-shell", "st-env-inherit"}; !slices.Equal(got, want) {
				t.Fatalf("review answers saved = %q; want %q", got, want)
			}
			last := recs[len(recs)-1]
			if last.Rating != 3 || last.Score != 1 || last.Mode != "review" {
				t.Errorf("open answer saved as %+v; want score 1, rating 3 (Good, as the user chose)", last)
			}
			qs, err := loadBanksRaw(context.Background(), ios, []string{standingBank})
			if err != nil {
				t.Fatal(err)
			}
			first := recs[len(recs)-2]
			if want := fsrs.RatingFromAnswer(true, time.Duration(first.ElapsedMS)*time.Millisecond, assess.ExpectedTime(qs[0])); first.Rating != int(want) {
				t.Errorf("choice answer saved with rating %d after %d ms; want %v, from its time", first.Rating, first.ElapsedMS, want)
			}

			// The schedule is derived from the log: a replay agrees with what the session said.
			cards := assess.Cards(recs, qs, fsrs.Default())
			for _, c := range cards {
				if c.Q.ID == "st-env-inherit" && (c.Reps != 2 || !c.LastReview.Equal(last.Time)) {
					t.Errorf("replayed card %+v; want 2 reviews, the last at %v", c.Card, last.Time)
				}
			}
			if asJSON {
				var rep reviewReport
				if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
					t.Fatal(err)
				}
				for _, rc := range rep.Cards {
					for _, c := range cards {
						if c.Q.ID == rc.ID && !c.Due.Equal(rc.Due) {
							t.Errorf("%s: the session said due %v, the log replays to %v", rc.ID, rc.Due, c.Due)
						}
					}
				}
			}
		})
	}
}

func TestRunReviewCases(t *testing.T) {
	t.Parallel()
	bankIDs := []string{"st-exec-shell", "st-exit-137", "st-go-start", "st-env-inherit"}
	for _, tc := range []struct {
		name     string
		history  bool
		answers  [][]string
		n        int
		wantCode int
		saved    []string // question ids saved with mode review
		wantOut  string
	}{
		{
			name:    "a new user gets new questions, in bank order",
			answers: [][]string{{"exec"}, {"True"}},
			n:       2, saved: bankIDs[:2], wantOut: "here are 2 you have not seen yet",
		},
		{
			name:    "an open question asks for the rating",
			answers: [][]string{{"exec"}, {"True"}, {"Cmd.Run", "Cmd.Start"}, {}, {"Hard"}},
			saved:   bankIDs, wantOut: "Rated Hard",
		},
		{
			name:    "quitting keeps the answers given",
			history: true, answers: [][]string{{"spawn"}, {"!quit"}},
			saved: []string{"st-exec-shell"}, wantOut: "Stopped early: 1 of 2",
		},
		{
			name:    "quitting at the rating saves nothing for that question",
			answers: [][]string{{"exec"}, {"True"}, {"Cmd.Start"}, {"it inherits"}, {"!quit"}},
			saved:   bankIDs[:3], wantOut: "Stopped early: 3 of 4",
		},
		{
			name:    "Ctrl-C is exit 130",
			history: true, answers: [][]string{{"!interrupt"}},
			wantCode: ExitInterrupted,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, out, errOut := iostreams.Test()
			src := fixtureSource(t, tc.history)
			src.Now = tick(standingNow, 3*time.Second)
			err := runReview(context.Background(), &reviewOptions{IO: ios, Source: src, N: tc.n, Seed: 1, Prompter: newFakePrompter(t, tc.answers...)})
			if exitCode(err) != tc.wantCode {
				t.Fatalf("runReview() = %v; want exit %d\nstderr:\n%s", err, tc.wantCode, errOut)
			}
			if got := answerIDs(readAll(t, src.Log), "review"); !slices.Equal(got, tc.saved) {
				t.Errorf("saved %q; want %q", got, tc.saved)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output lacks %q:\n%s", tc.wantOut, out)
			}
		})
	}
}

// TestRunReviewNothingDue answers every question, then reviews at once: nothing is due and
// there is nothing new.
func TestRunReviewNothingDue(t *testing.T) {
	t.Parallel()
	src := fixtureSource(t, false)
	src.Now = tick(standingNow, time.Second)
	ios, _, out, _ := iostreams.Test()
	p := newFakePrompter(t, []string{"exec"}, []string{"True"}, []string{"Cmd.Run", "Cmd.Start"}, []string{"it inherits", "secrets"}, []string{"Good"})
	if err := runReview(context.Background(), &reviewOptions{IO: ios, Source: src, Seed: 1, Prompter: p}); err != nil {
		t.Fatal(err)
	}
	ios, _, out, _ = iostreams.Test()
	if err := runReview(context.Background(), &reviewOptions{IO: ios, Source: src, JSON: true}); err != nil {
		t.Fatal(err)
	}
	var rep reviewReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Asked != 0 || rep.Due != 0 || rep.NextDue.IsZero() {
		t.Errorf("review --json with nothing due = %+v, %v; want nothing asked and a next due date", rep, err)
	}
}
