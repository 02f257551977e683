package workerpool

// The tests run real worker processes: the test binary itself, started as the "worker"
// helper below. It speaks the pool's protocol and runs the jobs it reads concurrently, so it
// is up to the pool to give each worker one job at a time. Each worker creates a file named
// after its pid in a directory of the test's, so that the tests can check that every worker
// ever started, crashed ones included, is gone after Close.
//
// The benchmarks compare the pool with starting a process per job:
//
//	go test -run '^$' -bench . ./katas/worker-pool/

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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
	helpers["worker"] = workerMain
}

// workerMain, the "worker" helper, is a worker process: worker PIDDIR [OPTION]... It creates
// the file PIDDIR/<its pid> (unless PIDDIR is "-"), writes {"id":0,"status":"ready"}, then
// reads jobs from stdin and runs each one in its own goroutine, answering when it is done.
// At the end of stdin it waits for its jobs, lingers and exits. The options:
//
//	linger=DURATION      linger that long at the end of stdin (default 0)
//	exit=N               exit with status N (default 0)
//	stay                 ignore the end of stdin: run on until killed (or for 60s)
//
// The jobs:
//
//	echo TEXT            answer TEXT
//	sleep MS TEXT        wait MS milliseconds, answer TEXT
//	pid                  answer the worker's pid
//	fail MSG             answer the error MSG
//	crash PATH           append "x" to the file PATH, then exit 3 without answering
//	crash-once PATH TEXT exit 3 without answering, unless PATH exists (create it first);
//	                     answer TEXT if it does
//	gate DIR TAG JOB     create DIR/TAG, wait until DIR/open exists, then do JOB
//	count PATH JOB       append "x" to the file PATH, then do JOB
func workerMain(args []string) int {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) }) // in case nobody stops it
	if args[0] != "-" {
		os.WriteFile(filepath.Join(args[0], strconv.Itoa(os.Getpid())), nil, 0o644)
	}
	var linger time.Duration
	var status int
	var stay bool
	for _, a := range args[1:] {
		if v, ok := strings.CutPrefix(a, "linger="); ok {
			linger, _ = time.ParseDuration(v)
		}
		if v, ok := strings.CutPrefix(a, "exit="); ok {
			status, _ = strconv.Atoi(v)
		}
		stay = stay || a == "stay"
	}

	var mu sync.Mutex
	enc := json.NewEncoder(os.Stdout)
	send := func(a wireAnswer) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(a)
	}
	send(wireAnswer{ID: 0, Status: "ready"})

	var jobs sync.WaitGroup
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		var req struct {
			ID  uint64 `json:"id"`
			Job string `json:"job"`
		}
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			fmt.Fprintf(os.Stderr, "worker: bad request %q: %v\n", sc.Text(), err)
			return 2
		}
		jobs.Go(func() {
			result, failure := perform(req.Job)
			send(wireAnswer{ID: req.ID, Result: result, Error: failure})
		})
	}
	jobs.Wait()
	if stay {
		time.Sleep(time.Hour)
	}
	time.Sleep(linger)
	return status
}

// wireAnswer is a line the worker writes.
type wireAnswer struct {
	ID     uint64 `json:"id"`
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
	Status string `json:"status,omitempty"`
}

// perform runs a job for workerMain and returns its result or its error message.
func perform(job string) (result, failure string) {
	op, rest, _ := strings.Cut(job, " ")
	switch op {
	case "echo":
		return rest, ""
	case "sleep":
		ms, text, _ := strings.Cut(rest, " ")
		n, _ := strconv.Atoi(ms)
		time.Sleep(time.Duration(n) * time.Millisecond)
		return text, ""
	case "pid":
		return strconv.Itoa(os.Getpid()), ""
	case "fail":
		return "", rest
	case "crash":
		appendX(rest)
		os.Exit(3)
	case "count":
		path, job, _ := strings.Cut(rest, " ")
		appendX(path)
		return perform(job)
	case "crash-once":
		path, text, _ := strings.Cut(rest, " ")
		if _, err := os.Stat(path); err == nil {
			return text, ""
		}
		os.WriteFile(path, nil, 0o644)
		os.Exit(3)
	case "gate":
		parts := strings.SplitN(rest, " ", 3)
		if len(parts) == 3 {
			os.WriteFile(filepath.Join(parts[0], parts[1]), nil, 0o644)
			for !exists(filepath.Join(parts[0], "open")) {
				time.Sleep(5 * time.Millisecond)
			}
			return perform(parts[2])
		}
	}
	return "", "unknown job " + strconv.Quote(job)
}

