package assess

import (
	"encoding/json"
	"time"
)

// TrendWeeks is how many weeks the trend shows at most, ending with the current week.
const TrendWeeks = 8

// Week is one week of the trend: the plain accuracy of the answers given that week (the
// mean of their fractions, with no weighting by age).
type Week struct {
	Start    time.Time `json:"-"` // midnight on Monday, in the report's location
	Answers  int       `json:"answers"`
	Accuracy *float64  `json:"accuracy"` // percent; nil for a week without answers
}

// MarshalJSON writes the week's start as a date.
func (w Week) MarshalJSON() ([]byte, error) {
	type plain Week
	return json.Marshal(struct {
		Week string `json:"week"`
		plain
	}{w.Start.Format(time.DateOnly), plain(w)})
}

// weekStart returns midnight on the Monday of t's week, in t's location.
func weekStart(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	back := (int(d.Weekday()) + 6) % 7 // days since Monday
	return d.AddDate(0, 0, -back)
}

// trend returns the weekly accuracy of the answers to known questions, from the week of
// the first answer (or of since, or TrendWeeks weeks back, whichever is latest) to the week
// of now. It is empty when there are no answers.
func trend(h history, known map[string]bool, now time.Time, since time.Time) []Week {
	loc := now.Location()
	type acc struct {
		n          int
		score, max float64
	}
	byWeek := map[time.Time]*acc{}
	var first time.Time
	for _, r := range h.all {
		if r.Type != "answer" || !known[r.Question] {
			continue
		}
		ws := weekStart(r.Time.In(loc))
		if first.IsZero() || ws.Before(first) {
			first = ws
		}
		a := byWeek[ws]
		if a == nil {
			a = &acc{}
			byWeek[ws] = a
		}
		a.n++
		a.score += fraction(r)
		a.max++
	}
	out := []Week{}
	if first.IsZero() {
		return out
	}
	last := weekStart(now)
	start := last.AddDate(0, 0, -7*(TrendWeeks-1))
	if first.After(start) {
		start = first
	}
	if !since.IsZero() && weekStart(since.In(loc)).After(start) {
		start = weekStart(since.In(loc))
	}
	for ws := start; !ws.After(last); ws = ws.AddDate(0, 0, 7) {
		w := Week{Start: ws}
		if a := byWeek[ws]; a != nil {
			w.Answers = a.n
			w.Accuracy = pct(a.score / a.max)
		}
		out = append(out, w)
	}
	return out
}
