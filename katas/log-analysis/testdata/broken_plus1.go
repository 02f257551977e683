// Broken: gives the Scanner room for MaxLine+1 bytes, so a line of exactly MaxLine bytes is read instead of refused.
// Package loganalysis runs a command that prints a log and aggregates the log while it
// streams: lines per level and the most frequent messages.
package loganalysis

import (
	"bufio"
	"cmp"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
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
	// A context of our own, so that we can stop the child if we stop reading.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	cmd := exec.CommandContext(ctx, name, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Summary{}, fmt.Errorf("loganalysis: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return Summary{}, fmt.Errorf("loganalysis: starting %q: %w", name, err)
	}

	// Read while the child runs. The default Scanner buffer gives up on lines of 64 KiB
	// (bufio.MaxScanTokenSize); let it grow up to MaxLine+1.
	counts := newCounter()
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64*1024), MaxLine+1)
	for sc.Scan() {
		counts.add(sc.Text())
	}
	scanErr := sc.Err()
	if scanErr != nil {
		// Nobody reads the pipe any more: once it is full the child blocks for ever and
		// Wait with it. Stop the child first.
		cancel()
	}

	// Wait only after reading to EOF: Wait closes the pipe, and what was not read is lost.
	waitErr := cmd.Wait()
	summary := counts.summary(k)
	if scanErr != nil {
		return summary, fmt.Errorf("loganalysis: reading the output of %q: %w", name, scanErr)
	}
	if waitErr != nil {
		return summary, fmt.Errorf("loganalysis: %q: %w", name, waitErr)
	}
	return summary, nil
}

// counter aggregates lines as they arrive.
type counter struct {
	lines, malformed int
	levels           map[string]int
	messages         map[string]int
}

func newCounter() *counter {
	return &counter{levels: map[string]int{}, messages: map[string]int{}}
}

func (c *counter) add(line string) {
	c.lines++
	_, rest, ok1 := strings.Cut(line, " ")
	level, message, ok2 := strings.Cut(rest, " ")
	if !ok1 || !ok2 || level == "" || message == "" {
		c.malformed++
		return
	}
	c.levels[level]++
	c.messages[message]++
}

// summary returns the totals and the k most frequent messages.
func (c *counter) summary(k int) Summary {
	s := Summary{Lines: c.lines, Malformed: c.malformed, Levels: c.levels}
	if k <= 0 {
		return s
	}
	all := make([]Count, 0, len(c.messages))
	for m, n := range c.messages {
		all = append(all, Count{Message: m, Count: n})
	}
	slices.SortFunc(all, func(a, b Count) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Message, b.Message))
	})
	s.Top = all[:min(k, len(all))]
	return s
}
