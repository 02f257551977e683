// Package quiz loads and checks question banks and runs quiz sessions.
//
// A bank is a TOML file of one level (see questions/README.md). ReadSources reads bank files
// and folders, only regular files and at most MaxBankSize bytes of each, and never blocks on
// a named pipe. Load pre-checks each bank's text against the limits of precheck.go (lines,
// nesting, keys and values, characters that would act on a terminal) before the TOML decoder
// sees it, then reads it strictly, and reports every problem as "path:line:col: message".
// Select picks and orders the questions of a session; Run asks them through a Prompter,
// scores each answer as it is given and hands the result to the caller (who appends it to
// the progress log) before asking the next. Bank text is escaped before it is printed and
// wrapped at the terminal's width. The package knows nothing of flags or of any prompt
// library.
package quiz
