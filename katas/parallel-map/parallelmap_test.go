package parallelmap

import (
	"bufio"
	"context"
	"encoding/json"
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

// The "primes" helper is the worker: for each {"index","input"} line on stdin it answers
// {"index","value","pid"} with the number of primes up to input, by trial division.
//
//	primes DIR BARRIER LAST
//
// It records itself as DIR/start-PID when it starts and DIR/done-PID once it has answered
// everything. With BARRIER > 0 it computes nothing until BARRIER workers have started,
// and fails with status 4 if they have not within 3s. With LAST > 0, the worker given input
// 0 exits only after LAST other workers are done (or 3s have passed), so it finishes last.
// Negative inputs misbehave: -1 crashes with status 3, -2 writes garbage, -3 exits with
// status 0 without answering the rest, -4 is answered (0) but the worker then exits with
// status 3 once it has answered everything, -5 hangs.
func init() {
	helpers["primes"] = orphanGuard(func(args []string) int {
		dir := args[0]
		barrier, _ := strconv.Atoi(args[1])
		last, _ := strconv.Atoi(args[2])
		touch(dir, fmt.Sprintf("start-%d", os.Getpid()))
		var reqs []wireRequest
		sc := bufio.NewScanner(os.Stdin)
		for sc.Scan() {
			var r wireRequest
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				fmt.Fprintf(os.Stderr, "primes: bad request %q: %v\n", sc.Text(), err)
				return 2
			}
			reqs = append(reqs, r)
		}
		if barrier > 0 && !waitFiles(dir, "start-", barrier) {
			fmt.Fprintf(os.Stderr, "primes: waited 3s for %d workers to run at once\n", barrier)
			return 4
		}
		out := bufio.NewWriter(os.Stdout)
		hasFirst, failAtEnd := false, false
		for _, r := range reqs {
			hasFirst = hasFirst || r.Index == 0
			failAtEnd = failAtEnd || r.Input == -4
			switch r.Input {
			case -1:
				out.Flush()
				return 3
			case -2:
				out.WriteString("Traceback (most recent call last):\n")
				out.Flush()
				return 0
			case -3:
				out.Flush()
				return 0
			case -5:
				out.Flush()
				time.Sleep(time.Hour)
			}
			json.NewEncoder(out).Encode(wireResponse{Index: r.Index, Value: countPrimes(r.Input), PID: os.Getpid()})
			out.Flush()
		}
		if failAtEnd {
			return 3
		}
		if hasFirst && last > 0 {
			waitFiles(dir, "done-", last)
		}
		touch(dir, fmt.Sprintf("done-%d", os.Getpid()))
		return 0
	})
}

// The worker's own copy of the protocol, so that it does not depend on the solution.
type wireRequest struct {
	Index int `json:"index"`
	Input int `json:"input"`
}

type wireResponse struct {
	Index int `json:"index"`
	Value int `json:"value"`
	PID   int `json:"pid"`
}

// countPrimes counts the primes up to n by trial division: slow on purpose.
func countPrimes(n int) int {
	count := 0
	for k := 2; k <= n; k++ {
		prime := true
		for d := 2; d*d <= k; d++ {
			if k%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			count++
		}
	}
	return count
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

func touch(dir, name string) {
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		os.Exit(5)
	}
}

// workerPIDs returns the PIDs of the workers whose files in dir start with prefix.
func workerPIDs(dir, prefix string) []int {
	entries, _ := os.ReadDir(dir)
	var pids []int
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.Name(), prefix); ok {
			if pid, err := strconv.Atoi(rest); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// waitFiles waits up to 3s until n workers have files starting with prefix in dir.
func waitFiles(dir, prefix string, n int) bool {
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if len(workerPIDs(dir, prefix)) >= n {
			return true
		}
	}
	return false
}

