package assess

import (
	"fmt"
	"io"
	"math"
	"time"

	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/quiz"
)

// PastInterview is one mock interview from the log.
type PastInterview struct {
	Time       time.Time `json:"time"` // when it ended
	Level      string    `json:"level"`
	Lang       string    `json:"lang"`
	Seed       uint64    `json:"seed"`
	Percent    float64   `json:"percent"`
	Verdict    Verdict   `json:"verdict"`
	Ended      string    `json:"ended"` // finished, stopped or interrupted
	DurationMS int64     `json:"duration_ms"`
	Kata       string    `json:"kata,omitempty"`
	KataResult string    `json:"kata_result,omitempty"`
}

// InterviewTrend is how one level's interviews went over time: the overall score of the
// first and the last in the report's window.
type InterviewTrend struct {
	Level  string  `json:"level"`
	Count  int     `json:"count"`
	First  float64 `json:"first"`  // percent
	Last   float64 `json:"last"`   // percent
	Change float64 `json:"change"` // Last - First, in points
}

// Interviews is the mock interview part of the score report.
type Interviews struct {
	Past  []PastInterview  `json:"past"` // oldest first, at most InterviewsShown
	Trend []InterviewTrend `json:"trend"`
}

// InterviewsShown is how many past interviews the score report lists at most, the latest.
const InterviewsShown = 10

// InterviewGap is how long after an interview at a level Next suggests another one there.
const InterviewGap = 3 * 24 * time.Hour

// interviews returns the interviews of the history in time order.
func (h history) interviews() []PastInterview {
	var out []PastInterview
	for _, r := range h.all {
		if r.Type != progress.TypeInterview || r.Interview == nil {
			continue
		}
		iv := r.Interview
		p := PastInterview{Time: r.Time, Level: r.Level, Lang: iv.Lang, Seed: iv.Seed, Percent: iv.Percent,
			Verdict: Verdict(iv.Verdict), Ended: iv.Ended, DurationMS: r.ElapsedMS}
		for _, s := range iv.Sections {
			if s.Kata != "" {
				p.Kata, p.KataResult = s.Kata, s.Outcome
			}
		}
		out = append(out, p)
	}
	return out
}

// interviewReport returns the interviews part of the report, or nil when there was none.
func interviewReport(h history) *Interviews {
	all := h.interviews()
	if len(all) == 0 {
		return nil
	}
	rep := &Interviews{Past: all[max(0, len(all)-InterviewsShown):], Trend: []InterviewTrend{}}
	for _, level := range quiz.Levels {
		var t *InterviewTrend
		for _, p := range all {
			if p.Level != level {
				continue
			}
			if t == nil {
				t = &InterviewTrend{Level: level, First: p.Percent}
			}
			t.Count++
			t.Last = p.Percent
		}
		if t != nil {
			t.Change = math.Round((t.Last-t.First)*10) / 10
			rep.Trend = append(rep.Trend, *t)
		}
	}
	return rep
}

// lastInterview returns when the latest interview at level ended; zero when none.
func (h history) lastInterview(level string) time.Time {
	var last time.Time
	for _, p := range h.interviews() {
		if p.Level == level && p.Time.After(last) {
			last = p.Time
		}
	}
	return last
}

// InterviewLevel returns the level a mock interview should be at by default: the first
// level with material that is not ready, else the last level with material.
func InterviewLevel(levels []Level) string {
	last := ""
	for _, l := range levels {
		if l.QuestionsTotal == 0 && l.KatasTotal == 0 {
			continue
		}
		if l.Verdict != Ready {
			return l.Name
		}
		last = l.Name
	}
	if last == "" {
		return "junior"
	}
	return last
}

// writeText writes the interviews part of the score report, times in loc; nothing when
// there is none.
func (iv *Interviews) writeText(w io.Writer, p painter, loc *time.Location) {
	if iv == nil {
		return
	}
	fmt.Fprintf(w, "\nMock interviews (procdojo interview)\n")
	for _, x := range iv.Past {
		lang := x.Lang
		if lang == "" {
			lang = "any"
		}
		v := p.verdict(x.Verdict)
		if x.Ended != "" && x.Ended != "finished" {
			v += " (" + x.Ended + ")"
		}
		pc := x.Percent
		fmt.Fprintf(w, "  %s  %-6s  %-4s  %s  %s  %s\n", x.Time.In(loc).Format("2006-01-02 15:04"), x.Level, lang,
			p.bar(&pc, BarWidth/2), p.percent(&pc), v)
	}
	for _, t := range iv.Trend {
		if t.Count < 2 {
			fmt.Fprintf(w, "  %s: 1 interview, %.1f%%\n", t.Level, t.Last)
			continue
		}
		fmt.Fprintf(w, "  %s: %d interviews, %.1f%% → %.1f%% (%+.1f points)\n", t.Level, t.Count, t.First, t.Last, t.Change)
	}
}
