package jobqueue

// The jobs are real processes: the test binary itself, run as the "job" helper below. Each
// job appends its ID to a log file as it starts, so the tests know in which order the jobs
// ran and how many times. With one worker and a first job that blocks until the test
// releases it (a gate), every job added meanwhile waits in the queue, and the order in which
// they then run is the queue's choice alone.

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["job"] = jobMain
	helpers["grandchild"] = grandchildMain
}

// jobMain, the "job" helper, is a job: job LOG TAG ACTION [ARGS...]. It appends the line
// TAG to the file LOG, then does ACTION:
//
//	ok TEXT       print TEXT and exit 0
//	fail          exit 3
//	flaky N TEXT  exit 3 if LOG holds TAG N times or fewer (this run included), else print TEXT
//	hang PIDDIR PROGRAM ARGS...
//	              create PIDDIR/job-<pid>, start PROGRAM ARGS (the "grandchild" helper) with
//	              the job's stdout, and wait forever
//	gate DIR      create DIR/TAG, wait until DIR/open exists, exit 0
//
// A job exits by itself after 30 seconds, or as soon as the test process is gone.
func jobMain(args []string) int {
	testPid := os.Getppid()
	watchdog(func() bool { return os.Getppid() != testPid })
	log, tag, action, rest := args[0], args[1], args[2], args[3:]
	f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "job:", err)
		return 2
	}
	f.WriteString(tag + "\n") // one write with O_APPEND: lines from jobs at once never mix
	f.Close()

	switch action {
	case "ok":
		fmt.Println(rest[0])
		return 0
	case "fail":
		return 3
	case "flaky":
		n, _ := strconv.Atoi(rest[0])
		if runs(log, tag) <= n {
			return 3
		}
		fmt.Println(rest[1])
		return 0
	case "hang":
		os.WriteFile(filepath.Join(rest[0], fmt.Sprintf("job-%d", os.Getpid())), nil, 0o644)
		cmd := exec.Command(rest[1], rest[2:]...)
		cmd.Stdout = os.Stdout
		if err := cmd.Start(); err != nil {
			fmt.Fprintln(os.Stderr, "job:", err)
			return 2
		}
		select {}
	case "gate":
		os.WriteFile(filepath.Join(rest[0], tag), nil, 0o644)
		for !exists(filepath.Join(rest[0], "open")) {
			time.Sleep(5 * time.Millisecond)
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "job: unknown action %q\n", action)
	return 2
}

// grandchildMain, the "grandchild" helper, is a process that a job started: grandchild
// PIDDIR TESTPID. It creates PIDDIR/grandchild-<pid> and waits, for 30 seconds at most, or
// until the process TESTPID is gone. It does not watch its parent, the job: when the job is
// killed alone, the grandchild lives on, as real ones do.
func grandchildMain(args []string) int {
	testPid, _ := strconv.Atoi(args[1])
	watchdog(func() bool { return syscall.Kill(testPid, 0) == syscall.ESRCH })
	os.WriteFile(filepath.Join(args[0], fmt.Sprintf("grandchild-%d", os.Getpid())), nil, 0o644)
	select {}
}

