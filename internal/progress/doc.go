// Package progress stores what a user has done (answered questions, kata checks, hints seen)
// as an append-only JSON Lines log, history.jsonl, in the user's data directory.
//
// Each record is one write under an advisory lock, so two procdojo processes appending at
// once lose nothing, and a crash loses at most the record being written. Reading skips a torn
// or corrupt line with a warning and never rewrites the file. Everything else procdojo knows
// about the user (scores, the review schedule, kata status) is derived from this one log.
//
// The log is only ever the user's own regular file in the user's own private folder: a
// symbolic link in its place is not followed, and a named pipe, a device, a folder, another
// user's file, or a data directory that others own or may write in is refused with an
// *Error that says what to do. Every failure to read or write the log is an *Error.
package progress
