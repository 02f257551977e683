package assess

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/fsrs"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/quiz"
)

// answers builds answer records to question id from scores, a minute apart.
func answers(id string, scores ...float64) []progress.Record {
	var recs []progress.Record
	for i, s := range scores {
		recs = append(recs, progress.Record{Type: progress.TypeAnswer, Question: id, Score: s, Max: 1,
			Time: testNow.Add(time.Duration(i) * time.Minute)})
	}
	return recs
}

func TestMastery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		scores []float64
		want   float64
	}{
		{"none", nil, 0},
		{"one right", []float64{1}, 1},
		{"wrong then right", []float64{0, 1}, 1 / 1.5},
		{"right then wrong", []float64{1, 0}, 0.5 / 1.5},
		{"two wrongs then right", []float64{0, 0, 1}, 1 / 1.75},
		{"half an open answer", []float64{0.5}, 0.5},
		{"four attempts", []float64{1, 0, 1, 1}, (1 + 0.5 + 0 + 0.125) / 1.875},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Mastery(answers("q", tc.scores...)); math.Abs(got-tc.want) > 1e-12 {
				t.Errorf("Mastery(%v) = %v; want %v", tc.scores, got, tc.want)
			}
		})
	}
}

func TestVerdict(t *testing.T) {
	t.Parallel()
	acc := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name     string
		l        Level
		want     Verdict
		nMissing int
	}{
		{"ready", Level{Accuracy: acc(85), QuestionsSeen: 8, QuestionsTotal: 10, KatasPassed: 2, KatasTotal: 3}, Ready, 0},
		{"almost: accuracy", Level{Accuracy: acc(79.9), QuestionsSeen: 10, QuestionsTotal: 10, KatasPassed: 3, KatasTotal: 3}, Almost, 1},
		{"almost: seen and katas", Level{Accuracy: acc(90), QuestionsSeen: 5, QuestionsTotal: 10, KatasPassed: 1, KatasTotal: 3}, Almost, 2},
		{"not yet: katas", Level{Accuracy: acc(90), QuestionsSeen: 10, QuestionsTotal: 10, KatasPassed: 0, KatasTotal: 3}, NotYet, 1},
		{"not yet: nothing done", Level{QuestionsTotal: 10, KatasTotal: 3}, NotYet, 3},
		{"no katas at the level", Level{Accuracy: acc(80), QuestionsSeen: 8, QuestionsTotal: 10}, Ready, 0},
		{"no questions at the level", Level{KatasPassed: 1, KatasTotal: 2}, Almost, 1},
		{"no material", Level{}, NotYet, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, missing := verdict(tc.l)
			if got != tc.want || len(missing) != tc.nMissing {
				t.Errorf("verdict(%+v) = %q, %q; want %q with %d missing", tc.l, got, missing, tc.want, tc.nMissing)
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{in: "30d", want: testNow.AddDate(0, 0, -30)},
		{in: "2w", want: testNow.AddDate(0, 0, -14)},
		{in: "12h", want: testNow.Add(-12 * time.Hour)},
		{in: "1h30m", want: testNow.Add(-90 * time.Minute)},
		{in: "2026-11-01", want: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-11-01T08:00:00Z", want: time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)},
		{in: "yesterday", bad: true},
		{in: "-3d", bad: true},
		{in: "d", bad: true},
		{in: "", bad: true},
		{in: "36500d", want: testNow.AddDate(0, 0, -36500)},
		{in: "36501d", bad: true},
		{in: "999999999d", bad: true},
		{in: "99999999999999999999d", bad: true},
		{in: "9999999999999w", bad: true},
		{in: "2000000h", bad: true},
		{in: "0001-01-01", bad: true},
		{in: "1927-01-01", want: time.Date(1927, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSince(tc.in, testNow)
			if tc.bad != (err != nil) || !got.Equal(tc.want) {
				t.Errorf("ParseSince(%q) = %v, %v; want %v (error: %v)", tc.in, got, err, tc.want, tc.bad)
			}
		})
	}
}

func TestWeekStart(t *testing.T) {
	t.Parallel()
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for _, in := range []time.Time{monday, testNow, time.Date(2026, 11, 29, 23, 59, 0, 0, time.UTC)} {
		if got := weekStart(in); !got.Equal(monday) {
			t.Errorf("weekStart(%v) = %v; want %v", in, got, monday)
		}
	}
}

func TestRatingOf(t *testing.T) {
	t.Parallel()
	single := &quiz.Question{ID: "s", Kind: quiz.KindSingle, Prompt: "one two three four", Choices: []string{"a", "b"}}
	open := &quiz.Question{ID: "o", Kind: quiz.KindOpen, Prompt: "why", Rubric: []string{"x", "y"}}
	exp := ExpectedTime(single) // 10s + 6 words * 250ms
	if exp != 11500*time.Millisecond {
		t.Fatalf("ExpectedTime(single) = %v; want 11.5s", exp)
	}
	ms := func(d time.Duration) int64 { return d.Milliseconds() }
	for _, tc := range []struct {
		name string
		q    *quiz.Question
		r    progress.Record
		want fsrs.Rating
	}{
		{"stored rating wins", single, progress.Record{Score: 1, Max: 1, Rating: 2}, fsrs.Hard},
		{"wrong", single, progress.Record{Max: 1, ElapsedMS: 1000}, fsrs.Again},
		{"right and fast", single, progress.Record{Score: 1, Max: 1, ElapsedMS: ms(exp / 2)}, fsrs.Easy},
		{"right", single, progress.Record{Score: 1, Max: 1, ElapsedMS: ms(exp)}, fsrs.Good},
		{"right and slow", single, progress.Record{Score: 1, Max: 1, ElapsedMS: ms(2*exp) + 1}, fsrs.Hard},
		{"open, every point", open, progress.Record{Score: 1, Max: 1}, fsrs.Good},
		{"open, half", open, progress.Record{Score: 0.5, Max: 1}, fsrs.Hard},
		{"open, little", open, progress.Record{Score: 0.25, Max: 1}, fsrs.Again},
		{"open, rated by the user", open, progress.Record{Score: 0.25, Max: 1, Rating: 4}, fsrs.Easy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RatingOf(tc.q, tc.r); got != tc.want {
				t.Errorf("RatingOf(%s, %+v) = %v; want %v", tc.q.ID, tc.r, got, tc.want)
			}
		})
	}
}

// TestCardsReplay checks that a card is the scheduler's replay of the question's answers,
// in time order even when the log is not.
func TestCardsReplay(t *testing.T) {
	t.Parallel()
	q := &quiz.Question{ID: "q", Level: "junior", Kind: quiz.KindTrueFalse, Prompt: "p", Answer: true}
	t0 := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	t1 := t0.AddDate(0, 0, 3)
	recs := []progress.Record{
		{Type: progress.TypeAnswer, Question: "q", Time: t1, Score: 1, Max: 1, Rating: 3},
		{Type: progress.TypeAnswer, Question: "q", Time: t0, Max: 1},
		{Type: progress.TypeAnswer, Question: "other", Time: t0, Max: 1},
		{Type: progress.TypeKataCheck, Kata: "k", Time: t0},
	}
	s := fsrs.Default()
	want := s.Review(s.Review(fsrs.Card{}, fsrs.Again, t0), fsrs.Good, t1)
	got := Cards(recs, []*quiz.Question{q}, s)
	if len(got) != 1 || got[0].Card != want {
		t.Errorf("Cards() = %+v; want %+v", got, want)
	}
}

func TestPlan(t *testing.T) {
	t.Parallel()
	q := func(id, level string) *quiz.Question { return &quiz.Question{ID: id, Level: level} }
	seen := func(id string, due time.Time) Card {
		return Card{Q: q(id, "junior"), Card: fsrs.Card{Due: due, Stability: 1, Reps: 1, LastReview: due.AddDate(0, 0, -1)}}
	}
	fresh := func(id, level string) Card { return Card{Q: q(id, level)} }
	ids := func(cs []Card) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Q.ID)
		}
		return out
	}
	day := 24 * time.Hour
	for _, tc := range []struct {
		name      string
		cards     []Card
		n         int
		want      []string
		wantFresh bool
	}{
		{"due first, most overdue first", []Card{
			fresh("new", "junior"), seen("later", testNow.Add(day)), seen("due1", testNow.Add(-day)),
			seen("due3", testNow.Add(-3*day)), seen("now", testNow),
		}, 0, []string{"due3", "due1", "now"}, false},
		{"at most n", []Card{seen("a", testNow.Add(-day)), seen("b", testNow.Add(-2*day))}, 1, []string{"b"}, false},
		{"new ones when none is due, junior first", []Card{
			fresh("m1", "mid"), seen("later", testNow.Add(day)), fresh("j1", "junior"), fresh("s1", "senior"), fresh("j2", "junior"),
		}, 3, []string{"j1", "j2", "m1"}, true},
		{"nothing", []Card{seen("later", testNow.Add(day))}, 10, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, isFresh := Plan(tc.cards, testNow, tc.n)
			if !slices.Equal(ids(got), tc.want) || isFresh != tc.wantFresh {
				t.Errorf("Plan() = %v, fresh %v; want %v, fresh %v", ids(got), isFresh, tc.want, tc.wantFresh)
			}
		})
	}
	due, next := DueCount([]Card{seen("a", testNow.Add(-day)), seen("b", testNow.Add(2*day)), seen("c", testNow.Add(day)), fresh("d", "mid")}, testNow)
	if due != 1 || !next.Equal(testNow.Add(day)) {
		t.Errorf("DueCount() = %d, %v; want 1, %v", due, next, testNow.Add(day))
	}
}

