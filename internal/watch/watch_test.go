package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// modes are the two ways a Watcher finds saves; each test runs in both.
var modes = []struct {
	name string
	opts Options
}{
	{"events", Options{Debounce: 100 * time.Millisecond}},
	{"poll", Options{Debounce: 100 * time.Millisecond, Poll: true, PollInterval: 40 * time.Millisecond}},
}

// save writes content to dir/name the way an editor that writes in place does.
func save(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// receive waits up to d for a signal on c.
func receive(c <-chan struct{}, d time.Duration) bool {
	select {
	case <-c:
		return true
	case <-time.After(d):
		return false
	}
}

func newWatcher(t *testing.T, dir string, opts Options) *Watcher {
	t.Helper()
	w, err := New(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestBurstIsOneChange(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			save(t, dir, "kata.go", "package kata\n")
			// A burst is saves closer together than the debounce. Saves in a row take
			// microseconds; a debounce of a second keeps them one burst even when a busy
			// machine pauses the test for a while between two of them.
			opts := m.opts
			opts.Debounce = time.Second
			w := newWatcher(t, dir, opts)
			for i := range 5 {
				save(t, dir, "kata.go", fmt.Sprintf("package kata // save %d%s\n", i, string(make([]byte, i))))
			}
			if !receive(w.C, 10*time.Second) {
				t.Fatal("no change reported for five saves")
			}
			if receive(w.C, 2*opts.Debounce) {
				t.Error("five quick saves were reported as more than one change")
			}
		})
	}
}

func TestOtherFilesAreIgnored(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			w := newWatcher(t, dir, m.opts)
			save(t, dir, ".kata.go.swp", "x")
			save(t, dir, "notes.txt", "x")
			save(t, dir, "4913", "x")
			if receive(w.C, 500*time.Millisecond) {
				t.Error("a save of a non-.go file was reported")
			}
			// An editor that writes a temporary file and renames it over the original.
			save(t, dir, "kata.go.tmp~", "package kata\n")
			if err := os.Rename(filepath.Join(dir, "kata.go.tmp~"), filepath.Join(dir, "kata.go")); err != nil {
				t.Fatal(err)
			}
			if !receive(w.C, 3*time.Second) {
				t.Error("a save by rename was not reported")
			}
		})
	}
}

// TestMissedEvent watches with events on a folder that sends none: the background poll
// must still report the save, and say that an event was missed.
func TestMissedEvent(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	save(t, dir, "kata.go", "package kata\n")
	w := newWatcher(t, dir, Options{Debounce: 50 * time.Millisecond, PollInterval: 40 * time.Millisecond, noEvents: true})
	save(t, dir, "kata.go", "package kata // edited\n")
	if !receive(w.C, 3*time.Second) {
		t.Fatal("a save without an event was lost")
	}
	if !receive(w.Missed, time.Second) {
		t.Error("Missed did not fire for a save without an event")
	}
	// With events, the same save is no miss.
	dir2 := t.TempDir()
	w2 := newWatcher(t, dir2, Options{Debounce: 50 * time.Millisecond, PollInterval: 40 * time.Millisecond})
	save(t, dir2, "kata.go", "package kata\n")
	if !receive(w2.C, 3*time.Second) {
		t.Fatal("no change reported")
	}
	if receive(w2.Missed, 300*time.Millisecond) {
		t.Error("Missed fired although the event arrived")
	}
}

// checker is a fake job: it records the file's content at each run and, when gate is set,
// blocks each run until the test releases it.
type checker struct {
	t       *testing.T
	path    string
	gate    bool
	started chan int      // receives the run number as each run starts
	release chan struct{} // lets a gated run finish

	mu   sync.Mutex
	seen []string
}

func newChecker(t *testing.T, path string, gate bool) *checker {
	return &checker{t: t, path: path, gate: gate, started: make(chan int, 16), release: make(chan struct{})}
}

func (c *checker) check(ctx context.Context) {
	b, _ := os.ReadFile(c.path)
	c.mu.Lock()
	c.seen = append(c.seen, string(b))
	n := len(c.seen)
	c.mu.Unlock()
	c.started <- n
	if c.gate {
		select {
		case <-c.release:
		case <-ctx.Done():
		}
	}
}

func (c *checker) runs() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.seen...)
}

func (c *checker) waitStart(want int) {
	c.t.Helper()
	select {
	case n := <-c.started:
		if n != want {
			c.t.Fatalf("run %d started; want run %d", n, want)
		}
	case <-time.After(5 * time.Second):
		c.t.Fatalf("run %d never started (runs so far: %d)", want, len(c.runs()))
	}
}

