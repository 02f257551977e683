package kata

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Status is the outcome of a check or of one test.
type Status string

// Statuses. A check's Result is pass, fail or error; a test is pass, fail, skip, running
// (started and never finished) or notrun.
const (
	StatusPass    Status = "pass"
	StatusFail    Status = "fail"
	StatusError   Status = "error"
	StatusSkip    Status = "skip"
	StatusRunning Status = "running"
	StatusNotRun  Status = "notrun"
)

// TestResult is the result of one reference top-level test.
type TestResult struct {
	Name     string          `json:"name"`
	Status   Status          `json:"status"`
	Duration time.Duration   `json:"-"`
	Output   string          `json:"message,omitempty"` // its output and its subtests', capped at MaxTestOutput
	Subtests []SubtestResult `json:"subtests,omitempty"`
}

// SubtestResult is the result of a subtest.
type SubtestResult struct {
	Name     string        `json:"name"`
	Status   Status        `json:"status"`
	Duration time.Duration `json:"-"`
}

// Result is the outcome of a check.
type Result struct {
	Kata   string `json:"kata"`
	Status Status `json:"status"`           // pass, fail, or error when Check also returned an error
	Reason string `json:"reason,omitempty"` // why it is not a pass, in one line

	Passed int          `json:"passed"` // reference tests that passed (or skipped)
	Total  int          `json:"total"`  // the number of reference tests (Kata.Tests)
	Tests  []TestResult `json:"tests"`  // one per reference test, in Kata.Tests order

	BuildFailed bool   `json:"build_failed,omitempty"`
	BuildOutput string `json:"build_output,omitempty"` // compiler and vet errors, capped
	Output      string `json:"output,omitempty"`       // output outside any test and go's stderr, capped

	Limit    time.Duration `json:"-"`                   // the deadline of the tests
	TimedOut bool          `json:"timed_out,omitempty"` // the deadline killed them
	Exit     string        `json:"exit,omitempty"`      // how the test binary ended: "exit status 1", "killed by signal 9 (killed)"
	ExitCode int           `json:"exit_code"`           // its exit code, or 128+signal
	Duration time.Duration `json:"-"`                   // the tests' run, the build left out

	Cached        bool          `json:"cached"`              // the test binary came from the cache: no build
	BuildDuration time.Duration `json:"-"`                   // the build, when there was one
	Leftovers     int           `json:"leftovers,omitempty"` // processes still alive when the tests ended, killed by the checker
}

// MarshalJSON adds the durations in milliseconds.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	type test struct {
		TestResult
		DurationMS int64 `json:"duration_ms"`
	}
	tests := make([]test, len(r.Tests))
	for i, t := range r.Tests {
		tests[i] = test{t, t.Duration.Milliseconds()}
	}
	return json.Marshal(struct {
		plain
		Tests           []test `json:"tests"`
		LimitMS         int64  `json:"limit_ms"`
		DurationMS      int64  `json:"duration_ms"`
		BuildDurationMS int64  `json:"build_ms"`
	}{plain(r), tests, r.Limit.Milliseconds(), r.Duration.Milliseconds(), r.BuildDuration.Milliseconds()})
}

