// Package quiz loads and checks question banks and runs quiz sessions.
//
// A bank is a TOML file of one level (see questions/README.md). Load reads banks strictly and
// reports every problem as "path:line:col: message". Select picks and orders the questions of
// a session; Run asks them through a Prompter, scores each answer as it is given and hands the
// result to the caller (who appends it to the progress log) before asking the next. The
// package knows nothing of flags or of any prompt library.
package quiz
