package kata

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Output caps: a solution that prints gigabytes costs the checker at most these.
const (
	MaxTestOutput  = 64 << 10 // bytes kept per top-level test (its subtests included)
	MaxTotalOutput = 1 << 20  // bytes kept over all tests, package and build output
	maxLine        = 256 << 10
)

// Event is one line of "go test -json": cmd/test2json's format, with the build-output and
// build-fail actions of Go 1.24 and later (ImportPath, FailedBuild).
type Event struct {
	Time        time.Time `json:",omitempty"`
	Action      string
	Package     string  `json:",omitempty"`
	Test        string  `json:",omitempty"`
	Elapsed     float64 `json:",omitempty"`
	Output      string  `json:",omitempty"`
	ImportPath  string  `json:",omitempty"`
	FailedBuild string  `json:",omitempty"`
}

// readEvents reads a "go test -json" stream line by line and hands each event to fn. A
// line that is not an event (stray output) is handed over as an "output" event with no
// package. A line longer than maxLine is cut there, and the rest of it dropped, so the
// reader's memory stays bounded whatever the stream holds.
func readEvents(r io.Reader, fn func(Event)) error {
	br := bufio.NewReaderSize(r, maxLine)
	for {
		line, err := br.ReadSlice('\n')
		long := errors.Is(err, bufio.ErrBufferFull)
		if long {
			line = append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) { // drop the rest of the line
				_, err = br.ReadSlice('\n')
			}
			line = append(line, "... (line cut)\n"...)
		}
		if len(line) > 0 {
			var ev Event
			if bytes.HasPrefix(line, []byte("{")) && !long && json.Unmarshal(line, &ev) == nil && ev.Action != "" {
				fn(ev)
			} else {
				fn(Event{Action: "output", Output: string(line)})
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// collector turns events into per-test results, keeping output within the caps. It is
// used by one goroutine at a time.
type collector struct {
	tests       map[string]*TestResult // top-level tests by name
	order       []string               // top-level tests in the order they started
	subs        map[string][]string    // a top-level test's subtests, in the order they started
	running     map[string]bool        // tests started and not finished, subtests included
	out         map[string]*capped     // output by test, subtests included
	topBudget   map[string]*int        // bytes left for a top-level test and its subtests
	subResult   map[string]SubtestResult
	pkgOut      capped
	buildOut    capped
	binaryExit  string // how the test binary ended, when go test said ("exit status 3")
	buildFailed bool
	pkgResult   string // the package's pass or fail, "" when none came

	ended         map[string]bool   // tests (and subtests) that reported a result
	conflicts     []string          // tests that reported more than one result
	skipMsg       map[string]string // why a test skipped: the first line of its output
	harnessEnded  bool              // the harness signed the end of the tests
	harnessStatus int               // the status it reported
	budget        int               // bytes left under MaxTotalOutput
	pkgBudget     int
}

func newCollector() *collector {
	return &collector{
		tests:     map[string]*TestResult{},
		subs:      map[string][]string{},
		running:   map[string]bool{},
		out:       map[string]*capped{},
		topBudget: map[string]*int{},
		subResult: map[string]SubtestResult{},
		ended:     map[string]bool{},
		skipMsg:   map[string]string{},
		budget:    MaxTotalOutput,
		pkgBudget: MaxTestOutput,
	}
}

// topName is the top-level test that test belongs to.
func topName(test string) string {
	top, _, _ := strings.Cut(test, "/")
	return top
}

// test registers test (and its top-level test) on first sight and returns its top-level
// result.
func (c *collector) test(test string) *TestResult {
	name := topName(test)
	tr := c.tests[name]
	if tr == nil {
		tr = &TestResult{Name: name, Status: StatusNotRun}
		c.tests[name] = tr
		c.order = append(c.order, name)
		b := MaxTestOutput
		c.topBudget[name] = &b
	}
	if c.out[test] == nil {
		c.out[test] = &capped{}
		if test != name {
			c.subs[name] = append(c.subs[name], test)
		}
	}
	return tr
}

func (c *collector) add(ev Event) {
	switch ev.Action {
	case "build-output":
		c.buildOut.write(ev.Output, &c.budget, &c.pkgBudget)
		return
	case "build-fail":
		c.buildFailed = true
		return
	case actionHarnessEnd:
		c.harnessEnded = true
		c.harnessStatus, _ = strconv.Atoi(strings.TrimSpace(ev.Output))
		return
	}
	if ev.Test == "" {
		switch ev.Action {
		case "output":
			line := strings.TrimSpace(ev.Output)
			if strings.HasPrefix(line, "exit status ") || strings.HasPrefix(line, "signal: ") {
				c.binaryExit = line
			}
			if keepPackageLine(ev.Output) {
				c.pkgOut.write(ev.Output, &c.budget, &c.pkgBudget)
			}
			if strings.Contains(ev.Output, "[build failed]") || strings.Contains(ev.Output, "[setup failed]") {
				c.buildFailed = true
			}
		case "pass", "fail", "skip":
			c.pkgResult = ev.Action
			if ev.FailedBuild != "" {
				c.buildFailed = true
			}
		}
		return
	}
	tr := c.test(ev.Test)
	top := ev.Test == tr.Name
	switch ev.Action {
	case "run":
		c.running[ev.Test] = true
		if top {
			tr.Status = StatusRunning
		}
	case "output":
		if keepTestLine(ev.Output) {
			c.out[ev.Test].write(ev.Output, &c.budget, c.topBudget[tr.Name])
		}
	case "pass", "fail", "skip":
		delete(c.running, ev.Test)
		if c.ended[ev.Test] && !slices.Contains(c.conflicts, ev.Test) {
			c.conflicts = append(c.conflicts, ev.Test)
		}
		c.ended[ev.Test] = true
		if ev.Action == "skip" {
			c.skipMsg[ev.Test] = firstLine(c.out[ev.Test].String())
		}
		st := Status(ev.Action)
		d := time.Duration(ev.Elapsed * float64(time.Second))
		if top {
			tr.Status, tr.Duration = st, d
		} else {
			c.subResult[ev.Test] = SubtestResult{Name: ev.Test, Status: st, Duration: d}
		}
	}
}

// finish fills in each test's subtests and output: the test's own output, then, for each
// subtest that failed, was skipped or printed something, a "--- FAIL: name (1.00s)" line
// and its output.
func (c *collector) finish() {
	for name, tr := range c.tests {
		var b strings.Builder
		b.WriteString(c.out[name].String())
		tr.Subtests = nil
		omitted := 0
		for _, sub := range c.subs[name] {
			sr, ok := c.subResult[sub]
			if !ok {
				sr = SubtestResult{Name: sub, Status: StatusRunning}
				if !c.running[sub] {
					sr.Status = StatusNotRun
				}
			}
			tr.Subtests = append(tr.Subtests, sr)
			out := c.out[sub].String()
			if out == "" && (sr.Status == StatusPass || sr.Status == StatusNotRun) {
				continue
			}
			if *c.topBudget[name] <= 0 && out == "" {
				omitted++ // past the cap: not even the verdict line
				continue
			}
			// Laid out as go test prints subtests: the verdict line indented by depth, the
			// output (already indented once) one level further.
			indent := strings.Repeat("    ", strings.Count(sub, "/"))
			verdict := map[Status]string{StatusPass: "PASS", StatusFail: "FAIL", StatusSkip: "SKIP"}[sr.Status]
			if verdict == "" {
				fmt.Fprintf(&b, "%s--- %s (did not finish)\n", indent, sub)
			} else {
				fmt.Fprintf(&b, "%s--- %s: %s (%.2fs)\n", indent, verdict, sub, sr.Duration.Seconds())
			}
			for _, line := range strings.SplitAfter(out, "\n") {
				if line != "" {
					b.WriteString(indent + line)
				}
			}
		}
		if omitted > 0 {
			fmt.Fprintf(&b, "... (%d more subtests not shown)\n", omitted)
		}
		tr.Output = b.String()
	}
}

// keepTestLine drops the framing lines of a test's output that the report replaces: the
// === lines and the --- verdict lines.
func keepTestLine(out string) bool {
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME", "--- PASS: ", "--- FAIL: ", "--- SKIP: "} {
		if strings.HasPrefix(strings.TrimLeft(out, " "), p) {
			return false
		}
	}
	return true
}

// keepPackageLine drops go test's summary lines from the package's output.
func keepPackageLine(out string) bool {
	line := strings.TrimRight(out, "\n")
	switch {
	case line == "PASS", line == "FAIL", line == "testing: warning: no tests to run":
		return false
	case strings.HasPrefix(line, "ok  \t"), strings.HasPrefix(line, "FAIL\t"):
		return false
	}
	return true
}

// capped keeps what is written to it while every budget given allows, and counts the rest.
type capped struct {
	buf     []byte
	dropped int64
}

func (c *capped) write(s string, budgets ...*int) {
	n := len(s)
	for _, b := range budgets {
		n = min(n, max(*b, 0))
	}
	c.buf = append(c.buf, s[:n]...)
	for _, b := range budgets {
		*b -= n
	}
	c.dropped += int64(len(s) - n)
}

// String returns what was kept, with a note of how much was dropped.
func (c *capped) String() string {
	if c == nil {
		return ""
	}
	s := string(c.buf)
	if c.dropped > 0 {
		if s != "" && !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		s += "... (output cut: " + formatBytes(c.dropped) + " more)\n"
	}
	return s
}

// cappedWriter is an io.Writer over capped, with a budget of its own.
type cappedWriter struct {
	c      capped
	budget int
}

func newCappedWriter(limit int) *cappedWriter { return &cappedWriter{budget: limit} }

func (w *cappedWriter) Write(p []byte) (int, error) {
	w.c.write(string(p), &w.budget)
	return len(p), nil
}

func formatBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// firstLine returns the first line of s that says something, trimmed, at most 200 bytes.
func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" && keepTestLine(line) {
			if len(line) > 200 {
				line = line[:200] + "..."
			}
			return line
		}
	}
	return ""
}