// watchdog ends the helper after 30 seconds, or as soon as orphaned reports true, so that
// no helper outlives the tests, whatever the code under test does.
func watchdog(orphaned func() bool) {
	go func() {
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(20 * time.Millisecond) {
			if orphaned() {
				os.Exit(97)
			}
		}
		os.Exit(98)
	}()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
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

// started returns the tags that the jobs logged in log, in the order the jobs started.
func started(log string) []string {
	data, _ := os.ReadFile(log)
	return strings.Fields(string(data))
}

// runs returns how many times the job tag started, according to log.
func runs(log, tag string) int {
	n := 0
	for _, s := range started(log) {
		if s == tag {
			n++
		}
	}
	return n
}

// env is one test's queue, with its log and what it reported.
type env struct {
	t    *testing.T
	q    *Queue
	log  string // the jobs' start log
	gate string // the directory of gate jobs
	pids string // the directory where hanging jobs and their grandchildren leave their pids

	mu      sync.Mutex
	results []Result
}

// newEnv starts a queue of the given number of workers. Whatever the queue does, no job
// outlives the test.
func newEnv(t *testing.T, workers int) *env {
	t.Helper()
	return newEnvReport(t, workers, nil)
}

// newEnvReport is newEnv with a function that the queue's report calls too, before it
// records the Result.
func newEnvReport(t *testing.T, workers int, also func(Result)) *env {
	t.Helper()
	e := &env{t: t, log: filepath.Join(t.TempDir(), "log"), gate: t.TempDir(), pids: t.TempDir()}
	t.Cleanup(func() {
		e.openGate()
		for _, pid := range e.pidsOf("") {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	e.q = New(workers, func(r Result) {
		if also != nil {
			also(r)
		}
		e.mu.Lock()
		defer e.mu.Unlock()
		e.results = append(e.results, r)
	})
	return e
}

// job returns a job with id and priority that runs ACTION with args as the "job" helper.
func (e *env) job(id string, priority int, action string, args ...string) Job {
	return Job{ID: id, Priority: priority, Name: helperPath(e.t), Args: helperArgs("job", append([]string{e.log, id, action}, args...)...)}
}

// add adds jobs to the queue, failing the test if Add fails.
func (e *env) add(jobs ...Job) {
	e.t.Helper()
	for _, j := range jobs {
		if err := e.q.Add(j); err != nil {
			e.t.Fatalf("Add(Job{ID: %q}) = %v; want nil", j.ID, err)
		}
	}
}

// addGate adds a job that blocks until openGate, and waits until it runs.
func (e *env) addGate(id string) {
	e.t.Helper()
	e.add(e.job(id, 0, "gate", e.gate))
	e.waitGates(id)
}

// waitGates waits until the gate jobs ids have started.
func (e *env) waitGates(ids ...string) {
	e.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		missing := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return exists(filepath.Join(e.gate, id)) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("jobs %q had not started 5s after they were added, with workers free to run them: start jobs as they are added, up to the number of workers at once", missing)
		}
	}
}

func (e *env) openGate() { os.WriteFile(filepath.Join(e.gate, "open"), nil, 0o644) }

// close closes the queue and returns what it reported, in the order reported.
func (e *env) close() []Result {
	e.t.Helper()
	done := make(chan struct{})
	go func() {
		e.q.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		e.t.Fatalf("Close() did not return within 10s; the jobs started so far: %s", capped("%q", started(e.log), 10))
	}
	return e.reported()
}

func (e *env) reported() []Result {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.results)
}

// result returns the one Result reported for id, failing the test if there is not exactly
// one.
func (e *env) result(results []Result, id string) Result {
	e.t.Helper()
	var found []Result
	for _, r := range results {
		if r.ID == id {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("job %q was reported %d times (%v); want once, when it is done", id, len(found), found)
	}
	return found[0]
}

// pidsOf returns the pids that the processes of role ("job" or "grandchild", "" for both)
// left in e.pids.
func (e *env) pidsOf(role string) []int {
	entries, _ := os.ReadDir(e.pids)
	var pids []int
	for _, ent := range entries {
		r, n, _ := strings.Cut(ent.Name(), "-")
		if pid, err := strconv.Atoi(n); err == nil && (role == "" || r == role) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// ids returns the IDs of results, in order.
func ids(results []Result) []string {
	var s []string
	for _, r := range results {
		s = append(s, r.ID)
	}
	return s
}

// lockedBuffer is an io.Writer that jobs running at once may share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// gone reports whether the process pid has ended. A process that has exited but that its
// parent has not reaped, a zombie, counts as gone: it runs no more. (An orphaned grandchild
// can stay a zombie for good where pid 1 does not reap orphans, as in some containers; on
// Linux, /proc tells zombies apart.)
func gone(pid int) bool {
	if syscall.Kill(pid, 0) == syscall.ESRCH {
		return true
	}
	if runtime.GOOS == "linux" {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return errors.Is(err, os.ErrNotExist)
		}
		// "pid (command) state ...": the state follows the last ')'.
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) {
			return stat[i+2] == 'Z'
		}
	}
	return false
}

func TestResults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2)
	var out lockedBuffer
	hello := e.job("hello", 0, "ok", "hello")
	hello.Stdout = &out
	fails := e.job("fails", 0, "fail")
	missing := Job{ID: "missing", Name: "procdojo-no-such-program", MaxAttempts: 3}
	e.add(hello, fails, missing)
	results := e.close()

	t.Run("success", func(t *testing.T) {
		if r := e.result(results, "hello"); r.Err != nil || r.Attempts != 1 {
			t.Errorf("Result for a job that exits 0 = {Attempts: %d, Err: %v}; want {Attempts: 1, Err: nil}", r.Attempts, r.Err)
		}
		if got := out.String(); got != "hello\n" {
			t.Errorf("the job's Stdout got %q; want %q", got, "hello\n")
		}
	})
	t.Run("failure, no retry by default", func(t *testing.T) {
		r := e.result(results, "fails")
		var exitErr *exec.ExitError
		if !errors.As(r.Err, &exitErr) || exitErr.ExitCode() != 3 {
			t.Errorf("Result for a job that exits 3 has Err %v; want an error wrapping the *exec.ExitError (exit status 3)", r.Err)
		}
		if r.Attempts != 1 || runs(e.log, "fails") != 1 {
			t.Errorf("a failing job with MaxAttempts 0 was started %d times (Result.Attempts %d); want once: MaxAttempts 0 means 1", runs(e.log, "fails"), r.Attempts)
		}
	})
	t.Run("program not found", func(t *testing.T) {
		r := e.result(results, "missing")
		if !errors.Is(r.Err, exec.ErrNotFound) || r.Attempts != 1 {
			t.Errorf("Result for a program not in PATH, with MaxAttempts 3 = {Attempts: %d, Err: %v}; want {Attempts: 1, Err: wrapping exec.ErrNotFound}: a program that cannot start is not retried", r.Attempts, r.Err)
		}
	})
	t.Run("closed", func(t *testing.T) {
		if err := e.q.Add(e.job("late", 0, "ok", "late")); !errors.Is(err, ErrClosed) {
			t.Errorf("Add after Close() = %v; want an error wrapping ErrClosed", err)
		}
		e.close() // a second Close returns too
		if len(e.reported()) != 3 {
			t.Errorf("after Close(), %d jobs were reported (%q); want the 3 added before Close", len(e.reported()), ids(e.reported()))
		}
	})
}

