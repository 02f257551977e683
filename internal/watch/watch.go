// Package watch re-runs a job whenever files in a folder are saved: a Watcher turns file
// events (fsnotify) or polling into debounced change signals, and a Loop runs the job once
// at the start and again after each change, one run at a time, so that a save during a run
// queues exactly one more run and no save is lost.
//
// Editors save in many ways (write in place, write a temporary file and rename it, delete
// and re-create), so the Watcher watches the folder, not the files, and filters by name. On
// filesystems that deliver no events (WSL's /mnt, some network and container mounts) the
// Watcher's slow background poll still sees the save, reports it, and signals Missed so the
// caller can suggest polling mode.
package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Defaults of Options.
const (
	DefaultDebounce     = 200 * time.Millisecond
	DefaultPollInterval = 500 * time.Millisecond // polling mode
	FallbackInterval    = time.Second            // the background poll of event mode
)

// Options configures a Watcher. The zero value watches *.go files with file events.
type Options struct {
	// Match reports whether a file, by its base name, is watched; nil means names ending in
	// ".go" that do not start with ".".
	Match func(name string) bool
	// Debounce is how long a burst of saves must be quiet before it is reported; 0 means
	// DefaultDebounce.
	Debounce time.Duration
	// Poll finds saves by comparing the files' size and modification time every
	// PollInterval, instead of by file events.
	Poll bool
	// PollInterval is the polling period; 0 means DefaultPollInterval with Poll and
	// FallbackInterval without.
	PollInterval time.Duration

	noEvents bool // tests: do not subscribe to events, as on a filesystem that sends none
}

// Watcher reports saves in one folder. Build it with New and stop it with Close.
type Watcher struct {
	// C receives a value after each burst of saves. It holds at most one value: saves made
	// while an earlier signal is unread are folded into it, never lost.
	C <-chan struct{}
	// Missed receives one value, the first time the background poll of event mode finds a
	// save that produced no file event. It never fires in polling mode.
	Missed <-chan struct{}
	// Errors receives errors from the event source; it may be ignored.
	Errors <-chan error

	c, missed chan struct{}
	errs      chan error
	dir       string
	opts      Options
	fsw       *fsnotify.Watcher
	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
}

// New starts watching dir, which must exist.
func New(dir string, opts Options) (*Watcher, error) {
	if opts.Match == nil {
		opts.Match = func(name string) bool { return strings.HasSuffix(name, ".go") && !strings.HasPrefix(name, ".") }
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = FallbackInterval
		if opts.Poll {
			opts.PollInterval = DefaultPollInterval
		}
	}
	if st, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("watch: %q is not a folder", dir)
	}
	w := &Watcher{
		c: make(chan struct{}, 1), missed: make(chan struct{}, 1), errs: make(chan error, 8),
		dir: dir, opts: opts, done: make(chan struct{}),
	}
	w.C, w.Missed, w.Errors = w.c, w.missed, w.errs
	var events <-chan fsnotify.Event
	var evErrs <-chan error
	if !opts.Poll {
		fsw, err := fsnotify.NewWatcher()
		if err != nil {
			return nil, fmt.Errorf("watch: file events are not available (%w); use polling mode", err)
		}
		if !opts.noEvents {
			if err := fsw.Add(dir); err != nil {
				fsw.Close()
				return nil, fmt.Errorf("watch: cannot watch %q for file events (%w); use polling mode", dir, err)
			}
		}
		w.fsw, events, evErrs = fsw, fsw.Events, fsw.Errors
	}
	known := w.snapshot() // before New returns, so that every later save is a change
	w.wg.Add(1)
	go w.loop(known, events, evErrs)
	return w, nil
}

// Close stops the watcher and waits for it. It is safe to call more than once.
func (w *Watcher) Close() error {
	var err error
	w.closeOnce.Do(func() {
		close(w.done)
		if w.fsw != nil {
			err = w.fsw.Close()
		}
		w.wg.Wait()
	})
	return err
}

// fileState is what polling compares.
type fileState struct {
	size int64
	mod  time.Time
}

// snapshot returns the state of the matching files in the folder.
func (w *Watcher) snapshot() map[string]fileState {
	entries, err := os.ReadDir(w.dir)
	if err != nil {
		return nil
	}
	m := make(map[string]fileState, len(entries))
	for _, e := range entries {
		if e.IsDir() || !w.opts.Match(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil {
			m[e.Name()] = fileState{info.Size(), info.ModTime()}
		}
	}
	return m
}

// changed returns the names whose state differs between a and b (added, removed or changed).
func changed(a, b map[string]fileState) []string {
	var names []string
	for n, s := range b {
		if old, ok := a[n]; !ok || old.size != s.size || !old.mod.Equal(s.mod) {
			names = append(names, n)
		}
	}
	for n := range a {
		if _, ok := b[n]; !ok {
			names = append(names, n)
		}
	}
	return names
}

func (w *Watcher) loop(known map[string]fileState, events <-chan fsnotify.Event, evErrs <-chan error) {
	defer w.wg.Done()
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	defer debounce.Stop()
	tick := time.NewTicker(w.opts.PollInterval)
	defer tick.Stop()

	pending := map[string]bool{}      // names saved since the last report
	suspect := map[string]fileState{} // event mode: changes seen by polling, with no event yet
	missedSent := false
	save := func(name string) {
		pending[name] = true
		debounce.Reset(w.opts.Debounce)
	}
	for {
		select {
		case <-w.done:
			return
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			name := filepath.Base(ev.Name)
			if ev.Op == fsnotify.Chmod || !w.opts.Match(name) {
				continue
			}
			delete(suspect, name)
			save(name)
		case err, ok := <-evErrs:
			if !ok {
				evErrs = nil
				continue
			}
			select {
			case w.errs <- err:
			default:
			}
		case <-debounce.C:
			known = w.snapshot()
			clear(pending)
			clear(suspect)
			select {
			case w.c <- struct{}{}:
			default: // a signal is already waiting: it covers these saves too
			}
		case <-tick.C:
			cur := w.snapshot()
			for _, name := range changed(known, cur) {
				switch {
				case pending[name]:
					// an event already reported it
				case w.opts.Poll:
					save(name)
				case suspectState(suspect, name) == cur[name]:
					// Changed for two ticks and still no event: the event was lost.
					save(name)
					if !missedSent {
						missedSent = true
						w.missed <- struct{}{}
					}
				default:
					suspect[name] = cur[name]
				}
			}
		}
	}
}

// suspectState returns the state polling saw for name without an event, or a state that
// equals no file's when there is none.
func suspectState(suspect map[string]fileState, name string) fileState {
	if s, ok := suspect[name]; ok {
		return s
	}
	return fileState{size: -1}
}
