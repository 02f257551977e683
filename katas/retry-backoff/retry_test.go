package retry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func init() {
	helpers["flaky"] = flaky
}

// flaky is the command: "flaky COUNTER K STATUS" adds one to the number in the file
// COUNTER (the runs so far), then fails with STATUS during its first K runs and succeeds
// after that. With STATUS "hang", it runs for 20 seconds instead of failing.
func flaky(args []string) int {
	counter := args[0]
	k, _ := strconv.Atoi(args[1])
	status, _ := strconv.Atoi(args[2])
	data, _ := os.ReadFile(counter)
	runs, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	runs++
	if err := os.WriteFile(counter, []byte(strconv.Itoa(runs)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "flaky:", err)
		return 2
	}
	if runs <= k && args[2] == "hang" {
		time.Sleep(20 * time.Second)
		return 0
	}
	if runs <= k {
		fmt.Fprintf(os.Stderr, "flaky: run %d failing with status %d\n", runs, status)
		return status
	}
	fmt.Println("flaky: done")
	return 0
}

// runs returns how many times flaky started, from its counter file.
func runs(t *testing.T, counter string) int {
	data, err := os.ReadFile(counter)
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(string(data))
	return n
}

// fakeSleep records the delays Run asks for and returns at once.
type fakeSleep struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (f *fakeSleep) sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delays = append(f.delays, d)
	return ctx.Err()
}

func exitStatus(code int) func(err error) bool {
	return func(err error) bool {
		var exitErr *exec.ExitError
		return errors.As(err, &exitErr) && exitErr.ExitCode() == code
	}
}

func TestRun(t *testing.T) {
	t.Parallel()
	const ms = time.Millisecond
	tests := []struct {
		name      string
		k, status int             // flaky fails k times with status
		policy    Policy          // Sleep is set by the test
		notFound  bool            // run a program that does not exist instead
		want      int             // attempts
		wantExit  int             // exit status wrapped in the error; -1 for no error
		wantDelay []time.Duration // nominal delays d: each sleep must be in [d/2, d]
	}{
		{name: "succeeds at once", k: 0, status: 75,
			policy: Policy{MaxAttempts: 5, BaseDelay: 100 * ms},
			want:   1, wantExit: -1},
		{name: "two transient failures then success", k: 2, status: ExitTempFail,
			policy: Policy{MaxAttempts: 5, BaseDelay: 100 * ms},
			want:   3, wantExit: -1, wantDelay: []time.Duration{100 * ms, 200 * ms}},
		{name: "permanent failure is not retried", k: 5, status: 1,
			policy: Policy{MaxAttempts: 5, BaseDelay: 100 * ms},
			want:   1, wantExit: 1},
		{name: "gives up after MaxAttempts, without a last sleep", k: 10, status: ExitTempFail,
			policy: Policy{MaxAttempts: 4, BaseDelay: 100 * ms},
			want:   4, wantExit: ExitTempFail, wantDelay: []time.Duration{100 * ms, 200 * ms, 400 * ms}},
		{name: "delays double up to MaxDelay", k: 10, status: ExitTempFail,
			policy: Policy{MaxAttempts: 7, BaseDelay: 100 * ms, MaxDelay: 350 * ms},
			want:   7, wantExit: ExitTempFail,
			wantDelay: []time.Duration{100 * ms, 200 * ms, 350 * ms, 350 * ms, 350 * ms, 350 * ms}},
		{name: "zero Policy runs once", k: 3, status: ExitTempFail,
			want: 1, wantExit: ExitTempFail},
		{name: "negative MaxAttempts runs once", k: 3, status: ExitTempFail,
			policy: Policy{MaxAttempts: -3, BaseDelay: 10 * ms},
			want:   1, wantExit: ExitTempFail},
		{name: "classifier retries status 3", k: 2, status: 3,
			policy: Policy{MaxAttempts: 5, BaseDelay: 10 * ms, Retryable: exitStatus(3)},
			want:   3, wantExit: -1, wantDelay: []time.Duration{10 * ms, 20 * ms}},
		{name: "classifier refuses status 75", k: 2, status: ExitTempFail,
			policy: Policy{MaxAttempts: 5, BaseDelay: 10 * ms, Retryable: exitStatus(3)},
			want:   1, wantExit: ExitTempFail},
		{name: "program not found is permanent", notFound: true,
			policy: Policy{MaxAttempts: 5, BaseDelay: 10 * ms},
			want:   1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			counter := filepath.Join(t.TempDir(), "runs")
			name, args := helperPath(t), helperArgs("flaky", counter, strconv.Itoa(tt.k), strconv.Itoa(tt.status))
			if tt.notFound {
				name, args = "procdojo-no-such-command", nil
			}
			fake := &fakeSleep{}
			p := tt.policy
			p.Sleep = fake.sleep
			call := fmt.Sprintf("Run(MaxAttempts %d, BaseDelay %v, MaxDelay %v) on a command failing %d times with status %d",
				tt.policy.MaxAttempts, tt.policy.BaseDelay, tt.policy.MaxDelay, tt.k, tt.status)
			if tt.policy.Retryable != nil {
				call += " (Retryable: status 3 only)"
			}
			if tt.notFound {
				call = fmt.Sprintf("Run(MaxAttempts %d) on a program that does not exist", tt.policy.MaxAttempts)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			attempts, err := Run(ctx, p, name, args...)

			if attempts != tt.want {
				t.Errorf("%s = %d attempts, %v; want %d attempts", call, attempts, err, tt.want)
			}
			if !tt.notFound {
				if started := runs(t, counter); started != attempts {
					t.Errorf("%s = %d attempts; but the command ran %d times", call, attempts, started)
				}
			}
			var exitErr *exec.ExitError
			switch {
			case tt.notFound:
				if !errors.Is(err, exec.ErrNotFound) {
					t.Errorf("%s error = %v; want one wrapping exec.ErrNotFound", call, err)
				}
			case tt.wantExit < 0:
				if err != nil {
					t.Errorf("%s error = %v; want nil", call, err)
				}
			case !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.wantExit:
				t.Errorf("%s error = %v; want one wrapping the last *exec.ExitError (status %d)", call, err, tt.wantExit)
			}
			checkDelays(t, call, fake.delays, tt.wantDelay)
		})
	}
}