// TestSaveDuringRunQueuesOneRerun saves three times while a check runs: exactly one more
// run follows, and it sees the last save.
func TestSaveDuringRunQueuesOneRerun(t *testing.T) {
	t.Parallel()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "kata.go")
			save(t, dir, "kata.go", "v0")
			w := newWatcher(t, dir, m.opts)
			c := newChecker(t, path, true)
			ctx, cancel := context.WithCancel(context.Background())
			// The loop's changes pass through the test, which learns when the loop has taken
			// each one: no save is still on its way when run 2 is released.
			changes, taken := make(chan struct{}), make(chan struct{}, 16)
			go func() {
				for {
					select {
					case <-ctx.Done():
						return
					case <-w.C:
					}
					select {
					case changes <- struct{}{}:
						taken <- struct{}{}
					case <-ctx.Done():
						return
					}
				}
			}()
			loop := &Loop{Changes: changes, Check: c.check}
			errc := make(chan error, 1)
			go func() { errc <- loop.Run(ctx) }()

			c.waitStart(1) // the first check, at once
			c.release <- struct{}{}
			save(t, dir, "kata.go", "v1")
			c.waitStart(2)
			waitTaken(t, taken, "v1")
			for _, v := range []string{"v2", "v3!", "v4!!"} { // three saves, each reported on its own
				save(t, dir, "kata.go", v)
				waitTaken(t, taken, v)
			}
			c.release <- struct{}{}
			c.waitStart(3) // the one queued re-run
			c.release <- struct{}{}
			select {
			case n := <-c.started:
				t.Errorf("run %d started; want exactly one re-run after saves during a run", n)
			case <-time.After(600 * time.Millisecond):
			}
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("Run() = %v; want context.Canceled", err)
			}
			if got := c.runs(); len(got) != 3 || got[1] != "v1" || got[2] != "v4!!" {
				t.Errorf("runs saw %q; want v0, v1, then the last save v4!!", got)
			}
		})
	}
}

// waitTaken waits until the loop has taken the change that the save of v caused.
func waitTaken(t *testing.T, taken <-chan struct{}, v string) {
	t.Helper()
	if !receive(taken, 10*time.Second) {
		t.Fatalf("the save of %q was not reported to the loop within 10s", v)
	}
}

// TestKeyStopsAndCancelsTheRun ends the loop with a key while a check runs: the check's
// context ends and Run waits for it.
func TestKeyStopsAndCancelsTheRun(t *testing.T) {
	t.Parallel()
	keys := make(chan rune)
	var cancelled bool
	started := make(chan struct{})
	loop := &Loop{
		Changes: make(chan struct{}),
		Check: func(ctx context.Context) {
			close(started)
			<-ctx.Done()
			time.Sleep(50 * time.Millisecond)
			cancelled = true
		},
		Keys: keys,
		Key:  func(r rune) bool { return r == 'q' },
	}
	errc := make(chan error, 1)
	go func() { errc <- loop.Run(context.Background()) }()
	<-started
	keys <- 'x'
	keys <- 'q'
	select {
	case err := <-errc:
		if err != nil || !cancelled {
			t.Errorf("Run() = %v, check cancelled and finished %v; want nil, true", err, cancelled)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after q")
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "f.go")
	save(t, dir, "f.go", "x")
	for _, p := range []string{filepath.Join(dir, "missing"), file} {
		if w, err := New(p, Options{}); err == nil {
			w.Close()
			t.Errorf("New(%q) = nil error; want one", p)
		}
	}
}

// TestLazyCheckNowAndStopWhenIdle runs a lazy loop: nothing runs at the start; a key asks
// for a run (CheckNow); another, during the run, asks to stop when idle: the run is not
// cancelled, and Run returns nil once it is over.
func TestLazyCheckNowAndStopWhenIdle(t *testing.T) {
	t.Parallel()
	keys := make(chan rune)
	started := make(chan struct{}, 2)
	release := make(chan struct{})
	var cancelled bool
	loop := &Loop{Changes: make(chan struct{}), Keys: keys, Lazy: true}
	loop.Check = func(ctx context.Context) {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
			cancelled = true
		}
	}
	loop.Key = func(r rune) bool {
		switch r {
		case 'c':
			loop.CheckNow()
		case 'e':
			loop.StopWhenIdle()
		}
		return false
	}
	errc := make(chan error, 1)
	go func() { errc <- loop.Run(context.Background()) }()
	select {
	case <-started:
		t.Fatal("a lazy loop ran Check at the start")
	case <-time.After(200 * time.Millisecond):
	}
	keys <- 'c'
	<-started
	keys <- 'c' // queued: one more run after this one
	keys <- 'e'
	select {
	case err := <-errc:
		t.Fatalf("Run() = %v while a run was going on; want it to wait", err)
	case <-time.After(200 * time.Millisecond):
	}
	release <- struct{}{}
	<-started // the queued run
	release <- struct{}{}
	select {
	case err := <-errc:
		if err != nil || cancelled {
			t.Errorf("Run() = %v, a run cancelled = %v; want nil, false", err, cancelled)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return once idle after StopWhenIdle")
	}
}

// TestStopWhenIdleAtOnce: StopWhenIdle with nothing running ends Run at once.
func TestStopWhenIdleAtOnce(t *testing.T) {
	t.Parallel()
	keys := make(chan rune, 1)
	loop := &Loop{Changes: make(chan struct{}), Keys: keys, Lazy: true,
		Check: func(context.Context) { t.Error("Check ran") }}
	loop.Key = func(rune) bool { loop.StopWhenIdle(); return false }
	keys <- 'e'
	if err := loop.Run(context.Background()); err != nil {
		t.Errorf("Run() = %v; want nil", err)
	}
}