// judge sets res's tests, counts, output, status and reason from what the collector saw;
// res.Output may already hold the test binary's stderr, and res.Exit its exit. skippable
// lists the tests that may skip (Kata.Skippable). fixPaths, when set, rewrites the paths in
// compiler errors. A time-out or interruption is decided by the caller afterwards.
//
// The verdict is pass only when every reference test passed (or skipped, when skippable),
// each test reported one result, and the harness signed the end of the tests with the
// check's nonce and status 0. Framing lines that the solution prints (a fake "--- PASS")
// therefore cannot turn a failing, skipped or unfinished run into a pass.
func judge(res *Result, tests []string, col *collector, skippable map[string]string, fixPaths func(string) string) {
	res.BuildFailed = col.buildFailed
	res.BuildOutput = col.buildOut.String()
	res.Output = col.pkgOut.String() + res.Output
	if fixPaths != nil {
		res.BuildOutput, res.Output = fixPaths(res.BuildOutput), fixPaths(res.Output)
	}
	k := &Kata{Skippable: skippable}
	var failed, unfinished, notRun, skipped []string
	res.Total = len(tests)
	for _, name := range tests {
		tr := TestResult{Name: name, Status: StatusNotRun}
		if got := col.tests[name]; got != nil {
			tr = *got
		}
		res.Tests = append(res.Tests, tr)
		switch tr.Status {
		case StatusPass:
			res.Passed++
		case StatusSkip:
			if _, ok := k.SkipReason(name); ok {
				res.Passed++
			} else {
				skipped = append(skipped, name)
			}
		case StatusFail:
			failed = append(failed, name)
		case StatusRunning:
			unfinished = append(unfinished, name)
		default:
			notRun = append(notRun, name)
		}
		for _, sub := range tr.Subtests {
			if _, ok := k.SkipReason(sub.Name); sub.Status == StatusSkip && !ok && tr.Status != StatusFail {
				skipped = append(skipped, sub.Name)
			}
		}
	}
	early := func() string {
		var parts []string
		if len(unfinished) > 0 {
			parts = append(parts, strings.Join(capList(unfinished, 10), ", ")+" did not finish")
		}
		if len(notRun) > 0 {
			parts = append(parts, strings.Join(capList(notRun, 10), ", ")+" never ran")
		}
		return fmt.Sprintf("the test binary exited early (%s): %s", orUnknown(res.Exit), strings.Join(parts, "; "))
	}
	res.Status = StatusFail
	switch {
	case col.buildFailed:
		res.Reason = "build failed: " + firstError(res.BuildOutput, res.Output)
	case len(failed) > 0:
		res.Reason = plural(len(failed), "test") + " failed: " + strings.Join(capList(failed, 10), ", ")
		if len(unfinished)+len(notRun) > 0 {
			res.Reason += "; " + early()
		}
	case len(col.tests) == 0 && res.Total > 0:
		res.Reason = "the test binary ran no test (" + orUnknown(res.Exit) + "): " + firstError(res.Output, "")
	case len(unfinished)+len(notRun) > 0:
		res.Reason = early()
	case !col.harnessEnded:
		// Whatever test results came, the framework never confirmed them.
		res.Passed = 0
		res.Reason = fmt.Sprintf("the test binary ended (%s) before the test framework finished: something in the solution ended the process (os.Exit, syscall.Exit, log.Fatal or a signal)", orUnknown(res.Exit))
	case len(col.conflicts) > 0:
		res.Reason = fmt.Sprintf("%s reported more than one result: lines printed by the solution looked like test results (print your own messages elsewhere)",
			strings.Join(capList(col.conflicts, 5), ", "))
	case len(skipped) > 0:
		var parts []string
		for _, name := range capList(skipped, 5) {
			if msg := col.skipMsg[name]; msg != "" {
				name += " (" + msg + ")"
			}
			parts = append(parts, name)
		}
		res.Reason = "skipped: " + strings.Join(parts, ", ") + "; a test that skips has not passed"
	case col.harnessStatus != 0 || res.ExitCode != 0:
		res.Reason = fmt.Sprintf("the tests failed (%s) although every test passed: %s", orUnknown(res.Exit), firstError(res.Output, ""))
	default:
		res.Status, res.Reason = StatusPass, ""
	}
}

// capList returns list, or its first n entries and a count of the rest.
func capList(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(slices.Clone(list[:n]), fmt.Sprintf("and %d more", len(list)-n))
}

func orUnknown(exit string) string {
	if exit == "" {
		return "no exit status"
	}
	return exit
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// firstError returns the first line of out that says something (not a "# package" header),
// else of alt, else "(no output)".
func firstError(out, alt string) string {
	for _, s := range []string{out, alt} {
		for _, line := range strings.Split(s, "\n") {
			line = strings.TrimSpace(line)
			if line != "" && !strings.HasPrefix(line, "#") {
				return line
			}
		}
	}
	return "(no output)"
}

// absPaths rewrites the "./name.go:" paths of compiler errors about the user's own files to
// full paths, which terminals and editors can open. Errors in the reference tests keep their
// short names: those files exist only in procdojo.
func absPaths(out, dir string) string {
	lines := strings.SplitAfter(out, "\n")
	for i, line := range lines {
		name, _, ok := strings.Cut(strings.TrimPrefix(line, "./"), ":")
		if !ok || !strings.HasPrefix(line, "./") || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		lines[i] = filepath.Join(dir, name) + line[len("./")+len(name):]
	}
	return strings.Join(lines, "")
}

// runningTests returns the innermost tests that started and never finished.
func (c *collector) runningTests() []string {
	var names []string
	for name := range c.running {
		inner := true
		for other := range c.running {
			if strings.HasPrefix(other, name+"/") {
				inner = false
				break
			}
		}
		if inner {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}
