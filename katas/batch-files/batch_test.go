package batch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The "convert" helper is the converter: convert LOG WAVE FILE upper-cases FILE into
// FILE.out. It logs "+ pid file" to LOG when it starts and "- pid file" when it ends, each
// line one O_APPEND write, so the log replays exactly how many converters ran at once.
//
// The first line of FILE says how to behave:
//
//	ok    convert
//	bad   fail with exit status 1 and "convert: FILE: bad header" on stderr
//	late  convert, but finish only after two other conversions have finished
//	hang  never finish
//
// Before converting, a converter waits until WAVE converters are running at once (or every
// file has started, or 3s have passed), then keeps running 50ms more, so the test sees the
// limit reached, and an unbounded pool shows more than the limit at once.
func init() {
	helpers["convert"] = orphanGuard(func(args []string) int {
		logPath, file := args[0], args[3]
		wave, _ := strconv.Atoi(args[1])
		total, _ := strconv.Atoi(args[2])
		data, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintf(os.Stderr, "convert: %v\n", err)
			return 2
		}
		mode, _, _ := strings.Cut(string(data), "\n")
		logEvent(logPath, "+", file)
		if mode == "hang" {
			time.Sleep(time.Hour)
		}
		waitFor(logPath, func(s logStats) bool { return s.running >= wave || s.started >= total })
		if mode == "late" {
			waitFor(logPath, func(s logStats) bool { return s.finished >= 2 })
		}
		time.Sleep(50 * time.Millisecond)
		defer logEvent(logPath, "-", file)
		if mode == "bad" {
			fmt.Fprintf(os.Stderr, "convert: %s: bad header\nconvert: giving up\n", filepath.Base(file))
			return 1
		}
		if err := os.WriteFile(file+".out", []byte(strings.ToUpper(string(data))), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "convert: %v\n", err)
			return 2
		}
		return 0
	})
}

// orphanGuard makes a helper exit when its parent, the test binary, is gone.
func orphanGuard(h func([]string) int) func([]string) int {
	return func(args []string) int {
		ppid := os.Getppid()
		go func() {
			for range time.Tick(100 * time.Millisecond) {
				if os.Getppid() != ppid {
					os.Exit(99)
				}
			}
		}()
		return h(args)
	}
}

func logEvent(path, kind, file string) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		os.Exit(3)
	}
	defer f.Close()
	fmt.Fprintf(f, "%s %d %s\n", kind, os.Getpid(), file) // one write: atomic with O_APPEND
}

// waitFor polls the log until cond holds, for at most 3 seconds.
func waitFor(path string, cond func(logStats) bool) {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); {
		if cond(readLog(path)) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// logStats is what a replay of the converters' log shows.
type logStats struct {
	started, finished int
	running, maxAt    int // running now, and the most running at once
	pids              []int
	starts            map[string]int // converters started per file
}

func readLog(path string) logStats {
	s := logStats{starts: map[string]int{}}
	f, err := os.Open(path)
	if err != nil {
		return s
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			continue
		}
		switch fields[0] {
		case "+":
			s.started++
			s.running++
			s.maxAt = max(s.maxAt, s.running)
			pid, _ := strconv.Atoi(fields[1])
			s.pids = append(s.pids, pid)
			s.starts[fields[2]]++
		case "-":
			s.finished++
			s.running--
		}
	}
	return s
}

// batchFixture creates one file per mode in a temporary directory, and the converter log.
type batchFixture struct {
	dir, log string
	files    []string
	modes    []string
}