func TestPriority(t *testing.T) {
	t.Parallel()
	// One worker, busy with the gate job while the others are added: they all wait, and
	// the queue alone decides their order.
	e := newEnv(t, 1)
	e.addGate("gate")
	e.add(
		e.job("low-1", 0, "ok", "x"),
		e.job("high-1", 5, "ok", "x"),
		e.job("mid-1", 1, "ok", "x"),
		e.job("high-2", 5, "ok", "x"),
		e.job("low-2", 0, "ok", "x"),
		e.job("urgent", 9, "ok", "x"),
		e.job("mid-2", 1, "ok", "x"),
		e.job("below-0", -1, "ok", "x"),
	)
	e.openGate()
	results := e.close()
	want := []string{"gate", "urgent", "high-1", "high-2", "mid-1", "mid-2", "low-1", "low-2", "below-0"}
	if got := started(e.log); !slices.Equal(got, want) {
		t.Errorf("jobs added in the order low-1 (priority 0), high-1 (5), mid-1 (1), high-2 (5), low-2 (0), urgent (9), mid-2 (1), below-0 (-1) ran in the order %q; want %q: the highest priority first, and jobs of equal priority in the order they were added", got, want)
	}
	if got := ids(results); !slices.Equal(got, want) {
		t.Errorf("with one worker, the jobs were reported in the order %q; want %q, the order they ran", got, want)
	}
}