func TestNextKata(t *testing.T) {
	t.Parallel()
	check := func(kata, verdict string, hour int) progress.Record {
		return progress.Record{Type: progress.TypeKataCheck, Kata: kata, Verdict: verdict, Passed: 1, Total: 2,
			Time: testNow.Add(time.Duration(hour) * time.Hour)}
	}
	ks := []Kata{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}}
	for _, tc := range []struct {
		name string
		recs []progress.Record
		want string
	}{
		{"nothing done: the first", nil, "a"},
		{"last checked is failing: that one", []progress.Record{check("c", "pass", 1), check("b", "fail", 2)}, "b"},
		{"after the last pass", []progress.Record{check("a", "fail", 1), check("b", "pass", 2)}, "c"},
		{"wraps round", []progress.Record{check("c", "pass", 1), check("d", "pass", 2)}, "a"},
		{"skips passed ones", []progress.Record{check("c", "pass", 1), check("a", "pass", 2)}, "b"},
		{"all passed", []progress.Record{check("a", "pass", 1), check("b", "pass", 2), check("c", "pass", 3), check("d", "pass", 4)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, ok := NextKata(KataProgressOf(ks, tc.recs))
			if k.ID != tc.want || ok != (tc.want != "") {
				t.Errorf("NextKata() = %q, %v; want %q", k.ID, ok, tc.want)
			}
		})
	}

	// With two languages, the next kata is in the language checked last, while one is left.
	mixed := []Kata{{ID: "g1"}, {ID: "g2", Lang: "go"}, {ID: "n1", Lang: "node"}, {ID: "n2", Lang: "node"}}
	for _, tc := range []struct {
		name string
		recs []progress.Record
		want string
	}{
		{"nothing done: the first", nil, "g1"},
		{"node passed last: the next node kata", []progress.Record{check("n1", "pass", 1)}, "n2"},
		{"go passed last: the next go kata", []progress.Record{check("n1", "pass", 1), check("g1", "pass", 2)}, "g2"},
		{"no node kata left: any", []progress.Record{check("n1", "pass", 1), check("n2", "pass", 2)}, "g1"},
	} {
		t.Run("languages/"+tc.name, func(t *testing.T) {
			k, ok := NextKata(KataProgressOf(mixed, tc.recs))
			if k.ID != tc.want || ok != (tc.want != "") {
				t.Errorf("NextKata() = %q, %v; want %q", k.ID, ok, tc.want)
			}
		})
	}
}

