// Package progress stores what a user has done (answered questions, kata checks, hints seen)
// as an append-only JSON Lines log, history.jsonl, in the user's data directory.
//
// Each record is one write under an advisory lock, so two procdojo processes appending at
// once lose nothing, and a crash loses at most the record being written. Reading skips a torn
// or corrupt line with a warning and never rewrites the file. Everything else procdojo knows
// about the user (scores, the review schedule, kata status) is derived from this one log.
package progress
