package interview

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procdojo/procdojo/quiz"
)

// testStart is the fake clock's start.
var testStart = time.Date(2026, 11, 26, 14, 0, 0, 0, time.UTC)

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testBank loads testdata/bank.toml.
func testBank(t *testing.T) []*quiz.Question {
	t.Helper()
	srcs, err := quiz.SourcesFromPaths([]string{filepath.Join("testdata", "bank.toml")})
	if err != nil {
		t.Fatal(err)
	}
	qs, err := quiz.Load(srcs)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// fakePrompter answers each question by the texts of the options to choose (the rubric
// points covered for a design question), looked up by the question's options, so the test
// does not depend on the shuffled order. Every queued answer must be used.
type fakePrompter struct {
	t       *testing.T
	answers map[string][]string // options key -> texts to choose
	clock   *fakeClock
	step    time.Duration // the time each answer takes
	asked   int
	// At the ask numbered stopAt (from 1), the prompter returns stopErr instead, after
	// calling onStop when set.
	stopAt  int
	stopErr error
	onStop  func()
}

func optionsKey(opts []string) string {
	s := slices.Clone(opts)
	slices.Sort(s)
	return strings.Join(s, "\x00")
}

// newFakePrompter queues an answer per question id: the texts to choose, or nil for the
// right answer (every rubric point for a design question).
func newFakePrompter(t *testing.T, qs []*quiz.Question, clock *fakeClock, answers map[string][]string) *fakePrompter {
	f := &fakePrompter{t: t, answers: map[string][]string{}, clock: clock, step: 30 * time.Second}
	for _, q := range qs {
		choose, ok := answers[q.ID]
		if !ok {
			continue
		}
		opts := q.Options()
		if q.Kind == quiz.KindOpen {
			opts = q.Rubric
		}
		if choose == nil {
			if q.Kind == quiz.KindOpen {
				choose = q.Rubric
			}
			for _, n := range q.Correct() {
				choose = append(choose, opts[n-1])
			}
		}
		f.answers[optionsKey(opts)] = choose
	}
	t.Cleanup(func() {
		if len(f.answers) > 0 && !t.Failed() && f.stopErr == nil {
			t.Errorf("fake prompter: %d answer(s) never asked for", len(f.answers))
		}
	})
	return f
}

func (f *fakePrompter) pick(options []string) ([]int, error) {
	f.t.Helper()
	f.asked++
	if f.asked == f.stopAt {
		if f.onStop != nil {
			f.onStop()
		}
		return nil, f.stopErr
	}
	key := optionsKey(options)
	choose, ok := f.answers[key]
	if !ok {
		f.t.Fatalf("fake prompter: no answer queued for options %q", options)
	}
	delete(f.answers, key)
	if f.clock != nil {
		f.clock.Advance(f.step)
	}
	var out []int
	for _, c := range choose {
		i := slices.Index(options, c)
		if i < 0 {
			f.t.Fatalf("fake prompter: no option %q in %q", c, options)
		}
		out = append(out, i)
	}
	return out, nil
}

func (f *fakePrompter) Select(_ string, options []string) (int, error) {
	got, err := f.pick(options)
	if err != nil {
		return 0, err
	}
	return got[0], nil
}

func (f *fakePrompter) MultiSelect(_ string, options []string) ([]int, error) {
	return f.pick(options)
}

func (f *fakePrompter) Text(string) (string, error) { return "", nil }

// fakeKata is a KataRunner over a file in a temporary folder: a check passes when the file
// holds "// DONE", passes 1 of 3 tests when it holds "// PART", else none.
type fakeKata struct {
	t     *testing.T
	dir   string
	clock *fakeClock
	step  time.Duration // the time each check takes on the clock
	hints []string

	mu      sync.Mutex
	checks  int
	hintsBy []int
	// While hold is set, each check waits for release (or its context).
	hold    bool
	release chan struct{}
	started chan struct{} // receives at the start of each check
}

func newFakeKata(t *testing.T, clock *fakeClock) *fakeKata {
	return &fakeKata{t: t, dir: t.TempDir(), clock: clock, step: time.Minute,
		hints:   []string{"Use exec.Command.", "Read the ExitError."},
		release: make(chan struct{}), started: make(chan struct{}, 16)}
}

func (f *fakeKata) path() string { return filepath.Join(f.dir, "runcapture.go") }

func (f *fakeKata) write(src string) {
	f.t.Helper()
	tmp := f.path() + ".tmp~"
	if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
		f.t.Fatal(err)
	}
	if err := os.Rename(tmp, f.path()); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fakeKata) Start(id string) (string, bool, error) {
	if _, err := os.Stat(f.path()); err == nil {
		return f.path(), false, nil
	}
	return f.path(), true, os.WriteFile(f.path(), []byte("package runcapture // starter\n"), 0o644)
}

func (f *fakeKata) Check(ctx context.Context, id string) (KataResult, error) {
	src, _ := os.ReadFile(f.path())
	f.mu.Lock()
	hold := f.hold
	f.mu.Unlock()
	f.started <- struct{}{}
	if hold {
		select {
		case <-f.release:
		case <-ctx.Done():
			return KataResult{}, ctx.Err()
		}
	}
	f.mu.Lock()
	f.checks++
	f.mu.Unlock()
	if f.clock != nil {
		f.clock.Advance(f.step)
	}
	switch {
	case bytes.Contains(src, []byte("// DONE")):
		return KataResult{Pass: true, Passed: 3, Total: 3, Report: "PASS " + id + " (3/3 tests)\n"}, nil
	case bytes.Contains(src, []byte("// PART")):
		return KataResult{Passed: 1, Total: 3, Reason: "2 tests failed: TestExitCode, TestSignal",
			Report: "--- FAIL: TestExitCode\nFAIL " + id + " (1/3 tests): 2 tests failed: TestExitCode, TestSignal\n"}, nil
	}
	return KataResult{Passed: 0, Total: 3, Reason: "3 tests failed: TestStdout, TestExitCode, TestSignal",
		Report: "FAIL " + id + " (0/3 tests): 3 tests failed: TestStdout, TestExitCode, TestSignal\n"}, nil
}

func (f *fakeKata) Hint(id string, n int) (string, error) {
	if n > len(f.hints) {
		return "", ErrNoMoreHints
	}
	f.mu.Lock()
	f.hintsBy = append(f.hintsBy, n)
	f.mu.Unlock()
	return f.hints[n-1], nil
}

func (f *fakeKata) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.checks
}

// waitStarted waits for a check to start.
func (f *fakeKata) waitStarted() {
	f.t.Helper()
	select {
	case <-f.started:
	case <-time.After(20 * time.Second):
		f.t.Fatal("no check started")
	}
}

// testKatas is the catalogue the tests plan from: the kata of the fake runner and others.
var testKatas = []KataInfo{
	{ID: "run-capture", Title: "Run a program and capture what it says", Level: "junior", Topics: []string{"execfile", "exit-codes"},
		Statement: "Write Run.", Hints: 2},
	{ID: "env-cwd", Title: "Run a tool with a clean environment", Level: "junior", Lang: "go", Topics: []string{"environment"}, Passed: true},
	{ID: "large-file", Title: "Stream a large file through a child", Level: "mid", Topics: []string{"streams"}},
}

// syncBuffer is a buffer written by the session's goroutines while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until want appears in b.
func waitFor(t *testing.T, b *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(b.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 20s for %q; output:\n%s", want, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
