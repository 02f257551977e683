package assess

import (
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/progress"
)

// TestNextCommandInterview: Next suggests a mock interview at the first level that is not
// ready when it is "almost" and no interview was taken there lately.
func TestNextCommandInterview(t *testing.T) {
	t.Parallel()
	acc := func(v float64) *float64 { return &v }
	level := func(name string, seen int, v Verdict) Level {
		return Level{Name: name, Accuracy: acc(70), QuestionsSeen: seen, QuestionsTotal: 10, KatasTotal: 2, Verdict: v}
	}
	newKata := &KataProgress{Kata: Kata{ID: "k", Level: "junior"}, Status: KataNew}
	for _, tc := range []struct {
		name   string
		levels []Level
		due    bool // no interview at the level lately
		want   string
	}{
		{"almost: an interview", []Level{level("junior", 5, Almost), level("mid", 0, NotYet)}, true, "procdojo interview --level junior"},
		{"almost, interviewed lately: the kata", []Level{level("junior", 5, Almost), level("mid", 0, NotYet)}, false, "procdojo kata start k"},
		{"not yet: no interview", []Level{level("junior", 4, NotYet), level("mid", 0, NotYet)}, true, "procdojo quiz --level junior"},
		{"junior ready, mid almost", []Level{level("junior", 9, Ready), level("mid", 6, Almost)}, true, "procdojo interview --level mid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := Status{Answers: 3, Levels: tc.levels, Kata: newKata}
			if got, _ := nextCommand(&st, true, func(string) bool { return tc.due }); got != tc.want {
				t.Errorf("nextCommand() = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestInterviewLevel(t *testing.T) {
	t.Parallel()
	l := func(name string, v Verdict) Level { return Level{Name: name, QuestionsTotal: 5, Verdict: v} }
	empty := Level{Name: "senior", Verdict: NotYet}
	for _, tc := range []struct {
		levels []Level
		want   string
	}{
		{[]Level{l("junior", NotYet), l("mid", NotYet)}, "junior"},
		{[]Level{l("junior", Ready), l("mid", Almost)}, "mid"},
		{[]Level{l("junior", Ready), l("mid", Ready), empty}, "mid"},
		{nil, "junior"},
	} {
		if got := InterviewLevel(tc.levels); got != tc.want {
			t.Errorf("InterviewLevel(%v) = %q; want %q", tc.levels, got, tc.want)
		}
	}
}

// TestInterviewsInScore: the score report lists the interviews of its window, oldest first,
// with each level's trend; a report without interviews has none.
func TestInterviewsInScore(t *testing.T) {
	t.Parallel()
	iv := func(day int, level string, pct float64, verdict string) progress.Record {
		return progress.Record{Time: testNow.AddDate(0, 0, -day), Type: progress.TypeInterview, Level: level, ElapsedMS: 60000,
			Interview: &progress.Interview{Seed: uint64(day), Percent: pct, Verdict: verdict, Ended: "finished",
				Sections: []progress.InterviewSection{{Name: "kata", Kata: "run-capture", Outcome: "passed"}}}}
	}
	recs := []progress.Record{iv(1, "junior", 74.5, "almost"), iv(9, "junior", 52, "not yet"), iv(3, "mid", 40, "not yet")}
	rep := Score(Input{Records: recs, Now: testNow})
	if rep.Interviews == nil || len(rep.Interviews.Past) != 3 {
		t.Fatalf("Interviews = %+v; want three", rep.Interviews)
	}
	if p := rep.Interviews.Past; p[0].Percent != 52 || p[2].Percent != 74.5 || p[2].Kata != "run-capture" || p[2].KataResult != "passed" {
		t.Errorf("Past = %+v; want oldest first, with the kata", p)
	}
	want := []InterviewTrend{{Level: "junior", Count: 2, First: 52, Last: 74.5, Change: 22.5}, {Level: "mid", Count: 1, First: 40, Last: 40}}
	if got := rep.Interviews.Trend; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Trend = %+v; want %+v", got, want)
	}
	since := Score(Input{Records: recs, Now: testNow, Since: testNow.AddDate(0, 0, -5)})
	if len(since.Interviews.Past) != 2 {
		t.Errorf("since 5 days: %d interviews; want 2", len(since.Interviews.Past))
	}
	if none := Score(Input{Now: testNow}); none.Interviews != nil {
		t.Errorf("no interviews: Interviews = %+v; want nil", none.Interviews)
	}
	// Next measures InterviewGap from the latest interview at a level.
	h := digest(recs, time.Time{})
	if got := h.lastInterview("junior"); !got.Equal(testNow.AddDate(0, 0, -1)) {
		t.Errorf("lastInterview(junior) = %s; want a day ago", got)
	}
}
