// Package loganalysis runs a command that prints a log and aggregates the log while it
// streams: lines per level and the most frequent messages.
package loganalysis

import (
	"context"
	"errors"
)

// MaxLine is the longest line Analyze reads: lines shorter than MaxLine bytes are read
// whole, a longer one stops Analyze with an error.
const MaxLine = 1 << 20

// Summary is what Analyze learned from a log.
type Summary struct {
	Lines     int            // lines read, malformed ones included
	Malformed int            // lines not of the form "<time> <LEVEL> <message>"
	Levels    map[string]int // well-formed lines per level, such as "INFO" or "ERROR"
	Top       []Count        // the most frequent messages, most frequent first
}

// Count is how many well-formed lines carried one message (the text after the level).
type Count struct {
	Message string
	Count   int
}

// Analyze runs name with args and reads its stdout line by line while it runs; each line
// is "<time> <LEVEL> <message>", three parts separated by single spaces (the message may
// contain more spaces). It returns the Summary with at most k messages in Top, ties in
// message order (none if k <= 0).
//
// The Summary covers every line read, even when Analyze also returns an error: the error
// wraps *exec.ExitError if the command failed, or bufio.ErrTooLong if a line was not
// shorter than MaxLine (Analyze then stops the command rather than wait for it).
func Analyze(ctx context.Context, name string, args []string, k int) (Summary, error) {
	// TODO: start the command with a pipe on stdout, scan it line by line while it runs
	// (with a buffer that grows to MaxLine), count, then Wait and report its status.
	return Summary{}, errors.New("not implemented")
}
