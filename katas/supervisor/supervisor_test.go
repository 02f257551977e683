package supervisor

// The workers are real processes: the test binary started as the "worker" helper, whose
// arguments say how it behaves (crash with a status, die from SIGKILL, wait for the test to
// release it, hang until killed). Time is a fake clock: Sleep records each backoff delay
// and moves the clock on at once, and the tests move it on while a worker "runs".

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["worker"] = workerHelper
}

// workerHelper performs its arguments as actions, in order, then exits 0:
//
//	exit=N     exit with status N
//	kill       die from SIGKILL
//	wait       read stdin until it ends (the test releases the worker by closing it)
//	pid=FILE   write its pid to FILE
//	hang       wait to be killed
func workerHelper(args []string) int {
	// A worker nobody stops (because the code under test forgot to) must not outlive the
	// test run for long.
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
	for _, a := range args {
		verb, val, _ := strings.Cut(a, "=")
		switch verb {
		case "exit":
			code, _ := strconv.Atoi(val)
			return code
		case "kill":
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			time.Sleep(5 * time.Second)
			return 97
		case "wait":
			io.Copy(io.Discard, bufio.NewReader(os.Stdin))
		case "pid":
			if err := os.WriteFile(val, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "worker:", err)
				return 2
			}
		case "hang":
			select {}
		default:
			fmt.Fprintf(os.Stderr, "worker: unknown action %q\n", a)
			return 2
		}
	}
	return 0
}

// fakeClock is the Now and Sleep of a Supervisor under test. Sleep records the delay and
// moves the clock on by it at once.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// workerPlan is a Command for a Supervisor: start i (from 0) runs the worker helper with the
// actions plan(i). It counts the starts.
type workerPlan struct {
	t    *testing.T
	plan func(i int) []string

	// missing, when set, is a program that does not exist: every start fails.
	missing string

	// stdins, when set, receives the stdin of each worker, for tests that release their
	// workers ("wait") one at a time.
	stdins chan io.WriteCloser

	mu     sync.Mutex
	starts int
}

func (w *workerPlan) Command() *exec.Cmd {
	w.mu.Lock()
	i := w.starts
	w.starts++
	w.mu.Unlock()
	if w.missing != "" {
		return exec.Command(w.missing)
	}
	cmd := helperCommand(w.t, "worker", w.plan(i)...)
	if w.stdins != nil {
		stdin, err := cmd.StdinPipe()
		if err != nil {
			panic(err)
		}
		w.stdins <- stdin
	}
	return cmd
}

func (w *workerPlan) Starts() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.starts
}

// runAsync calls s.Run(ctx) in a goroutine and returns a channel that receives its result.
func runAsync(s *Supervisor, ctx context.Context) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	return done
}

// awaitRun waits for Run's result, failing the test if it takes longer than limit.
func awaitRun(t *testing.T, done <-chan error, limit time.Duration, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("Run did not return within %v %s", limit, what)
		return nil
	}
}

func testContext(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx, cancel
}

