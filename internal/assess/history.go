package assess

import (
	"slices"
	"time"

	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/quiz"
)

// Kata is what assess needs to know of a kata. Callers build it from the kata catalogue.
type Kata struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	Level  string   `json:"level"`
	Lang   string   `json:"lang,omitempty"` // go or node; "" counts as go
	Topics []string `json:"topics"`
	// Started reports that the user's file for the kata exists; false when unknown. It only
	// changes the command suggested for a kata never checked (check rather than start).
	Started bool `json:"started"`
}

// Input is what an assessment is computed from. Records may be in any order (they are
// sorted by time); Questions and Katas are the material, in the order they are listed (for
// katas, the catalogue's: level, then id).
type Input struct {
	Records   []progress.Record
	Questions []*quiz.Question
	Katas     []Kata
	// Now is the time of the assessment; the zero value means time.Now(). Its location is
	// the one weeks are counted in.
	Now time.Time
	// Since, when not zero, leaves out records older than it.
	Since time.Time
}

func (in Input) now() time.Time {
	if in.Now.IsZero() {
		return time.Now()
	}
	return in.Now
}

// history is the log grouped for the computations: answers per question and kata checks
// and hints per kata, each in time order.
type history struct {
	answers map[string][]progress.Record
	checks  map[string][]progress.Record
	hints   map[string]int // the highest hint revealed per kata
	all     []progress.Record
}

// digest groups the records at or after since (all of them when since is zero).
func digest(recs []progress.Record, since time.Time) history {
	sorted := make([]progress.Record, 0, len(recs))
	for _, r := range recs {
		if since.IsZero() || !r.Time.Before(since) {
			sorted = append(sorted, r)
		}
	}
	slices.SortStableFunc(sorted, func(a, b progress.Record) int { return a.Time.Compare(b.Time) })
	h := history{
		answers: map[string][]progress.Record{},
		checks:  map[string][]progress.Record{},
		hints:   map[string]int{},
		all:     sorted,
	}
	for _, r := range sorted {
		switch r.Type {
		case progress.TypeAnswer:
			if r.Question != "" {
				h.answers[r.Question] = append(h.answers[r.Question], r)
			}
		case progress.TypeKataCheck:
			if r.Kata != "" {
				h.checks[r.Kata] = append(h.checks[r.Kata], r)
			}
		case progress.TypeHint:
			h.hints[r.Kata] = max(h.hints[r.Kata], r.Hint)
		}
	}
	return h
}

// fraction is an answer's score as a fraction from 0 to 1. A record without a max counts
// as out of 1.
func fraction(r progress.Record) float64 {
	m := r.Max
	if m <= 0 {
		m = 1
	}
	return min(max(r.Score/m, 0), 1)
}

// correct reports whether an answer got full marks.
func correct(r progress.Record) bool { return fraction(r) >= 1 }

// Mastery returns the weighted mean of the fractions of attempts (in time order): the
// latest weighs 1 and each older attempt half as much as the next newer one. It is 0 for no
// attempts.
func Mastery(attempts []progress.Record) float64 {
	var sum, weights float64
	w := 1.0
	for i := len(attempts) - 1; i >= 0; i-- {
		sum += w * fraction(attempts[i])
		weights += w
		w /= 2
	}
	if weights == 0 {
		return 0
	}
	return sum / weights
}

// KataStatus is how far the user got with a kata, from the log.
type KataStatus string

// Kata statuses.
const (
	KataNew       KataStatus = "new"       // never checked
	KataAttempted KataStatus = "attempted" // checked, never passed (as "procdojo kata list" says)
	KataPassed    KataStatus = "passed"    // passed at least once
)

// KataProgress is a kata with the user's status in it.
type KataProgress struct {
	Kata
	Status     KataStatus `json:"status"`
	Checks     int        `json:"checks"`      // how many checks were recorded
	BestPassed int        `json:"best_passed"` // the most reference tests passed in one check
	Total      int        `json:"total"`       // the reference tests of that check
	Hints      int        `json:"hints"`       // hints revealed
	LastCheck  time.Time  `json:"last_check,omitzero"`
}