// appendX appends "x" to the file at path, creating it if need be.
func appendX(path string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err == nil {
		f.WriteString("x")
		f.Close()
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// newPool starts a pool of n workers with the worker options opts. It returns the pool and
// the directory where the workers leave their pids. Whatever the pool does, no worker
// outlives the test.
func newPool(t *testing.T, n int, opts ...string) (*Pool, string) {
	t.Helper()
	dir := t.TempDir()
	t.Cleanup(func() {
		for _, pid := range workerPids(dir) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	p, err := New(n, helperPath(t), helperArgs("worker", append([]string{dir}, opts...)...)...)
	if err != nil {
		t.Fatalf("New(%d, worker) returned error %v; want nil", n, err)
	}
	return p, dir
}

// workerPids returns the pids of every worker started with dir.
func workerPids(dir string) []int {
	entries, _ := os.ReadDir(dir)
	var pids []int
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// checkNoWorkerLeft fails the test unless every worker started with dir is gone. The
// workers are children of the test process: until the pool has waited for them, they
// exist, running or as zombies.
func checkNoWorkerLeft(t *testing.T, dir string) {
	t.Helper()
	pids := workerPids(dir)
	for _, pid := range pids {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("worker %d (of %d started) still exists after Close (kill(pid, 0) = %v): Close must wait for every worker to exit (cmd.Wait), and the pool must reap crashed ones too", pid, len(pids), err)
		}
	}
}

// within runs f and fails the test if it has not returned after d: what describes the
// call, stuck the likely reason.
func within[T any](t *testing.T, d time.Duration, what, stuck string, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(d):
		t.Fatalf("%s did not return within %v%s", what, d, stuck)
		var zero T
		return zero
	}
}

// capList returns lines, one per line and indented, at most limit of them followed by how
// many more there are.
func capList(lines []string, limit int) string {
	var b strings.Builder
	for i, l := range lines {
		if i == limit {
			fmt.Fprintf(&b, "\n\t... and %d more", len(lines)-limit)
			break
		}
		b.WriteString("\n\t" + l)
	}
	return b.String()
}

type outcome struct {
	result string
	err    error
}

// errStuck is what submit reports for a Submit call that ignored its ctx.
var errStuck = errors.New("Submit did not return within 3s of its ctx's deadline")

// submit calls p.Submit with a 5s deadline. It is safe to call from any goroutine: if
// Submit has not returned 3s after that deadline, submit gives up and returns errStuck.
func submit(p *Pool, job string) outcome {
	done := make(chan outcome, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r, err := p.Submit(ctx, job)
		done <- outcome{r, err}
	}()
	select {
	case o := <-done:
		return o
	case <-time.After(8 * time.Second):
		return outcome{err: errStuck}
	}
}

func closePool(t *testing.T, p *Pool) error {
	t.Helper()
	return within(t, 10*time.Second, "Close()", "", p.Close)
}

// waitFiles waits until the n files named exist in dir, or fails the test.
func waitFiles(t *testing.T, dir string, names []string, why string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		missing := slices.DeleteFunc(slices.Clone(names), func(n string) bool { return exists(filepath.Join(dir, n)) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs %q never started: %s", missing, why)
		}
	}
}

func TestSubmit(t *testing.T) {
	t.Parallel()
	p, dir := newPool(t, 2, "linger=100ms")
	tests := []struct {
		name    string
		job     string
		want    string
		wantErr string // a worker's error message: Submit must return a *JobError with it
	}{
		{name: "echo", job: "echo hello", want: "hello"},
		{name: "quotes and spaces", job: `echo say "hi", it's  me`, want: `say "hi", it's  me`},
		{name: "not ASCII", job: "echo héllo ✓ \t tab", want: "héllo ✓ \t tab"},
		{name: "slow job", job: "sleep 50 done", want: "done"},
		{name: "worker reports an error", job: "fail disk full", wantErr: "disk full"},
		{name: "unknown job", job: "dance", wantErr: `unknown job "dance"`},
	}
	t.Run("jobs", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				o := submit(p, tt.job)
				if tt.wantErr != "" {
					var jobErr *JobError
					if !errors.As(o.err, &jobErr) || jobErr.Msg != tt.wantErr {
						t.Errorf("Submit(ctx, %q) = %q, %v; want a *JobError with Msg %q", tt.job, o.result, o.err, tt.wantErr)
					}
					if errors.Is(o.err, ErrWorkerCrashed) {
						t.Errorf("Submit(ctx, %q) returned error %v; want no ErrWorkerCrashed: the worker answered", tt.job, o.err)
					}
					return
				}
				if o.err != nil || o.result != tt.want {
					t.Errorf("Submit(ctx, %q) = %q, %v; want %q, nil", tt.job, o.result, o.err, tt.want)
				}
			})
		}
	})
	if err := closePool(t, p); err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	checkNoWorkerLeft(t, dir)
}

