package assess

import (
	"slices"
	"strings"
	"time"

	"github.com/procdojo/procdojo/internal/fsrs"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/quiz"
)

// Card is one question's review state: the FSRS card obtained by replaying the question's
// answers from the log, in time order, through the scheduler.
type Card struct {
	Q *quiz.Question
	fsrs.Card
}

// Seen reports whether the question was ever answered.
func (c Card) Seen() bool { return c.Reps > 0 }

// IsDue reports whether an answered question is due for review at now.
func (c Card) IsDue(now time.Time) bool { return c.Seen() && !c.Due.After(now) }

// Cards replays every answer record (quiz and review alike) through s and returns one card
// per question, in the order of qs. Answers to questions not in qs are ignored.
func Cards(recs []progress.Record, qs []*quiz.Question, s fsrs.Scheduler) []Card {
	h := digest(recs, time.Time{})
	cards := make([]Card, len(qs))
	for i, q := range qs {
		c := Card{Q: q}
		for _, r := range h.answers[q.ID] {
			c.Card = s.Review(c.Card, RatingOf(q, r), r.Time)
		}
		cards[i] = c
	}
	return cards
}

// RatingOf returns the rating an answer record stands for: the rating it carries (review
// answers), else one derived from it: for an open question from the share of rubric points
// covered (OpenRating), for the others from right or wrong and the time taken against
// ExpectedTime (fsrs.RatingFromAnswer).
func RatingOf(q *quiz.Question, r progress.Record) fsrs.Rating {
	if rt := fsrs.Rating(r.Rating); rt >= fsrs.Again && rt <= fsrs.Easy {
		return rt
	}
	if q.Kind == quiz.KindOpen {
		return OpenRating(fraction(r))
	}
	return fsrs.RatingFromAnswer(correct(r), time.Duration(r.ElapsedMS)*time.Millisecond, ExpectedTime(q))
}

// OpenRating rates an open answer the user did not rate: every rubric point covered is
// Good, at least half is Hard, less is Again.
func OpenRating(frac float64) fsrs.Rating {
	switch {
	case frac >= 1:
		return fsrs.Good
	case frac >= 0.5:
		return fsrs.Hard
	}
	return fsrs.Again
}

// ExpectedTime is how long a right answer to q is expected to take: 10 seconds to decide,
// plus a quarter of a second per word to read (prompt, code and options), plus 10 seconds
// for a multi question, which asks for every right option. Open questions have none (0):
// the user rates them.
func ExpectedTime(q *quiz.Question) time.Duration {
	if q.Kind == quiz.KindOpen {
		return 0
	}
	words := len(strings.Fields(q.Prompt)) + len(strings.Fields(q.Code))
	for _, o := range q.Options() {
		words += len(strings.Fields(o))
	}
	d := 10*time.Second + time.Duration(words)*250*time.Millisecond
	if q.Kind == quiz.KindMulti {
		d += 10 * time.Second
	}
	return d
}

// Plan picks the cards of a review session at now: the due cards, most overdue first (ties
// in the order of cards), at most n of them; when none is due, the questions never answered
// instead, junior first and in bank order within a level. n <= 0 means no limit. fresh
// reports whether the cards are new ones.
func Plan(cards []Card, now time.Time, n int) (plan []Card, fresh bool) {
	for _, c := range cards {
		if c.IsDue(now) {
			plan = append(plan, c)
		}
	}
	if len(plan) > 0 {
		slices.SortStableFunc(plan, func(a, b Card) int { return a.Due.Compare(b.Due) })
	} else {
		fresh = true
		for _, c := range cards {
			if !c.Seen() {
				plan = append(plan, c)
			}
		}
		slices.SortStableFunc(plan, func(a, b Card) int { return levelRank(a.Q.Level) - levelRank(b.Q.Level) })
	}
	if n > 0 && len(plan) > n {
		plan = plan[:n]
	}
	return plan, fresh
}

// DueCount returns how many cards are due at now, and the earliest due time of the others
// (zero when no answered card is left).
func DueCount(cards []Card, now time.Time) (due int, next time.Time) {
	for _, c := range cards {
		switch {
		case c.IsDue(now):
			due++
		case c.Seen() && (next.IsZero() || c.Due.Before(next)):
			next = c.Due
		}
	}
	return due, next
}

func levelRank(level string) int {
	if i := slices.Index(quiz.Levels, level); i >= 0 {
		return i
	}
	return len(quiz.Levels)
}