// workDir returns a directory for the workers' files; no worker outlives the test.
func workDir(t *testing.T) string {
	dir := t.TempDir()
	t.Cleanup(func() {
		for _, pid := range workerPIDs(dir, "start-") {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return dir
}

// callMap runs Map with the primes worker and fails the test if Map does not return soon
// after ctx ends.
func callMap(t *testing.T, ctx context.Context, inputs []int, workers int, helperArgv ...string) ([]Result, error) {
	t.Helper()
	exe, args := helperPath(t), helperArgs("primes", helperArgv...)
	type ret struct {
		res []Result
		err error
	}
	done := make(chan ret, 1)
	go func() {
		res, err := Map(ctx, inputs, workers, exe, args...)
		done <- ret{res, err}
	}()
	select {
	case r := <-done:
		return r.res, r.err
	case <-ctx.Done():
	}
	select {
	case r := <-done:
		return r.res, r.err
	case <-time.After(5 * time.Second):
		t.Fatalf("Map(%d inputs, %d workers) still running 5s after its context ended (%v); want it to kill the workers and return", len(inputs), workers, ctx.Err())
		return nil, nil
	}
}

// spaced returns n inputs far enough apart that their prime counts all differ.
func spaced(n int) []int {
	inputs := make([]int, n)
	for i := range inputs {
		inputs[i] = 20_000 + 5_000*i
	}
	return inputs
}

func TestMap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		inputs      []int
		workers     int
		wantWorkers int
	}{
		{"8 inputs on 3 workers", spaced(8), 3, 3},
		{"7 inputs on 2 workers", spaced(7), 2, 2},
		{"1 worker", spaced(4), 1, 1},
		{"0 workers means 1", spaced(3), 0, 1},
		{"more workers than inputs", spaced(3), 8, 3},
		{"no inputs", []int{}, 4, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			dir := workDir(t)
			results, err := callMap(t, ctx, tc.inputs, tc.workers, dir, "0", strconv.Itoa(tc.wantWorkers-1))
			if err != nil {
				t.Fatalf("Map(%d inputs, %d workers) = %v; want no error", len(tc.inputs), tc.workers, err)
			}
			if len(results) != len(tc.inputs) {
				t.Fatalf("Map(%d inputs, %d workers) returned %d results; want %d", len(tc.inputs), tc.workers, len(results), len(tc.inputs))
			}
			pids := map[int]bool{}
			for i, r := range results {
				if want := countPrimes(tc.inputs[i]); r.Value != want {
					t.Errorf("Map(...)[%d].Value = %d; want %d (primes up to %d): put each answer at its input's index, not in the order answers arrive",
						i, r.Value, want, tc.inputs[i])
				}
				if r.PID == os.Getpid() || r.PID <= 0 {
					t.Errorf("Map(...)[%d].PID = %d; want the PID of the worker process that answered (the test's own is %d)", i, r.PID, os.Getpid())
				}
				pids[r.PID] = true
			}
			if len(pids) != tc.wantWorkers {
				t.Errorf("Map(%d inputs, %d workers): answers came from %d worker processes; want %d, one per share of the inputs",
					len(tc.inputs), tc.workers, len(pids), tc.wantWorkers)
			}
			if started := len(workerPIDs(dir, "start-")); started != tc.wantWorkers {
				t.Errorf("Map(%d inputs, %d workers) started %d workers; want %d", len(tc.inputs), tc.workers, started, tc.wantWorkers)
			}
		})
	}
}

// TestMapRunsWorkersAtOnce proves the workers run in parallel without timing them: each
// computes nothing until all three have started.
func TestMapRunsWorkersAtOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	inputs := spaced(6)
	results, err := callMap(t, ctx, inputs, 3, workDir(t), "3", "0")
	if err != nil {
		t.Fatalf("Map(6 inputs, 3 workers) = %v; want no error: each worker waits for the other two to start, so start them all before waiting for any", err)
	}
	for i, r := range results {
		if want := countPrimes(inputs[i]); r.Value != want {
			t.Errorf("Map(...)[%d].Value = %d; want %d", i, r.Value, want)
		}
	}
}

func TestMapWorkerFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		bad       int // index of the input that makes its worker misbehave
		input     int
		wantIndex int
		check     func(error) string
	}{
		{"worker crashes", 5, -1, 5, func(err error) string {
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 3 {
				return "want it to wrap the worker's *exec.ExitError, exit code 3: check how every worker exited"
			}
			return ""
		}},
		{"worker writes garbage", 6, -2, 6, nil},
		// The worker of inputs 4..7 answers them all, then exits 3.
		{"worker fails after answering everything", 5, -4, 4, func(err error) string {
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 3 {
				return "want it to wrap the worker's *exec.ExitError, exit code 3"
			}
			return ""
		}},
		{"worker skips inputs", 2, -3, 2, func(err error) string {
			if !errors.Is(err, ErrMissing) {
				return "want it to wrap ErrMissing: a worker that exits 0 must still have answered all its inputs"
			}
			return ""
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			inputs := spaced(8)
			inputs[tc.bad] = tc.input
			results, err := callMap(t, ctx, inputs, 2, workDir(t), "0", "0")
			if ctx.Err() != nil {
				t.Fatalf("Map(%s) ran into its 20s deadline", tc.name)
			}
			var we *WorkerError
			if !errors.As(err, &we) {
				t.Fatalf("Map(%s) = %v, %v; want a *WorkerError for input %d, not results: check how each worker exited and that it answered all its inputs", tc.name, results, err, tc.wantIndex)
			}
			if we.Index != tc.wantIndex {
				t.Errorf("Map(%s) = %v; want WorkerError.Index %d, the first input the worker left unanswered (its first input if it answered all)", tc.name, err, tc.wantIndex)
			}
			if tc.check != nil {
				if msg := tc.check(err); msg != "" {
					t.Errorf("Map(%s) = %v; %s", tc.name, err, msg)
				}
			}
			if results != nil {
				t.Errorf("Map(%s) returned %d results with its error; want nil", tc.name, len(results))
			}
		})
	}
}

// TestMapCancel cancels the map while its workers hang.
func TestMapCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dir := workDir(t)
	go func() {
		waitFiles(dir, "start-", 2) // an event, not a guess
		cancel()
	}()
	_, err := callMap(t, ctx, []int{-5, -5}, 2, dir, "0", "0")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Map(hanging workers) = %v after ctx was canceled; want an error wrapping context.Canceled", err)
	}
	for _, pid := range workerPIDs(dir, "start-") {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("worker pid %d is still running after Map returned (kill(pid, 0) = %v); want the workers killed and waited for", pid, err)
		}
	}
}

// TestMapKillsTheOthers has one worker crash at once while the other hangs: Map must kill
// the hanging one rather than wait for it.
func TestMapKillsTheOthers(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	dir := workDir(t)
	// Two shares: inputs 0 and 1 (crash at 0), inputs 2 and 3 (hang at 2).
	inputs := []int{-1, 20_000, -5, 25_000}
	_, err := callMap(t, ctx, inputs, 2, dir, "0", "0")
	if ctx.Err() != nil {
		t.Fatalf("Map(one worker crashing, one hanging) = %v only when its 5s context ended; want it to return as soon as a worker fails, killing the others", err)
	}
	var we *WorkerError
	var ee *exec.ExitError
	if !errors.As(err, &we) || we.Index != 0 || !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Errorf("Map(one worker crashing at input 0, one hanging) = %v; want a *WorkerError for input 0 wrapping the crash's *exec.ExitError (exit code 3): the first failure, not the kill of the other worker", err)
	}
	for _, pid := range workerPIDs(dir, "start-") {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("worker pid %d is still running after Map returned (kill(pid, 0) = %v); want the other workers killed and waited for", pid, err)
		}
	}
}