func TestSubmitMatchesAnswersByID(t *testing.T) {
	t.Parallel()
	// Jobs of different lengths, all at once: answers arrive in another order than the
	// jobs went out, and each worker starts with a status line that answers no job.
	p, dir := newPool(t, 3)
	const jobs = 30
	got := make([]outcome, jobs)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Go(func() {
			got[i] = submit(p, fmt.Sprintf("sleep %d answer-%d", (i*37)%40, i))
		})
	}
	wg.Wait()
	var wrong []string
	for i, o := range got {
		job, want := fmt.Sprintf("sleep %d answer-%d", (i*37)%40, i), fmt.Sprintf("answer-%d", i)
		if o.err != nil || o.result != want {
			wrong = append(wrong, fmt.Sprintf("Submit(ctx, %q) = %q, %v; want %q, nil", job, o.result, o.err, want))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("%d of %d jobs submitted at once got a wrong answer: match each answer to its job by id, and skip lines with other ids (such as the worker's {\"id\":0,\"status\":\"ready\"}):%s", len(wrong), jobs, capList(wrong, 10))
	}
	if err := closePool(t, p); err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	checkNoWorkerLeft(t, dir)
}

func TestAtMostNJobsInFlight(t *testing.T) {
	t.Parallel()
	const n, jobs = 2, 6
	p, dir := newPool(t, n)
	gate := t.TempDir()
	got := make([]outcome, jobs)
	var wg sync.WaitGroup
	for i := range jobs {
		wg.Go(func() {
			got[i] = submit(p, fmt.Sprintf("gate %s job-%d echo answer-%d", gate, i, i))
		})
	}
	started := func() []string {
		entries, _ := os.ReadDir(gate)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		return names
	}
	// Wait for n jobs to start; then give the pool time to start more, which it must not.
	for deadline := time.Now().Add(5 * time.Second); len(started()) < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("with %d jobs submitted at once to a pool of %d, only %q started; want %d running at once", jobs, n, started(), n)
		}
	}
	time.Sleep(200 * time.Millisecond)
	if s := started(); len(s) != n {
		t.Errorf("with %d jobs submitted at once to a pool of %d workers, %d ran at once (%q); want %d: give each worker one job at a time, and make the other Submit calls wait", jobs, n, len(s), s, n)
	}
	os.WriteFile(filepath.Join(gate, "open"), nil, 0o644)
	wg.Wait()
	for i, o := range got {
		if want := fmt.Sprintf("answer-%d", i); o.err != nil || o.result != want {
			t.Errorf("Submit(ctx, \"gate ... job-%d echo answer-%d\") = %q, %v; want %q, nil", i, i, o.result, o.err, want)
		}
	}
	if err := closePool(t, p); err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	checkNoWorkerLeft(t, dir)
}