// capped formats list with verb for each entry, as a list, keeping at most limit entries
// and saying how many more there are.
func capped[T any](verb string, list []T, limit int) string {
	var parts []string
	for i, v := range list {
		if i == limit {
			parts = append(parts, fmt.Sprintf("... and %d more", len(list)-limit))
			break
		}
		parts = append(parts, fmt.Sprintf(verb, v))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// errDesc describes the error Run should return, for messages.
func errDesc(want error) string {
	if want == nil {
		return "nil"
	}
	return "an error wrapping ErrTooManyCrashes"
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	const ms = time.Millisecond
	tests := []struct {
		name       string
		plan       func(i int) []string // nil: the worker cannot be started
		maxCrashes int
		wantSleeps []time.Duration
		wantStarts int
		wantErr    error // nil or ErrTooManyCrashes
		// lastCrash, with ErrTooManyCrashes, says what the error must also wrap: the last
		// crash's error.
		lastCrash     func(error) bool
		lastCrashDesc string
	}{
		{
			name: "crashes until it gives up",
			plan: func(i int) []string {
				if i%2 == 0 {
					return []string{"exit=1"}
				}
				return []string{"kill"}
			},
			maxCrashes: 5,
			wantSleeps: []time.Duration{100 * ms, 200 * ms, 400 * ms, 400 * ms},
			wantStarts: 5,
			wantErr:    ErrTooManyCrashes,
			lastCrash: func(err error) bool {
				var exitErr *exec.ExitError
				return errors.As(err, &exitErr) && exitErr.ExitCode() == 1
			},
			lastCrashDesc: "the last worker's *exec.ExitError (exit status 1)",
		},
		{
			name:          "worker that cannot start",
			plan:          nil,
			maxCrashes:    3,
			wantSleeps:    []time.Duration{100 * ms, 200 * ms},
			wantStarts:    3,
			wantErr:       ErrTooManyCrashes,
			lastCrash:     func(err error) bool { return errors.Is(err, fs.ErrNotExist) },
			lastCrashDesc: "the last start's error (fs.ErrNotExist)",
		},
		{
			name: "finishes after two crashes",
			plan: func(i int) []string {
				return [][]string{{"exit=3"}, {"kill"}, {"exit=0"}}[min(i, 2)]
			},
			maxCrashes: 5,
			wantSleeps: []time.Duration{100 * ms, 200 * ms},
			wantStarts: 3,
			wantErr:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			w := &workerPlan{t: t, plan: tt.plan}
			if tt.plan == nil {
				w.missing = filepath.Join(t.TempDir(), "missing")
			}
			s := &Supervisor{
				Command:    w.Command,
				Backoff:    100 * ms,
				MaxBackoff: 400 * ms,
				MaxCrashes: tt.maxCrashes,
				Window:     time.Hour,
				Now:        clock.Now,
				Sleep:      clock.Sleep,
			}
			ctx, _ := testContext(t)
			err := awaitRun(t, runAsync(s, ctx), 15*time.Second, "with crashing workers")
			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Run = %v; want nil: the last worker exited with status 0", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Run = %v; want %s after %d crashes within the window", err, errDesc(tt.wantErr), tt.maxCrashes)
			case tt.lastCrash != nil && !tt.lastCrash(err):
				t.Errorf("Run = %v; want it to wrap %s as well as ErrTooManyCrashes: give the caller the reason of the crash that made Run give up (fmt.Errorf with two %%w)", err, tt.lastCrashDesc)
			}
			if got := w.Starts(); got != tt.wantStarts {
				t.Errorf("Run started the worker %d times; want %d", got, tt.wantStarts)
			}
			if got := clock.Sleeps(); !slices.Equal(got, tt.wantSleeps) {
				t.Errorf("Run slept %s between restarts; want %v: wait Backoff before the first restart, double it after each further crash, up to MaxBackoff, and do not sleep after giving up", capped("%v", got, 10), tt.wantSleeps)
			}
		})
	}
}

func TestBackoffRealClock(t *testing.T) {
	t.Parallel()
	w := &workerPlan{t: t, plan: func(int) []string { return []string{"exit=1"} }}
	s := &Supervisor{
		Command:    w.Command,
		Backoff:    20 * time.Millisecond,
		MaxBackoff: 40 * time.Millisecond,
		MaxCrashes: 3,
		Window:     time.Minute,
	}
	ctx, _ := testContext(t)
	start := time.Now()
	err := awaitRun(t, runAsync(s, ctx), 15*time.Second, "with workers that crash at once, Now and Sleep nil")
	if !errors.Is(err, ErrTooManyCrashes) {
		t.Errorf("Run with Now and Sleep nil = %v; want an error wrapping ErrTooManyCrashes after 3 crashes", err)
	}
	if elapsed := time.Since(start); elapsed < 60*time.Millisecond {
		t.Errorf("Run with Now and Sleep nil gave up after %v; want at least 60ms (20ms + 40ms of backoff): nil Sleep means a real timer", elapsed)
	}
}

func TestWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		uptimes    []time.Duration // how long each worker runs (on the fake clock) before it crashes
		wantSleeps []time.Duration
		wantErr    error
	}{
		{
			// Crashes at 0s, 1s, 23s, 24s, 26s: the third worker ran 20s, longer than the
			// window, so its crash starts a new streak.
			name:       "a worker that stays up longer than the window starts a new streak",
			uptimes:    []time.Duration{0, 0, 20 * time.Second, 0, 0},
			wantSleeps: []time.Duration{time.Second, 2 * time.Second, time.Second, 2 * time.Second},
			wantErr:    ErrTooManyCrashes,
		},
		{
			// Crashes at 0s, 7s, 15s, 23s: never 3 within 10s, although each worker ran
			// only 6s. The fifth worker exits 0.
			name:       "old crashes slide out of the window",
			uptimes:    []time.Duration{0, 6 * time.Second, 6 * time.Second, 6 * time.Second},
			wantSleeps: []time.Duration{time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second},
			wantErr:    nil,
		},
		{
			// Crashes at 0s, 1s, 10s: the first is exactly one window old when the third
			// happens, so it no longer counts. The fourth worker exits 0.
			name:       "a crash exactly one window old no longer counts",
			uptimes:    []time.Duration{0, 0, 7 * time.Second},
			wantSleeps: []time.Duration{time.Second, 2 * time.Second, 2 * time.Second},
			wantErr:    nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			w := &workerPlan{
				t: t,
				plan: func(i int) []string {
					if i < len(tt.uptimes) {
						return []string{"wait", "exit=1"}
					}
					return []string{"exit=0"}
				},
				stdins: make(chan io.WriteCloser, 100),
			}
			s := &Supervisor{
				Command:    w.Command,
				Backoff:    time.Second,
				MaxBackoff: 8 * time.Second,
				MaxCrashes: 3,
				Window:     10 * time.Second,
				Now:        clock.Now,
				Sleep:      clock.Sleep,
			}
			ctx, _ := testContext(t)
			done := runAsync(s, ctx)

			// Let each worker "run" for its uptime on the fake clock, then release it so it
			// crashes.
			var err error
			returned := false
		release:
			for i := 0; ; i++ {
				select {
				case stdin := <-w.stdins:
					if i < len(tt.uptimes) {
						clock.Advance(tt.uptimes[i])
					}
					stdin.Close()
				case err = <-done:
					returned = true
					break release
				case <-time.After(15 * time.Second):
					t.Fatalf("Run neither started a worker nor returned within 15s after %d starts", i)
				}
			}
			if !returned {
				err = awaitRun(t, done, 10*time.Second, "after the last worker")
			}

			switch {
			case tt.wantErr == nil && err != nil:
				t.Errorf("Run = %v after %d starts; want nil: with a %v window, no 3 crashes were within one window (a crash %[3]v or more ago no longer counts), and worker %[4]d exited with status 0", err, w.Starts(), s.Window, len(tt.uptimes)+1)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Run = %v; want %s", err, errDesc(tt.wantErr))
			}
			wantStarts := len(tt.uptimes)
			if tt.wantErr == nil {
				wantStarts++
			}
			if got := w.Starts(); got != wantStarts {
				t.Errorf("Run started the worker %d times; want %d: count only the crashes within the last %v", got, wantStarts, s.Window)
			}
			if got := clock.Sleeps(); !slices.Equal(got, tt.wantSleeps) {
				t.Errorf("Run slept %s between restarts; want %v: the backoff doubles with each crash still in the window, and starts again from Backoff when older crashes have left it", capped("%v", got, 10), tt.wantSleeps)
			}
		})
	}
}

// waitForPid waits for a worker to write its pid to file.
func waitForPid(t *testing.T, file string) int {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if b, err := os.ReadFile(file); err == nil && len(b) > 0 {
			pid, _ := strconv.Atoi(string(b))
			return pid
		}
	}
	t.Fatalf("the worker did not start within 10s")
	return 0
}

// gone reports whether process pid has ended (and been reaped), waiting up to 3s.
func gone(pid int) bool {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return true
		}
	}
	return false
}

func TestStop(t *testing.T) {
	t.Parallel()
	t.Run("while the worker runs", func(t *testing.T) {
		t.Parallel()
		pidFile := filepath.Join(t.TempDir(), "pid")
		w := &workerPlan{t: t, plan: func(int) []string { return []string{"pid=" + pidFile, "hang"} }}
		s := &Supervisor{Command: w.Command, Backoff: time.Second, MaxBackoff: time.Second, MaxCrashes: 3, Window: time.Minute}
		ctx, cancel := testContext(t)
		done := runAsync(s, ctx)
		pid := waitForPid(t, pidFile)
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
		select {
		case err := <-done:
			t.Fatalf("Run returned %v while its worker was still running; want it to keep running until ctx ends", err)
		default:
		}
		cancel()
		err := awaitRun(t, done, 5*time.Second, "after ctx was cancelled")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run after ctx was cancelled = %v; want context.Canceled", err)
		}
		if !gone(pid) {
			t.Errorf("after Run returned, the worker (pid %d) still runs; want it killed and waited for: stopping the supervisor must leave no process behind", pid)
		}
		if n := w.Starts(); n != 1 {
			t.Errorf("Run started the worker %d times; want 1: nothing crashed", n)
		}
	})
	t.Run("during the backoff", func(t *testing.T) {
		t.Parallel()
		w := &workerPlan{t: t, plan: func(int) []string { return []string{"exit=1"} }}
		sleeping := make(chan struct{}, 10)
		s := &Supervisor{
			Command: w.Command, Backoff: time.Second, MaxBackoff: time.Second, MaxCrashes: 3, Window: time.Minute,
			Sleep: func(ctx context.Context, d time.Duration) error {
				sleeping <- struct{}{}
				<-ctx.Done()
				return ctx.Err()
			},
		}
		ctx, cancel := testContext(t)
		done := runAsync(s, ctx)
		select {
		case <-sleeping:
		case err := <-done:
			t.Fatalf("Run = %v after the first crash; want it to sleep the backoff, then restart", err)
		case <-time.After(10 * time.Second):
			t.Fatalf("Run did not sleep within 10s after the first worker crashed")
		}
		cancel()
		err := awaitRun(t, done, 5*time.Second, "after ctx was cancelled during the backoff")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run after ctx was cancelled during the backoff = %v; want context.Canceled", err)
		}
		if n := w.Starts(); n != 1 {
			t.Errorf("Run started the worker %d times; want 1: ctx ended during the backoff, before the restart", n)
		}
	})
}