// checkDelays checks that Run slept once between attempts, each time for a duration in
// [d/2, d], and that the delays are jittered.
func checkDelays(t *testing.T, call string, got, nominal []time.Duration) {
	t.Helper()
	if len(got) != len(nominal) {
		t.Errorf("%s slept %d times %v; want %d times, once between two attempts", call, len(got), got, len(nominal))
		return
	}
	for i, d := range got {
		if d < nominal[i]/2 || d > nominal[i] {
			t.Errorf("%s: sleep %d was %v; want it in [%v, %v] (delay %v with jitter)",
				call, i+1, d, nominal[i]/2, nominal[i], nominal[i])
		}
	}
	if len(got) >= 3 && got[len(got)-1] == got[len(got)-2] && got[len(got)-2] == got[len(got)-3] {
		t.Errorf("%s slept %v; want random delays in [d/2, d] (jitter), not the same %v each time",
			call, got, got[len(got)-1])
	}
}

// TestRunCancelDuringBackoff cancels the context while Run waits an hour before its second
// attempt, with the real Sleep: Run must return at once.
func TestRunCancelDuringBackoff(t *testing.T) {
	t.Parallel()
	counter := filepath.Join(t.TempDir(), "runs")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var once sync.Once
	classified := make(chan struct{})
	p := Policy{
		MaxAttempts: 3,
		BaseDelay:   time.Hour,
		Retryable: func(err error) bool {
			once.Do(func() {
				close(classified)
				time.AfterFunc(50*time.Millisecond, cancel) // lands during the sleep
			})
			return Transient(err)
		},
	}

	type result struct {
		attempts int
		err      error
	}
	done := make(chan result, 1)
	go func() {
		attempts, err := Run(ctx, p, helperPath(t), helperArgs("flaky", counter, "5", "75")...)
		done <- result{attempts, err}
	}()
	select {
	case r := <-done:
		if r.attempts != 1 || !errors.Is(r.err, context.Canceled) {
			t.Errorf("Run(cancelled during the first backoff) = %d attempts, %v; want 1 attempt and an error"+
				" wrapping context.Canceled", r.attempts, r.err)
		}
	case <-time.After(5 * time.Second):
		select {
		case <-classified:
			t.Fatalf("Run did not return within 5s of the context being cancelled during a 1h backoff;" +
				" wait with a timer and select on ctx.Done(), not time.Sleep")
		default:
			t.Fatalf("Run never called p.Retryable after the first failure (status 75), so the test could" +
				" not cancel during the backoff: classify each failure with p.Retryable when it is set")
		}
	}
}

// TestRunCancelDuringAttempt ends the context while the first attempt runs (the command
// would run for 20s): Run must stop the command and return at once, without retrying.
func TestRunCancelDuringAttempt(t *testing.T) {
	t.Parallel()
	counter := filepath.Join(t.TempDir(), "runs")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	fake := &fakeSleep{}
	p := Policy{MaxAttempts: 3, BaseDelay: time.Millisecond, Sleep: fake.sleep}
	type result struct {
		attempts int
		err      error
	}
	done := make(chan result, 1)
	go func() {
		attempts, err := Run(ctx, p, helperPath(t), helperArgs("flaky", counter, "5", "hang")...)
		done <- result{attempts, err}
	}()
	const call = "Run(ctx ending after 300ms, MaxAttempts 3) on a command that runs for 20s"
	select {
	case r := <-done:
		if r.attempts != 1 || !errors.Is(r.err, context.DeadlineExceeded) {
			t.Errorf("%s = %d attempts, %v; want 1 attempt and an error wrapping context.DeadlineExceeded: the attempt was killed because ctx ended, so check ctx.Err() before classifying its error", call, r.attempts, r.err)
		}
		if started := runs(t, counter); started != 1 {
			t.Errorf("%s: the command ran %d times; want once", call, started)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("%s did not return within 5s; want it to return once ctx ends: run each attempt with exec.CommandContext, so that ctx kills it", call)
	}
}