func TestRetries(t *testing.T) {
	t.Parallel()
	t.Run("succeeds on the third attempt", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 1)
		j := e.job("flaky", 0, "flaky", "2", "done")
		j.MaxAttempts = 3
		var out lockedBuffer
		j.Stdout = &out
		e.add(j)
		r := e.result(e.close(), "flaky")
		if r.Err != nil || r.Attempts != 3 || runs(e.log, "flaky") != 3 {
			t.Errorf("a job that fails twice, then succeeds, with MaxAttempts 3: started %d times, Result {Attempts: %d, Err: %v}; want 3 times, {Attempts: 3, Err: nil}: retry a failed job while it has attempts left", runs(e.log, "flaky"), r.Attempts, r.Err)
		}
		if out.String() != "done\n" {
			t.Errorf("the job's Stdout got %q; want %q", out.String(), "done\n")
		}
	})
	t.Run("fails every attempt", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 1)
		j := e.job("broken", 0, "fail")
		j.MaxAttempts = 3
		e.add(j)
		r := e.result(e.close(), "broken")
		var exitErr *exec.ExitError
		if !errors.As(r.Err, &exitErr) || r.Attempts != 3 || runs(e.log, "broken") != 3 {
			t.Errorf("a job that always fails, with MaxAttempts 3: started %d times, Result {Attempts: %d, Err: %v}; want 3 times, {Attempts: 3, Err: wrapping *exec.ExitError}", runs(e.log, "broken"), r.Attempts, r.Err)
		}
	})
	t.Run("a retry waits behind its priority", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 1)
		e.addGate("gate")
		flaky := e.job("flaky", 1, "flaky", "1", "done")
		flaky.MaxAttempts = 2
		e.add(flaky, e.job("peer", 1, "ok", "x"), e.job("lower", 0, "ok", "x"))
		e.openGate()
		results := e.close()
		want := []string{"gate", "flaky", "peer", "flaky", "lower"}
		if got := started(e.log); !slices.Equal(got, want) {
			t.Errorf("with flaky (priority 1, fails once), peer (1) and lower (0) waiting, the jobs ran in the order %q; want %q: a failed job goes back to the queue behind the jobs of its priority already waiting, ahead of less urgent ones", got, want)
		}
		if r := e.result(results, "flaky"); r.Err != nil || r.Attempts != 2 {
			t.Errorf("Result for flaky = {Attempts: %d, Err: %v}; want {Attempts: 2, Err: nil}", r.Attempts, r.Err)
		}
	})
}

func TestTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2)
	// The hanging job starts a grandchild that shares its stdout, a pipe to this buffer.
	var out lockedBuffer
	grandchild := append([]string{helperPath(t)}, helperArgs("grandchild", e.pids, strconv.Itoa(os.Getpid()))...)
	hang := e.job("hang", 0, "hang", append([]string{e.pids}, grandchild...)...)
	hang.Timeout = 500 * time.Millisecond
	hang.MaxAttempts = 2
	hang.Stdout = &out
	quick := e.job("quick", 0, "ok", "quick")
	quick.Timeout = 20 * time.Second
	e.add(hang, quick)

	// Wait for the hanging job's Result, watching how many times it runs.
	var r Result
	for deadline := time.Now().Add(8 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if n := runs(e.log, "hang"); n > 2 {
			t.Fatalf("a job that always times out, with MaxAttempts 2, was started %d times; want 2: an attempt that times out is a failed attempt, and counts toward MaxAttempts", n)
		}
		if i := slices.IndexFunc(e.reported(), func(r Result) bool { return r.ID == "hang" }); i >= 0 {
			r = e.reported()[i]
			break
		}
		if time.Now().After(deadline) {
			why := ""
			for _, pid := range e.pidsOf("grandchild") {
				if !gone(pid) {
					why = fmt.Sprintf(": the grandchild (pid %d) that the job started is still running and holds the job's stdout open, so Wait waits for it; on timeout, kill the job's whole process group (Setpgid, and a cmd.Cancel that kills -pid)", pid)
				}
			}
			for _, pid := range e.pidsOf("job") {
				if !gone(pid) {
					why = fmt.Sprintf(": an attempt (pid %d) is still running long after its Timeout; kill an attempt once Timeout has passed (exec.CommandContext with a context.WithTimeout)", pid)
				}
			}
			t.Fatalf("no Result for a job that always hangs, with Timeout 500ms and MaxAttempts 2, after 8s (started %d times)%s", runs(e.log, "hang"), why)
		}
	}
	if !errors.Is(r.Err, ErrTimeout) || r.Attempts != 2 || runs(e.log, "hang") != 2 {
		t.Errorf("a job that always hangs, with Timeout 500ms and MaxAttempts 2: started %d times, Result {Attempts: %d, Err: %v}; want 2 times, {Attempts: 2, Err: wrapping ErrTimeout}", runs(e.log, "hang"), r.Attempts, r.Err)
	}
	for _, pid := range e.pidsOf("job") {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			t.Errorf("an attempt that timed out (pid %d) still exists after its Result (kill(pid, 0) = %v); want it killed and waited for", pid, err)
		}
	}
	grandchildren := e.pidsOf("grandchild")
	if len(grandchildren) == 0 {
		t.Errorf("no grandchild of the hanging job ever started: the machine may be too slow for a 500ms Timeout")
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range grandchildren {
		for !gone(pid) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !gone(pid) {
			t.Errorf("the grandchild (pid %d) of a job that timed out is still running; want it killed with the job: run each job in its own process group (Setpgid) and kill the group (syscall.Kill(-pid, SIGKILL))", pid)
		}
	}

	results := e.close()
	if q := e.result(results, "quick"); q.Err != nil || q.Attempts != 1 {
		t.Errorf("Result for a quick job with Timeout 20s = {Attempts: %d, Err: %v}; want {Attempts: 1, Err: nil}", q.Attempts, q.Err)
	}
}

