// Package fsrs schedules flashcard-style reviews with the FSRS-5
// spaced-repetition model (Free Spaced Repetition Scheduler, version 5, by
// the open-spaced-repetition project).
//
// Each card carries a memory state: a difficulty D in [1, 10] and a
// stability S, the number of days after which the chance of recalling the
// card has fallen to 90%. The chance of recall t days after the last review,
// the retrievability R, follows the power forgetting curve
//
//	R(t, S) = (1 + 19/81 * t/S)^(-0.5)
//
// After each review, rated [Again], [Hard], [Good] or [Easy], a [Scheduler]
// updates D and S using its 19 weights and schedules the next review for the
// day on which R is expected to drop to the desired retention (0.9 by
// default).
//
// procdojo uses the package to decide when an exercise should be practised
// again; [RatingFromAnswer] turns a graded answer and its response time into
// a rating. The package does no I/O, keeps no state of its own, and applies
// no random "fuzz" to intervals, so a schedule is fully determined by its
// inputs.
package fsrs
