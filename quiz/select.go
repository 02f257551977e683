package quiz

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Filter narrows a pool of questions. Empty fields match everything.
type Filter struct {
	Levels []string
	Topics []string
	Lang   string
}

// ErrNoMatch is returned when a filter leaves no question.
var ErrNoMatch = errors.New("no question matches")

// Validate checks the filter's values against the known levels, topics and langs.
func (f Filter) Validate() error {
	for _, l := range f.Levels {
		if !contains(Levels, l) {
			return fmt.Errorf("quiz: unknown level %q (use %s)%s", l, strings.Join(Levels, ", "), didYouMean(l, Levels))
		}
	}
	for _, t := range f.Topics {
		if !contains(Topics, t) {
			return fmt.Errorf("quiz: unknown topic %q%s (procdojo questions list shows the topics in use)", t, didYouMean(t, Topics))
		}
	}
	if f.Lang != "" && !contains(Langs, f.Lang) {
		return fmt.Errorf("quiz: unknown lang %q (use %s)%s", f.Lang, strings.Join(Langs, ", "), didYouMean(f.Lang, Langs))
	}
	return nil
}

// Match reports whether q passes the filter.
func (f Filter) Match(q *Question) bool {
	return (len(f.Levels) == 0 || contains(f.Levels, q.Level)) &&
		(len(f.Topics) == 0 || contains(f.Topics, q.Topic)) &&
		(f.Lang == "" || f.Lang == q.Lang)
}

// Apply returns the questions that pass the filter, in order, or an error wrapping
// ErrNoMatch that names the filter.
func (f Filter) Apply(qs []*Question) ([]*Question, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var out []*Question
	for _, q := range qs {
		if f.Match(q) {
			out = append(out, q)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("quiz: %w %s", ErrNoMatch, f)
	}
	return out, nil
}

func (f Filter) String() string {
	var parts []string
	if len(f.Levels) > 0 {
		parts = append(parts, "level "+strings.Join(f.Levels, " or "))
	}
	if len(f.Topics) > 0 {
		parts = append(parts, "topic "+strings.Join(f.Topics, " or "))
	}
	if f.Lang != "" {
		parts = append(parts, "lang "+f.Lang)
	}
	if len(parts) == 0 {
		return "(no filter)"
	}
	return strings.Join(parts, " and ")
}

// Item is a question as one session asks it: Order[i] is the 0-based bank index of the
// option shown in place i.
type Item struct {
	Q     *Question
	Order []int
}

// Shown returns the options in the order they are shown.
func (it Item) Shown() []string {
	opts := it.Q.Options()
	out := make([]string, len(it.Order))
	for i, o := range it.Order {
		out[i] = opts[o]
	}
	return out
}

// ToBank maps 0-based shown positions to 1-based bank option numbers, sorted.
func (it Item) ToBank(shown []int) []int {
	out := make([]int, 0, len(shown))
	for _, s := range shown {
		out = append(out, it.Order[s]+1)
	}
	slices.Sort(out)
	return out
}

// CorrectShown returns the 1-based shown numbers of the right options, sorted.
func (it Item) CorrectShown() []int {
	var out []int
	for i, o := range it.Order {
		if slices.Contains(it.Q.Correct(), o+1) {
			out = append(out, i+1)
		}
	}
	return out
}

// Pick chooses the questions of a session: n of pool (all when n <= 0 or n >= len(pool)),
// in a random order with shuffled choices when shuffle is set, drawn from seed so the same
// seed gives the same session; in bank order with bank choice order otherwise. A truefalse
// question always shows True before False.
func Pick(pool []*Question, n int, seed uint64, shuffle bool) []Item {
	qs := append([]*Question(nil), pool...)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	if shuffle {
		rng.Shuffle(len(qs), func(i, j int) { qs[i], qs[j] = qs[j], qs[i] })
	}
	if n > 0 && n < len(qs) {
		qs = qs[:n]
	}
	items := make([]Item, len(qs))
	for i, q := range qs {
		order := make([]int, len(q.Options()))
		for j := range order {
			order[j] = j
		}
		if shuffle && q.Kind != KindTrueFalse {
			rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		}
		items[i] = Item{Q: q, Order: order}
	}
	return items
}