func TestConcurrency(t *testing.T) {
	t.Parallel()
	const workers, jobs = 2, 5
	e := newEnv(t, workers)
	var all []string
	for i := range jobs {
		id := fmt.Sprintf("gate-%d", i)
		all = append(all, id)
		e.add(e.job(id, 0, "gate", e.gate))
	}
	// Wait for the first two; then give the queue time to start more, which it must not.
	e.waitGates("gate-0", "gate-1")
	time.Sleep(200 * time.Millisecond)
	if got := started(e.log); len(got) != workers {
		t.Errorf("with %d gate jobs added to a queue of %d workers, %d ran at once (%q); want %d", jobs, workers, len(got), got, workers)
	}
	e.openGate()
	results := e.close()
	if got := ids(results); len(got) != jobs {
		t.Errorf("after Close(), the jobs reported were %q; want all of %q", got, all)
	}
}

func TestFewerThanOneWorker(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{0, -1} {
		t.Run(fmt.Sprintf("New(%d)", workers), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, workers)
			e.add(e.job("only", 0, "ok", "x"))
			done := make(chan struct{})
			go func() {
				e.q.Close()
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatalf("a queue from New(%d, report) with one job: Close() did not return within 10s, and the jobs started so far are %s; want the job run: fewer than 1 worker means 1", workers, capped("%q", started(e.log), 10))
			}
			if len(e.reported()) == 0 {
				t.Fatalf("a queue from New(%d, report) with one job: Close() returned, but the job was never reported (started %d times); want it run: fewer than 1 worker means 1", workers, runs(e.log, "only"))
			}
			if r := e.result(e.reported(), "only"); r.Err != nil {
				t.Errorf("Result for a job that exits 0 = {Attempts: %d, Err: %v}; want {Attempts: 1, Err: nil}", r.Attempts, r.Err)
			}
		})
	}
}

func TestReportsNeverOverlap(t *testing.T) {
	t.Parallel()
	// Many quick jobs on many workers finish close together; each report call lingers, so
	// calls made at once would overlap.
	const workers, jobs = 4, 8
	var mu sync.Mutex
	inReport, most := 0, 0
	e := newEnvReport(t, workers, func(Result) {
		mu.Lock()
		inReport++
		most = max(most, inReport)
		mu.Unlock()
		time.Sleep(30 * time.Millisecond)
		mu.Lock()
		inReport--
		mu.Unlock()
	})
	for i := range jobs {
		e.add(e.job(fmt.Sprintf("job-%d", i), 0, "ok", "x"))
	}
	if got := e.close(); len(got) != jobs {
		t.Errorf("after Close(), the jobs reported were %q; want all %d", ids(got), jobs)
	}
	if most > 1 {
		t.Errorf("with %d workers, up to %d report calls ran at once; want one at a time: report calls never overlap (guard them with a mutex, or report from one goroutine)", workers, most)
	}
}