func newFixture(t *testing.T, modes ...string) *batchFixture {
	t.Helper()
	fx := &batchFixture{dir: t.TempDir(), modes: modes}
	fx.log = filepath.Join(fx.dir, "converters.log")
	for i, mode := range modes {
		file := filepath.Join(fx.dir, fmt.Sprintf("file%02d.txt", i))
		if err := os.WriteFile(file, []byte(mode+"\nhello from "+filepath.Base(file)+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		fx.files = append(fx.files, file)
	}
	// Whatever the solution does, no converter outlives the test.
	t.Cleanup(func() {
		for _, pid := range readLog(fx.log).pids {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return fx
}

// convertAll runs ConvertAll on the fixture with the convert helper, failing the test if it
// does not return soon after ctx ends.
func (fx *batchFixture) convertAll(t *testing.T, ctx context.Context, limit, wave int) []Result {
	t.Helper()
	exe, args := helperPath(t), helperArgs("convert", fx.log, strconv.Itoa(wave), strconv.Itoa(len(fx.files)))
	// Spare capacity, as a caller's slice may have: append(args, file) would then write
	// every goroutine's file into the same array. (The race is real but its window is
	// short: the tests catch it only now and then.)
	args = append(make([]string, 0, len(args)+8), args...)
	done := make(chan []Result, 1)
	go func() { done <- ConvertAll(ctx, fx.files, limit, exe, args...) }()
	var results []Result
	select {
	case results = <-done:
	case <-ctx.Done():
		select {
		case results = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("ConvertAll(limit %d) still running 5s after its context ended (%v); want it to kill the converters and return", limit, ctx.Err())
		}
	}
	if len(results) != len(fx.files) {
		t.Fatalf("ConvertAll(%d files) returned %d results; want one per file", len(fx.files), len(results))
	}
	for i, r := range results {
		if r.File != fx.files[i] {
			t.Fatalf("ConvertAll(...)[%d].File = %q; want %q: return the results in the order of the files, not the order the converters finish",
				i, filepath.Base(r.File), filepath.Base(fx.files[i]))
		}
	}
	return results
}

func TestConvertAll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		limit int
		modes []string
	}{
		{"limit 3", 3, []string{"late", "ok", "ok", "bad", "ok", "ok", "ok", "bad", "ok"}},
		{"limit 1", 1, []string{"ok", "bad", "ok", "ok"}},
		{"limit 0 means 1", 0, []string{"ok", "ok", "ok"}},
		{"negative limit means 1", -2, []string{"ok", "ok"}},
		{"limit above the file count", 16, []string{"ok", "bad", "late", "ok", "ok"}},
		{"first file bad", 2, []string{"bad", "bad", "ok", "ok", "ok"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newFixture(t, tc.modes...)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			want := min(max(tc.limit, 1), len(tc.modes))
			results := fx.convertAll(t, ctx, tc.limit, want)
			if ctx.Err() != nil {
				t.Fatalf("ConvertAll(limit %d) ran into its 20s deadline", tc.limit)
			}
			for i, r := range results {
				name := filepath.Base(r.File)
				out, readErr := os.ReadFile(r.File + ".out")
				switch fx.modes[i] {
				case "bad":
					var ee *exec.ExitError
					if !errors.As(r.Err, &ee) || ee.ExitCode() != 1 {
						t.Errorf("ConvertAll(...)[%d] (%s, bad).Err = %v; want an error wrapping the converter's *exec.ExitError with exit code 1", i, name, r.Err)
					} else if msg := r.Err.Error(); !strings.Contains(msg, "bad header") || strings.Contains(msg, "giving up") {
						t.Errorf("ConvertAll(...)[%d] (%s, bad).Err = %q; want the message to quote the first line of the converter's stderr (%q), and only that line", i, name, r.Err, "convert: "+name+": bad header")
					}
				default:
					if r.Err != nil {
						t.Errorf("ConvertAll(...)[%d] (%s).Err = %v; want nil: one bad file must not stop the others", i, name, r.Err)
					} else if readErr != nil || !strings.HasPrefix(string(out), strings.ToUpper(fx.modes[i])+"\nHELLO") {
						t.Errorf("ConvertAll(...)[%d] (%s): converted file %q (%v); want the converter to have run on it", i, name, out, readErr)
					}
				}
			}
			s := readLog(fx.log)
			if s.started != len(tc.modes) {
				t.Errorf("ConvertAll(%d files) started %d converters; want one per file", len(tc.modes), s.started)
			}
			for _, file := range fx.files {
				if n := s.starts[file]; n != 1 {
					t.Errorf("ConvertAll(...) started %d converters with %s as last argument; want 1. Build each converter's arguments in a new slice: append(args, file), from several goroutines, can write into args' spare capacity", n, filepath.Base(file))
					break
				}
			}
			if s.maxAt > want {
				t.Errorf("ConvertAll(limit %d): %d converters ran at once; want at most %d", tc.limit, s.maxAt, want)
			} else if s.maxAt < want {
				t.Errorf("ConvertAll(limit %d): at most %d converters ran at once; want %d: keep the limit's worth running while files remain", tc.limit, s.maxAt, want)
			}
		})
	}
}

// TestConvertAllCancel cancels the batch while the first converters hang.
func TestConvertAllCancel(t *testing.T) {
	t.Parallel()
	const limit = 2
	fx := newFixture(t, "hang", "hang", "hang", "hang", "hang", "hang")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		// Cancel once the first converters are running: an event, not a guess.
		for readLog(fx.log).started < limit && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	results := fx.convertAll(t, ctx, limit, limit)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("ConvertAll(limit %d, hanging converters) ran into its 20s deadline; want it to return once ctx is canceled", limit)
	}
	for i, r := range results {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("ConvertAll(...)[%d].Err = %v; want an error wrapping context.Canceled", i, r.Err)
		}
	}
	s := readLog(fx.log)
	if s.started != limit {
		t.Errorf("ConvertAll(limit %d) started %d converters; want %d: start no new converter once ctx is done", limit, s.started, limit)
	}
	for _, pid := range s.pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("converter pid %d is still running after ConvertAll returned (kill(pid, 0) = %v); want the running converters killed and waited for", pid, err)
		}
	}
}

// TestConvertAllCancelKeepsDone cancels the batch after two files were converted: they keep
// their nil Err, and only the files not converted get ctx's error.
func TestConvertAllCancelKeepsDone(t *testing.T) {
	t.Parallel()
	const limit = 2
	fx := newFixture(t, "ok", "ok", "hang", "hang", "hang")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	go func() {
		// Cancel once two hanging converters run: each took the slot of an "ok" file
		// whose conversion was over.
		for readLog(fx.log).started < limit+2 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	results := fx.convertAll(t, ctx, limit, limit)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("ConvertAll(limit %d, then hanging converters) ran into its 20s deadline; want it to return once ctx is canceled", limit)
	}
	for i, r := range results {
		switch {
		case fx.modes[i] == "ok" && r.Err != nil:
			t.Errorf("ConvertAll(...)[%d].Err = %v; want nil: that file was converted before ctx was canceled", i, r.Err)
		case fx.modes[i] == "hang" && !errors.Is(r.Err, context.Canceled):
			t.Errorf("ConvertAll(...)[%d].Err = %v; want an error wrapping context.Canceled", i, r.Err)
		}
	}
}