// Score returns the kata's contribution to topic mastery, from 0 to 1: 1 when passed, else
// half the best fraction of reference tests passed.
func (k KataProgress) Score() float64 {
	switch {
	case k.Status == KataPassed:
		return 1
	case k.Total > 0:
		return 0.5 * float64(k.BestPassed) / float64(k.Total)
	}
	return 0
}

// KataProgressOf returns each kata with its status, in the order given.
func KataProgressOf(katas []Kata, recs []progress.Record) []KataProgress {
	return digest(recs, time.Time{}).kataProgress(katas)
}

func (h history) kataProgress(katas []Kata) []KataProgress {
	out := make([]KataProgress, len(katas))
	for i, k := range katas {
		kp := KataProgress{Kata: k, Status: KataNew, Hints: h.hints[k.ID]}
		for _, c := range h.checks[k.ID] {
			kp.Checks++
			kp.LastCheck = c.Time
			if c.Verdict == "pass" {
				kp.Status = KataPassed
			} else if kp.Status == KataNew {
				kp.Status = KataAttempted
			}
			if c.Total > 0 && (kp.Total == 0 || float64(c.Passed)/float64(c.Total) > float64(kp.BestPassed)/float64(kp.Total)) {
				kp.BestPassed, kp.Total = c.Passed, c.Total
			}
		}
		out[i] = kp
	}
	return out
}

// NextKata returns the kata to do next: the kata last checked if it is not passed yet, else
// the first kata not passed after the one passed last (in the order given, wrapping round),
// else the first kata not passed. When the user has checked katas, one in the language of
// the kata checked last comes first: they practise in the language of their interviews. ok
// is false when every kata is passed (or there are none).
func NextKata(ks []KataProgress) (k KataProgress, ok bool) {
	last, lastPass := -1, -1
	for i, kp := range ks {
		if kp.Checks == 0 {
			continue
		}
		if last < 0 || kp.LastCheck.After(ks[last].LastCheck) {
			last = i
		}
		if kp.Status == KataPassed && (lastPass < 0 || kp.LastCheck.After(ks[lastPass].LastCheck)) {
			lastPass = i
		}
	}
	if last >= 0 && ks[last].Status != KataPassed {
		return ks[last], true
	}
	if last >= 0 {
		lang := langOf(ks[last].Kata)
		var same []KataProgress
		at := -1 // lastPass's place in same
		for i, kp := range ks {
			if langOf(kp.Kata) == lang {
				if i == lastPass {
					at = len(same)
				}
				same = append(same, kp)
			}
		}
		if k, ok := NextAfter(same, at); ok {
			return k, true
		}
	}
	return NextAfter(ks, lastPass)
}

// langOf is a kata's language, go when it does not say.
func langOf(k Kata) string {
	if k.Lang == "" {
		return "go"
	}
	return k.Lang
}

// NextAfter returns the first kata not passed after index i (in the order given, wrapping
// round); i < 0 starts at the first kata. ok is false when every kata is passed.
func NextAfter(ks []KataProgress, i int) (k KataProgress, ok bool) {
	for j := 1; j <= len(ks); j++ {
		kp := ks[(i+j+len(ks))%len(ks)]
		if kp.Status != KataPassed {
			return kp, true
		}
	}
	return KataProgress{}, false
}

// FutureSkew is how far after now a record may be dated and still count (as made now):
// the clocks of two machines that share a log differ a little.
const FutureSkew = 10 * time.Minute

// DropFuture returns the records of recs that are not dated after now, with those dated
// less than FutureSkew after now moved to now, in order. The others would stay the latest
// answer or check until their date (a wrong answer dated 2099 would pin a question's
// mastery and schedule for ever, and a date in year 9999 would put review dates beyond what
// JSON can hold); they are left out, and counted in dropped, with the latest of their dates.
func DropFuture(recs []progress.Record, now time.Time) (kept []progress.Record, dropped int, latest time.Time) {
	kept = recs[:0:0]
	for _, r := range recs {
		switch {
		case !r.Time.After(now):
		case r.Time.Sub(now) < FutureSkew:
			r.Time = now
		default:
			dropped++
			if r.Time.After(latest) {
				latest = r.Time
			}
			continue
		}
		kept = append(kept, r)
	}
	return kept, dropped, latest
}