func TestCrashedWorker(t *testing.T) {
	t.Parallel()
	p, dir := newPool(t, 2)
	scratch := t.TempDir()

	t.Run("retried once on a new worker", func(t *testing.T) {
		job := "crash-once " + filepath.Join(scratch, "crashed") + " survived"
		if o := submit(p, job); o.err != nil || o.result != "survived" {
			t.Errorf("Submit(ctx, %q) = %q, %v; want \"survived\", nil: when a worker dies before answering, replace it and send the job once more", job, o.result, o.err)
		}
	})
	t.Run("crashes twice", func(t *testing.T) {
		count := filepath.Join(scratch, "attempts")
		job := "crash " + count
		o := submit(p, job)
		if !errors.Is(o.err, ErrWorkerCrashed) {
			t.Errorf("Submit(ctx, %q) = %q, %v; want an error wrapping ErrWorkerCrashed", job, o.result, o.err)
		}
		if attempts, _ := os.ReadFile(count); len(attempts) != 2 {
			t.Errorf("Submit(ctx, %q) ran the job %d times; want 2: the first attempt and one retry", job, len(attempts))
		}
	})
	t.Run("a reported failure is not retried", func(t *testing.T) {
		count := filepath.Join(scratch, "failures")
		job := "count " + count + " fail disk full"
		o := submit(p, job)
		var jobErr *JobError
		if !errors.As(o.err, &jobErr) || jobErr.Msg != "disk full" {
			t.Errorf("Submit(ctx, %q) = %q, %v; want a *JobError with Msg \"disk full\"", job, o.result, o.err)
		}
		if attempts, _ := os.ReadFile(count); len(attempts) != 1 {
			t.Errorf("Submit(ctx, %q) ran the job %d times; want once: the worker answered with an error, it did not crash, so there is nothing to retry", job, len(attempts))
		}
	})
	t.Run("the pool keeps n workers", func(t *testing.T) {
		gate := t.TempDir()
		results := make([]outcome, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Go(func() { results[i] = submit(p, fmt.Sprintf("gate %s job-%d pid", gate, i)) })
		}
		waitFiles(t, gate, []string{"job-0", "job-1"}, "after crashes, a pool of 2 must still run 2 jobs at once: start a new worker for each one that died")
		os.WriteFile(filepath.Join(gate, "open"), nil, 0o644)
		wg.Wait()
		if results[0].err != nil || results[1].err != nil || results[0].result == results[1].result {
			t.Errorf("two jobs at once on a pool of 2 answered %v; want two different worker pids", results)
		}
	})
	if err := closePool(t, p); err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	checkNoWorkerLeft(t, dir)
}

func TestSubmitCancel(t *testing.T) {
	t.Parallel()
	p, dir := newPool(t, 1)
	gate := t.TempDir()

	// Cancel a job once its worker runs it. The job cannot finish: its gate stays shut.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	busy := make(chan []int, 1) // the pid of the worker running the job
	go func() {
		defer cancel()
		for deadline := time.Now().Add(5 * time.Second); !exists(filepath.Join(gate, "stuck")) && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		busy <- workerPids(dir)
	}()
	job := "gate " + gate + " stuck echo late"
	err := within(t, 5*time.Second, fmt.Sprintf("Submit(ctx, %q) with ctx cancelled", job), ": return as soon as ctx is done", func() error {
		_, err := p.Submit(ctx, job)
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Submit(ctx, %q) with ctx cancelled while the job runs returned error %v; want an error wrapping context.Canceled", job, err)
	}

	// The only worker was busy with a job that nobody wants: it must go.
	for _, pid := range <-busy {
		for deadline := time.Now().Add(2 * time.Second); syscall.Kill(pid, 0) != syscall.ESRCH && time.Now().Before(deadline); {
			time.Sleep(10 * time.Millisecond)
		}
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("the worker (pid %d) that ran the cancelled job still exists (kill(pid, 0) = %v); want it killed, reaped and replaced: its job will never finish, and nobody wants its answer", pid, err)
		}
	}
	o := within(t, 5*time.Second, "Submit(ctx, \"echo next\") after a cancelled job", ": the pool's only worker is still busy with the cancelled job, which will never finish; kill that worker and start a new one", func() outcome {
		return submit(p, "echo next")
	})
	if o.err != nil || o.result != "next" {
		t.Errorf("Submit(ctx, \"echo next\") after a cancelled job = %q, %v; want \"next\", nil", o.result, o.err)
	}
	// Should the cancelled job finish after all, its answer must reach nobody.
	os.WriteFile(filepath.Join(gate, "open"), nil, 0o644)
	if o := submit(p, "sleep 50 again"); o.err != nil || o.result != "again" {
		t.Errorf("Submit(ctx, \"sleep 50 again\") = %q, %v; want \"again\", nil: the answer of a cancelled job must not be taken for another's", o.result, o.err)
	}
	if err := closePool(t, p); err != nil {
		t.Errorf("Close() = %v; want nil", err)
	}
	checkNoWorkerLeft(t, dir)
}

