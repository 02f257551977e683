package fsrs

import (
	"fmt"
	"math"
	"time"
)

// Rating is the grade given to a card at review time. The zero Rating is not
// a valid grade; [Scheduler.Review] treats it like [Again].
type Rating int

// The four FSRS grades, from forgotten to effortless recall.
const (
	Again Rating = 1 // not recalled
	Hard  Rating = 2 // recalled with serious difficulty
	Good  Rating = 3 // recalled after some hesitation
	Easy  Rating = 4 // recalled effortlessly
)

// String returns the rating's name, such as "Good", or "Rating(n)" for a
// value outside Again..Easy.
func (r Rating) String() string {
	switch r {
	case Again:
		return "Again"
	case Hard:
		return "Hard"
	case Good:
		return "Good"
	case Easy:
		return "Easy"
	}
	return fmt.Sprintf("Rating(%d)", int(r))
}

// RatingFromAnswer derives a rating from a graded answer and how long it
// took, by this rule:
//
//   - a wrong answer is Again;
//   - a right answer slower than twice the expected time
//     (elapsed > 2*expected) is Hard;
//   - a right answer within half the expected time (elapsed <= expected/2)
//     is Easy;
//   - any other right answer is Good.
//
// An expected time of zero or less means there is no expectation to compare
// against, and every right answer is Good.
func RatingFromAnswer(correct bool, elapsed, expected time.Duration) Rating {
	switch {
	case !correct:
		return Again
	case expected <= 0:
		return Good
	case elapsed > 2*expected:
		return Hard
	case elapsed <= expected/2:
		return Easy
	}
	return Good
}

// Card is the review state of one item.
//
// The zero Card is a new card that has never been reviewed. More generally a
// card counts as new while its Stability is zero (or negative) or its
// LastReview is the zero time, since the model needs both.
type Card struct {
	// Due is when the next review is scheduled; zero for a new card.
	Due time.Time
	// Stability is the memory stability S in days: the time after the last
	// review at which recall probability falls to 90%. Zero means new.
	Stability float64
	// Difficulty is the memory difficulty D in [1, 10], 10 being hardest.
	// It is meaningless (zero) for a new card.
	Difficulty float64
	// Reps counts reviews of the card; zero for a new card.
	Reps int
	// Lapses counts times the card was forgotten, that is, rated Again at a
	// review on a later day than the previous one. A same-day Again and an
	// Again on the first review do not count.
	Lapses int
	// LastReview is when the card was last reviewed; zero for a new card.
	LastReview time.Time
}

// Model constants of FSRS-5.
const (
	decay  = -0.5
	factor = 19.0 / 81.0 // 0.9^(1/decay) - 1, so that R(S, S) = 0.9

	minDifficulty = 1.0
	maxDifficulty = 10.0
	minStability  = 0.01 // keeps S positive so the formulas stay finite

	day = 24 * time.Hour
)

// defaultWeights are the published FSRS-5 default weights w0..w18.
var defaultWeights = [19]float64{
	0.40255, 1.18385, 3.173, 15.69105, // w0..w3: initial stability per rating
	7.1949, 0.5345, // w4, w5: initial difficulty
	1.4604, 0.0046, // w6, w7: difficulty step and mean reversion
	1.54575, 0.1192, 1.01925, // w8..w10: stability after recall
	1.9395, 0.11, 0.29605, 2.2698, // w11..w14: stability after forgetting
	0.2315, 2.9898, // w15, w16: hard penalty, easy bonus
	0.51655, 0.6621, // w17, w18: same-day (short-term) stability
}

// Default values of the Scheduler settings.
const (
	defaultDesiredRetention = 0.9
	defaultMaximumInterval  = 36500 // days, about 100 years
)

// Scheduler holds the FSRS-5 parameters. The zero Scheduler behaves exactly
// like [Default]().
type Scheduler struct {
	// Weights are the model weights w0..w18. All zeros means the
	// published FSRS-5 default weights; any other value is used as given.
	Weights [19]float64
	// DesiredRetention is the recall probability at which the next review
	// is scheduled. Zero, or any value outside (0, 1), means 0.9.
	DesiredRetention float64
	// MaximumInterval caps the interval, in days. Zero or less means
	// 36500.
	MaximumInterval int
}

// Default returns a Scheduler with the FSRS-5 default weights, a desired
// retention of 0.9 and a maximum interval of 36500 days.
func Default() Scheduler {
	return Scheduler{
		Weights:          defaultWeights,
		DesiredRetention: defaultDesiredRetention,
		MaximumInterval:  defaultMaximumInterval,
	}
}

// norm returns s with its zero-valued settings replaced by the defaults.
func (s Scheduler) norm() Scheduler {
	if s.Weights == ([19]float64{}) {
		s.Weights = defaultWeights
	}
	if !(s.DesiredRetention > 0 && s.DesiredRetention < 1) {
		s.DesiredRetention = defaultDesiredRetention
	}
	if s.MaximumInterval <= 0 {
		s.MaximumInterval = defaultMaximumInterval
	}
	return s
}

