package quiz

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// Report is the outcome of a session. Its JSON form is what `procdojo quiz --json` prints.
type Report struct {
	Seed     uint64    `json:"seed"`
	Shuffled bool      `json:"shuffled"`
	Started  time.Time `json:"started"`
	Ended    time.Time `json:"ended"`
	Asked    int       `json:"asked"`   // questions in the session
	Stopped  bool      `json:"stopped"` // the user stopped before the end
	Results  []Result  `json:"questions"`
	Total    Tally     `json:"total"`
	Levels   []Tally   `json:"levels"`
	Topics   []Tally   `json:"topics"`

	// Width is the width WriteText wraps at; 0 does not wrap. Run sets the session's.
	Width int `json:"-"`
}

// Tally adds up the results of one group (a level, a topic, or all).
type Tally struct {
	Name     string  `json:"name,omitempty"`
	Answered int     `json:"answered"`
	Correct  int     `json:"correct"`
	Score    float64 `json:"score"`
	Max      float64 `json:"max"`
	Percent  float64 `json:"percent"`
}

func (t *Tally) add(r Result) {
	t.Answered++
	if r.Correct {
		t.Correct++
	}
	t.Score += r.Score
	t.Max += r.Max
	if t.Max > 0 {
		t.Percent = round1(100 * t.Score / t.Max)
	}
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

// tally fills Total, Levels and Topics from Results.
func (r *Report) tally() {
	r.Total = Tally{}
	levels, topics := map[string]*Tally{}, map[string]*Tally{}
	group := func(m map[string]*Tally, name string) *Tally {
		if m[name] == nil {
			m[name] = &Tally{Name: name}
		}
		return m[name]
	}
	for _, res := range r.Results {
		r.Total.add(res)
		group(levels, res.Level).add(res)
		group(topics, res.Topic).add(res)
	}
	r.Levels = []Tally{}
	for _, l := range Levels {
		if t := levels[l]; t != nil {
			r.Levels = append(r.Levels, *t)
		}
	}
	r.Topics = []Tally{}
	for _, t := range topics {
		r.Topics = append(r.Topics, *t)
	}
	sort.Slice(r.Topics, func(i, j int) bool { return r.Topics[i].Name < r.Topics[j].Name })
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	if r.Results == nil {
		r.Results = []Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the human summary: score, percent, per level and per topic, the time
// taken and the seed that replays the session.
func (r *Report) WriteText(out io.Writer) {
	var w strings.Builder
	defer func() { io.WriteString(out, Wrap(w.String(), r.Width)) }()
	fmt.Fprintln(&w)
	if r.Stopped {
		fmt.Fprintf(&w, "Stopped early: %d of %d questions answered.\n", len(r.Results), r.Asked)
	}
	fmt.Fprintf(&w, "Score: %s of %s (%.1f%%)\n", num(r.Total.Score), num(r.Total.Max), r.Total.Percent)
	if len(r.Results) > 0 {
		writeTallies(&w, "Level", r.Levels)
		writeTallies(&w, "Topic", r.Topics)
	}
	took := r.Ended.Sub(r.Started).Round(time.Second)
	fmt.Fprintf(&w, "Time: %s\n", took)
	if r.Shuffled {
		fmt.Fprintf(&w, "Seed: %d (replay this session with --seed %d)\n", r.Seed, r.Seed)
	} else {
		fmt.Fprintln(&w, "Order: bank order (--no-shuffle)")
	}
}

func writeTallies(w io.Writer, title string, ts []Tally) {
	width := len(title)
	for _, t := range ts {
		width = max(width, len(t.Name))
	}
	fmt.Fprintf(w, "\n  %-*s  %9s  %6s\n", width, title, "score", "%")
	for _, t := range ts {
		fmt.Fprintf(w, "  %-*s  %9s  %5.1f%%\n", width, t.Name, num(t.Score)+"/"+num(t.Max), t.Percent)
	}
}

// num prints a score without trailing zeros: 3, 2.5, 1.33.
func num(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