func TestClose(t *testing.T) {
	t.Parallel()
	// Workers linger 300ms after their stdin closes, as a real worker flushing its
	// state would: Close must wait for that.
	p, dir := newPool(t, 2, "linger=300ms")
	gate := t.TempDir()

	// Two jobs in flight, one more waiting for a worker. The second job's worker will crash
	// once Close has begun: its job must not be sent again.
	crashes := filepath.Join(t.TempDir(), "crashes")
	finishing, crashing := make(chan outcome, 1), make(chan outcome, 1)
	go func() { finishing <- submit(p, fmt.Sprintf("gate %s job-0 echo finished", gate)) }()
	go func() { crashing <- submit(p, fmt.Sprintf("gate %s job-1 crash %s", gate, crashes)) }()
	waitFiles(t, gate, []string{"job-0", "job-1"}, "a pool of 2 must run 2 jobs at once")
	waiting := make(chan outcome, 1)
	go func() { waiting <- submit(p, "echo waiting") }()

	closed := make(chan error, 1)
	go func() { closed <- p.Close() }()

	// Once Close has begun, Submit refuses new jobs. Probe until it does: a probe that
	// comes too early waits for a worker in vain, as both are busy, and times out.
	for deadline := time.Now().Add(5 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		r := within(t, 5*time.Second, "Submit(ctx, \"echo probe\") with a 50ms deadline, every worker busy", ": while it waits for a worker, Submit must return when ctx ends", func() error {
			_, err := p.Submit(ctx, "echo probe")
			return err
		})
		cancel()
		if errors.Is(r, ErrClosed) {
			break
		}
		if !errors.Is(r, context.DeadlineExceeded) || time.Now().After(deadline) {
			t.Fatalf("Submit(ctx, \"echo probe\") while Close() runs returned error %v; want an error wrapping ErrClosed", r)
		}
	}
	time.Sleep(100 * time.Millisecond)
	select {
	case err := <-closed:
		t.Fatalf("Close() returned %v while two jobs were still running; want it to wait for jobs in flight", err)
	default:
	}

	os.WriteFile(filepath.Join(gate, "open"), nil, 0o644)
	if o := <-finishing; o.err != nil || o.result != "finished" {
		t.Errorf("a job running when Close() began = %q, %v; want \"finished\", nil: let jobs in flight finish", o.result, o.err)
	}
	o := <-crashing
	if !errors.Is(o.err, ErrClosed) {
		t.Errorf("a job whose worker crashed after Close() began = %q, %v; want an error wrapping ErrClosed: once Close has begun, a job is not sent again", o.result, o.err)
	}
	if attempts, _ := os.ReadFile(crashes); len(attempts) != 1 {
		t.Errorf("a job whose worker crashed after Close() began ran %d times; want once: once Close has begun, a job is not sent again", len(attempts))
	}
	if o := <-waiting; !errors.Is(o.err, ErrClosed) {
		t.Errorf("Submit(ctx, \"echo waiting\"), waiting for a worker when Close() began, = %q, %v; want an error wrapping ErrClosed", o.result, o.err)
	}
	err := within(t, 10*time.Second, "Close()", ": once jobs in flight finish, close each worker's stdin and wait for it", func() error { return <-closed })
	if err != nil {
		t.Errorf("Close() = %v; want nil: the workers it stopped exited with status 0, and the one that crashed was Submit's to reap, not Close's to report", err)
	}
	checkNoWorkerLeft(t, dir)

	if err := closePool(t, p); err != nil {
		t.Errorf("Close() a second time = %v; want nil, as the first time", err)
	}
	if o := submit(p, "echo late"); !errors.Is(o.err, ErrClosed) {
		t.Errorf("Submit(ctx, \"echo late\") after Close() = %q, %v; want an error wrapping ErrClosed", o.result, o.err)
	}
}

func TestCloseExitErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []string // the workers' options
		wantCode int      // the exit code of each worker's *exec.ExitError; -1 for a signal
		why      string
	}{
		{
			name:     "workers exit with status 4",
			opts:     []string{"exit=4"},
			wantCode: 4,
			why:      "return what cmd.Wait returned for each worker, joined (errors.Join) or wrapped with %w",
		},
		{
			name:     "a worker ignores the end of its stdin",
			opts:     []string{"stay"},
			wantCode: -1,
			why:      "a worker still running 2 seconds after its stdin was closed must be killed, and the *exec.ExitError of the kill returned",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, dir := newPool(t, 2, tt.opts...)
			if o := submit(p, "echo hi"); o.err != nil || o.result != "hi" {
				t.Errorf("Submit(ctx, \"echo hi\") = %q, %v; want \"hi\", nil", o.result, o.err)
			}
			err := within(t, 10*time.Second, "Close() ("+tt.name+")", ": kill any worker still running 2 seconds after its stdin was closed", p.Close)
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.wantCode {
				t.Errorf("Close() = %v; want an error wrapping an *exec.ExitError with ExitCode() %d: %s", err, tt.wantCode, tt.why)
			}
			checkNoWorkerLeft(t, dir)
			if again := closePool(t, p); err != nil && (again == nil || again.Error() != err.Error()) {
				t.Errorf("Close() a second time = %v; want the same error as the first time, %v", again, err)
			}
		})
	}
}

func TestNewFails(t *testing.T) {
	t.Parallel()
	p, err := New(2, "procdojo-no-such-program")
	if !errors.Is(err, exec.ErrNotFound) || p != nil {
		t.Errorf("New(2, \"procdojo-no-such-program\") = %v, %v; want nil and an error wrapping exec.ErrNotFound", p, err)
	}
	if p, err := New(0, helperPath(t), helperArgs("worker", "-")...); err == nil || p != nil {
		t.Errorf("New(0, worker) = %v, %v; want nil and an error", p, err)
	}
}

// BenchmarkPool measures a job's round trip through a pool of one worker.
func BenchmarkPool(b *testing.B) {
	p, err := New(1, helperPath(b), helperArgs("worker", "-")...)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	for b.Loop() {
		if r, err := p.Submit(ctx, "echo hi"); err != nil || r != "hi" {
			b.Fatalf("Submit(ctx, \"echo hi\") = %q, %v; want \"hi\", nil", r, err)
		}
	}
}

// BenchmarkSpawnPerJob measures the same job with a new worker process for each: start it,
// send the job, read the answer, close its stdin, wait for it.
func BenchmarkSpawnPerJob(b *testing.B) {
	for b.Loop() {
		cmd := exec.Command(helperPath(b), helperArgs("worker", "-")...)
		cmd.Stdin = strings.NewReader(`{"id":1,"job":"echo hi"}` + "\n")
		out, err := cmd.Output()
		if err != nil || !bytes.Contains(out, []byte(`{"id":1,"result":"hi"}`)) {
			b.Fatalf("worker answered %q, %v; want {\"id\":1,\"result\":\"hi\"}", out, err)
		}
	}
}