// Review returns c updated by a review rated r at time now.
//
// A new card gets the initial stability w[r-1] and the initial difficulty
// w4 - e^(w5*(r-1)) + 1. Otherwise the elapsed time since LastReview is
// counted in whole days (24-hour periods, rounded down, never negative), as
// in the FSRS-5 reference model, and:
//
//   - zero elapsed days is a same-day review, with new stability
//     S*e^(w17*(r-3+w18));
//   - Again on a later day is a lapse, with the post-forgetting stability
//     (capped at the old S);
//   - Hard, Good or Easy on a later day is a recall, with the post-recall
//     stability.
//
// These use the card's difficulty from before the review; the difficulty is
// then updated on every review of a non-new card. The result has Reps
// incremented, LastReview = now and Due = now plus the next interval in
// whole days, at least 1 and at most MaximumInterval. Ratings below Again
// count as Again and above Easy as Easy. The argument c is not modified.
func (s Scheduler) Review(c Card, r Rating, now time.Time) Card {
	s = s.norm()
	r = min(max(r, Again), Easy)
	g := float64(r)

	if isNew(c) {
		c.Stability = max(s.Weights[r-1], minStability)
		c.Difficulty = s.initDifficulty(g)
	} else {
		t := elapsedDays(c.LastReview, now)
		var stab float64
		switch {
		case t == 0:
			stab = s.shortTermStability(c.Stability, g)
		case r == Again:
			stab = s.forgetStability(c.Difficulty, c.Stability, retrievability(t, c.Stability))
			c.Lapses++
		default:
			stab = s.recallStability(c.Difficulty, c.Stability, retrievability(t, c.Stability), r)
		}
		c.Stability = max(stab, minStability)
		c.Difficulty = s.nextDifficulty(c.Difficulty, g)
	}
	c.Reps++
	c.LastReview = now
	c.Due = now.Add(time.Duration(s.interval(c.Stability)) * day)
	return c
}

// Retrievability returns the probability, between 0 and 1, that c can be
// recalled at time now: R(t, S) = (1 + 19/81 * t/S)^(-0.5), with t the whole
// days since LastReview as in [Scheduler.Review]. It is 1 on the day of the
// review and exactly 0.9 when t equals S. A new card returns 0, as nothing has
// been learnt yet. The result does not depend on the Scheduler's settings.
func (s Scheduler) Retrievability(c Card, now time.Time) float64 {
	if isNew(c) {
		return 0
	}
	return retrievability(elapsedDays(c.LastReview, now), c.Stability)
}

func isNew(c Card) bool {
	return !(c.Stability > 0) || c.LastReview.IsZero()
}

// elapsedDays is the number of whole 24-hour periods from last to now, or 0
// if now is not after last.
func elapsedDays(last, now time.Time) float64 {
	if !now.After(last) {
		return 0
	}
	return math.Floor(float64(now.Sub(last)) / float64(day))
}

// retrievability is the forgetting curve R(t, S).
func retrievability(t, stab float64) float64 {
	return math.Pow(1+factor*t/stab, decay)
}

// interval is the number of days until R falls to the desired retention,
// I = S/FACTOR * (r^(1/DECAY) - 1), rounded and clamped to
// [1, MaximumInterval].
func (s Scheduler) interval(stab float64) int {
	days := math.Round(stab / factor * (math.Pow(s.DesiredRetention, 1/decay) - 1))
	return int(min(max(days, 1), float64(s.MaximumInterval)))
}

func clampDifficulty(d float64) float64 {
	return min(max(d, minDifficulty), maxDifficulty)
}

// initDifficulty is D0(G) = w4 - e^(w5*(G-1)) + 1, clamped to [1, 10].
func (s Scheduler) initDifficulty(g float64) float64 {
	w := &s.Weights
	return clampDifficulty(w[4] - math.Exp(w[5]*(g-1)) + 1)
}

// nextDifficulty moves d by -w6*(G-3), damped linearly by (10-d)/9 so it
// approaches 10 asymptotically, then reverts it towards D0(Easy) by the
// fraction w7, and clamps the result to [1, 10].
func (s Scheduler) nextDifficulty(d, g float64) float64 {
	w := &s.Weights
	delta := -w[6] * (g - 3)
	damped := d + delta*(10-d)/9
	return clampDifficulty(w[7]*s.initDifficulty(4) + (1-w[7])*damped)
}

// recallStability is S * (1 + e^w8 * (11-D) * S^-w9 * (e^(w10*(1-R)) - 1)
// * hardPenalty * easyBonus), with hardPenalty = w15 for Hard and
// easyBonus = w16 for Easy (1 otherwise).
func (s Scheduler) recallStability(d, stab, ret float64, r Rating) float64 {
	w := &s.Weights
	mod := 1.0
	switch r {
	case Hard:
		mod = w[15]
	case Easy:
		mod = w[16]
	}
	growth := math.Exp(w[8]) * (11 - d) * math.Pow(stab, -w[9]) * (math.Exp(w[10]*(1-ret)) - 1)
	return stab * (1 + growth*mod)
}

// forgetStability is w11 * D^-w12 * ((S+1)^w13 - 1) * e^(w14*(1-R)),
// never more than the old stability S.
func (s Scheduler) forgetStability(d, stab, ret float64) float64 {
	w := &s.Weights
	sf := w[11] * math.Pow(d, -w[12]) * (math.Pow(stab+1, w[13]) - 1) * math.Exp(w[14]*(1-ret))
	return min(sf, stab)
}

// shortTermStability is S * e^(w17*(G-3+w18)), for same-day reviews.
func (s Scheduler) shortTermStability(stab, g float64) float64 {
	w := &s.Weights
	return stab * math.Exp(w[17]*(g-3+w[18]))
}
