package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// lockedBuffer is a buffer that the watch goroutines write to while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// waitFor waits until s appears n times in b.
func waitFor(t *testing.T, b *lockedBuffer, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(b.String(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("waited 10s for %q (x%d); output:\n%s", s, n, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// watchFixture is a workspace with the first kata of the catalogue started, and a log.
type watchFixture struct {
	cat    *kata.Catalog
	ws     *kata.Workspace
	k0, k1 *kata.Kata
	log    *progress.Log
}

func newWatchFixture(t *testing.T) *watchFixture {
	t.Helper()
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.All()) < 2 {
		t.Skip("the catalogue has fewer than two katas")
	}
	ws, err := kata.InitWorkspace(filepath.Join(t.TempDir(), "ws"))
	if err != nil {
		t.Fatal(err)
	}
	f := &watchFixture{cat: cat, ws: ws, k0: cat.All()[0], k1: cat.All()[1], log: progress.Open(t.TempDir())}
	if _, err := ws.Start(f.k0, false); err != nil {
		t.Fatal(err)
	}
	return f
}

// fakeCheck passes when the user's file holds "// DONE"; it counts the runs per kata and,
// while hold is set, keeps each run going until the test sends on release.
type fakeCheck struct {
	mu      sync.Mutex
	runs    map[string]int
	hold    bool
	release chan struct{}
}

func (f *fakeCheck) check(ctx context.Context, ws *kata.Workspace, k *kata.Kata) (*kata.Result, error) {
	src, _ := os.ReadFile(ws.File(k))
	f.mu.Lock()
	f.runs[k.ID]++
	hold := f.hold
	f.mu.Unlock()
	if hold {
		select {
		case <-f.release:
		case <-ctx.Done():
			return &kata.Result{Kata: k.ID, Status: kata.StatusError}, kata.ErrInterrupted
		}
	}
	res := &kata.Result{Kata: k.ID, Status: kata.StatusFail, Reason: "1 test failed: TestIt", Total: 1,
		Tests: []kata.TestResult{{Name: "TestIt", Status: kata.StatusFail, Output: "    it is not done\n"}}}
	if bytes.Contains(src, []byte("// DONE")) {
		res.Status, res.Reason, res.Passed = kata.StatusPass, "", 1
		res.Tests[0].Status, res.Tests[0].Output = kata.StatusPass, ""
	}
	return res, nil
}

func (f *fakeCheck) count(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.runs[id]
}

func (f *fakeCheck) setHold(h bool) {
	f.mu.Lock()
	f.hold = h
	f.mu.Unlock()
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, s...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunKataWatch drives a watch in plain mode by real saves in a workspace: a first check,
// a check per save, one queued re-check for saves during a check, PASS and the next kata,
// n to move on, h for a hint, q to quit.
func TestRunKataWatch(t *testing.T) {
	t.Parallel()
	for _, poll := range []bool{false, true} {
		name := map[bool]string{false: "events", true: "poll"}[poll]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newWatchFixture(t)
			ios, _, _, _ := iostreams.Test()
			keysR, keysW := io.Pipe()
			defer keysW.Close()
			out, errOut := &lockedBuffer{}, &lockedBuffer{}
			ios.In, ios.Out, ios.ErrOut = keysR, out, errOut
			fc := &fakeCheck{runs: map[string]int{}, release: make(chan struct{})}
			opts := &kataWatchOptions{
				IO: ios, Catalog: f.cat, Log: f.log, WS: wsLocator{Flag: f.ws.Dir}, ID: f.k0.ID,
				Poll: poll, Check: fc.check, Debounce: 100 * time.Millisecond, PollInterval: 50 * time.Millisecond,
			}
			errc := make(chan error, 1)
			go func() { errc <- runKataWatch(context.Background(), opts) }()

			file := f.ws.File(f.k0)
			waitFor(t, out, "Watching for saves", 1) // the first check
			appendTo(t, file, "\n// edit 1\n")
			waitFor(t, out, "Watching for saves", 2)

			// Three saves during a held check: exactly one more check, which sees the last.
			fc.setHold(true)
			appendTo(t, file, "\n// edit 2\n")
			deadline := time.Now().Add(10 * time.Second)
			for fc.count(f.k0.ID) < 3 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			appendTo(t, file, "// edit 3\n")
			time.Sleep(250 * time.Millisecond)
			appendTo(t, file, "// edit 4\n")
			time.Sleep(250 * time.Millisecond)
			appendTo(t, file, "// DONE\n")
			time.Sleep(250 * time.Millisecond)
			fc.setHold(false)
			fc.release <- struct{}{}
			waitFor(t, out, "PASS "+f.k0.ID, 1)
			waitFor(t, out, "Next kata: "+f.k1.ID, 1)
			time.Sleep(400 * time.Millisecond)
			if n := fc.count(f.k0.ID); n != 4 {
				t.Errorf("%d checks of %s; want 4: the first, one per save, and one for the saves during a check", n, f.k0.ID)
			}

			io.WriteString(keysW, "n\n")
			waitFor(t, out, "Started "+f.k1.ID, 1)
			waitFor(t, out, "Watching for saves", 5)
			io.WriteString(keysW, "h\n")
			waitFor(t, out, "Hint 1 of", 1)
			io.WriteString(keysW, "q\n")
			select {
			case err := <-errc:
				if err != nil {
					t.Errorf("runKataWatch() = %v; want nil after q", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("watch did not end after q")
			}
			if !f.ws.Started(f.k1) {
				t.Errorf("n did not start %s", f.k1.ID)
			}
			var checks, hints int
			for _, r := range readAll(t, f.log) {
				switch r.Type {
				case progress.TypeKataCheck:
					checks++
				case progress.TypeHint:
					hints++
				}
			}
			if checks != 5 || hints != 1 {
				t.Errorf("log has %d checks and %d hints; want 5 and 1", checks, hints)
			}
		})
	}
}

// TestRunKataWatchInterrupt ends a watch with Ctrl-C (the context) during a check: exit 130,
// and the interrupted check is not recorded.
func TestRunKataWatchInterrupt(t *testing.T) {
	t.Parallel()
	f := newWatchFixture(t)
	ios, _, _, _ := iostreams.Test()
	out := &lockedBuffer{}
	ios.Out, ios.ErrOut = out, out
	fc := &fakeCheck{runs: map[string]int{}, hold: true, release: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- runKataWatch(ctx, &kataWatchOptions{IO: ios, Catalog: f.cat, Log: f.log, WS: wsLocator{Flag: f.ws.Dir}, ID: f.k0.ID, Check: fc.check})
	}()
	waitFor(t, out, "checking "+f.k0.ID, 1)
	cancel()
	if err := <-errc; exitCode(err) != ExitInterrupted {
		t.Errorf("runKataWatch() after Ctrl-C = %v; want exit 130", err)
	}
	if recs := readAll(t, f.log); len(recs) != 0 {
		t.Errorf("log = %+v; want no record of the interrupted check", recs)
	}
}

func TestWatchedKata(t *testing.T) {
	t.Parallel()
	f := newWatchFixture(t)
	ios, _, _, _ := iostreams.Test()
	opts := &kataWatchOptions{IO: ios, Catalog: f.cat, Log: f.log}
	for _, tc := range []struct {
		name, cwd, id, want string
		wantErr             bool
	}{
		{name: "named", cwd: f.ws.Dir, id: f.k1.ID, want: f.k1.ID},
		{name: "the folder we are in", cwd: filepath.Join(f.ws.KataDir(f.k1), "sub"), want: f.k1.ID},
		{name: "the started one", cwd: f.ws.Dir, want: f.k0.ID},
		{name: "a typo", cwd: f.ws.Dir, id: f.k0.ID + "x", wantErr: true},
	} {
		o := *opts
		o.WS, o.ID = wsLocator{Flag: f.ws.Dir, Cwd: tc.cwd}, tc.id
		k, err := watchedKata(&o, f.ws)
		if tc.wantErr != (err != nil) || err == nil && k.ID != tc.want {
			t.Errorf("%s: watchedKata() = %v, %v; want %q (error: %v)", tc.name, k, err, tc.want, tc.wantErr)
		}
	}
	// With no started kata there is nothing to pick.
	ws2, err := kata.InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := *opts
	o.WS = wsLocator{Flag: ws2.Dir, Cwd: ws2.Dir}
	if _, err := watchedKata(&o, ws2); exitCode(err) != ExitUsage {
		t.Errorf("watchedKata() in an empty workspace = %v; want a usage error", err)
	}
}

// TestRunKataWatchRealCheck runs the real checker once on a starter: it fails, and the
// watch says so.
func TestRunKataWatchRealCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	t.Parallel()
	f := newWatchFixture(t)
	ios, _, _, _ := iostreams.Test()
	keysR, keysW := io.Pipe()
	defer keysW.Close()
	out := &lockedBuffer{}
	ios.In, ios.Out, ios.ErrOut = keysR, out, out
	errc := make(chan error, 1)
	go func() {
		errc <- runKataWatch(context.Background(), &kataWatchOptions{IO: ios, Catalog: f.cat, Log: f.log, WS: wsLocator{Flag: f.ws.Dir}, ID: f.k0.ID})
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(out.String(), "Watching for saves") {
		if time.Now().After(deadline) {
			t.Fatalf("no result after 2 minutes:\n%s", out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	io.WriteString(keysW, "q\n")
	if err := <-errc; err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("runKataWatch() = %v", err)
	}
	if !strings.Contains(out.String(), "FAIL "+f.k0.ID) {
		t.Errorf("the starter did not FAIL:\n%s", out)
	}
}