func TestNextCommand(t *testing.T) {
	t.Parallel()
	acc := func(v float64) *float64 { return &v }
	junior := func(seen int, v Verdict) Level {
		return Level{Name: "junior", Accuracy: acc(70), QuestionsSeen: seen, QuestionsTotal: 10, KatasTotal: 2, Verdict: v}
	}
	mid := Level{Name: "mid", QuestionsTotal: 10, KatasTotal: 2, Verdict: NotYet}
	newKata := &KataProgress{Kata: Kata{ID: "k", Level: "junior"}, Status: KataNew}
	started := &KataProgress{Kata: Kata{ID: "k", Level: "junior", Started: true}, Status: KataNew}
	tried := &KataProgress{Kata: Kata{ID: "k", Level: "junior"}, Status: KataAttempted, Checks: 1}
	midKata := &KataProgress{Kata: Kata{ID: "m", Level: "mid"}, Status: KataNew}
	for _, tc := range []struct {
		name string
		st   Status
		want string
	}{
		{"no history", Status{Levels: []Level{junior(0, NotYet), mid}, Kata: newKata}, "procdojo quiz --level junior"},
		{"reviews due", Status{Answers: 3, Due: 2, Levels: []Level{junior(3, NotYet), mid}, Kata: tried}, "procdojo review"},
		{"a kata in progress", Status{Answers: 3, Levels: []Level{junior(3, NotYet), mid}, Kata: tried}, "procdojo kata watch k"},
		{"few questions seen", Status{Answers: 3, Levels: []Level{junior(4, NotYet), mid}, Kata: newKata}, "procdojo quiz --level junior"},
		{"enough seen: the kata", Status{Answers: 3, Levels: []Level{junior(5, Almost), mid}, Kata: newKata}, "procdojo kata start k"},
		{"enough seen: the started kata", Status{Answers: 3, Levels: []Level{junior(5, Almost), mid}, Kata: started}, "procdojo kata check k"},
		{"next kata is harder: quiz first", Status{Answers: 3, Levels: []Level{junior(9, Almost), mid}, Kata: midKata}, "procdojo quiz --level junior"},
		{"junior ready: mid", Status{Answers: 3, Levels: []Level{junior(9, Ready), mid}, Kata: midKata}, "procdojo quiz --level mid"},
		{"all ready", Status{Answers: 3, Levels: []Level{junior(9, Ready)}}, "procdojo review"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := nextCommand(&tc.st, true, func(string) bool { return false }); got != tc.want {
				t.Errorf("nextCommand() = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestDropFuture(t *testing.T) {
	t.Parallel()
	rec := func(q string, at time.Time) progress.Record {
		return progress.Record{Type: progress.TypeAnswer, Question: q, Time: at}
	}
	recs := []progress.Record{
		rec("past", testNow.Add(-time.Hour)),
		rec("2099", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)),
		rec("skew", testNow.Add(time.Minute)),
		rec("9999", time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)),
		rec("now", testNow),
	}
	kept, dropped, latest := DropFuture(recs, testNow)
	var got []string
	for _, r := range kept {
		got = append(got, r.Question+"@"+r.Time.Format(time.RFC3339))
	}
	want := []string{"past@2026-11-26T11:00:00Z", "skew@2026-11-26T12:00:00Z", "now@2026-11-26T12:00:00Z"}
	if strings.Join(got, " ") != strings.Join(want, " ") || dropped != 2 || latest.Year() != 9999 {
		t.Errorf("DropFuture() = %v, %d, %v; want %v, 2, year 9999", got, dropped, latest, want)
	}
	if recs[2].Time != testNow.Add(time.Minute) {
		t.Error("DropFuture changed the records given")
	}
}
