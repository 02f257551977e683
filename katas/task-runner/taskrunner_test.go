package taskrunner

// The workers are real processes: the test binary itself, run as the "worker" helper below.
// Each worker creates a file named after its pid, so the tests can check that every worker
// ever started, crashed ones included, is gone in the end; and it appends the tag of each
// task to a log as it starts it, so the tests know in which order the tasks ran and how many
// times. With one worker and a first task that blocks until the test releases it (a gate),
// every task submitted meanwhile waits in the queue, and the order in which they then run is
// the runner's choice alone.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["worker"] = workerMain
}

// workerMain, the "worker" helper, is a worker: worker PIDDIR LOG [stay]. It creates PIDDIR/<pid>,
// then reads tasks, one per line, of the form TAG ACTION [ARGS], appends TAG to the file LOG
// as it starts each, and answers:
//
//	echo TEXT      ok TEXT
//	pid            ok <its pid>
//	sleep MS       wait MS milliseconds, then ok <its pid>
//	fail MSG       error MSG
//	crash-until N  exit 3 without answering while LOG holds TAG N times or fewer (this run
//	               included); then ok survived
//	gate DIR       create DIR/TAG, wait until DIR/open exists, then ok TAG
//
// It exits 0 at the end of its stdin (with "stay", it ignores that and runs on until it is
// killed), after 30 seconds, or as soon as the test process is gone.
func workerMain(args []string) int {
	parent := os.Getppid()
	go func() {
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(20 * time.Millisecond) {
			if os.Getppid() != parent {
				os.Exit(97)
			}
		}
		os.Exit(98)
	}()
	dir, log := args[0], args[1]
	os.WriteFile(filepath.Join(dir, strconv.Itoa(os.Getpid())), nil, 0o644)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 2 {
			fmt.Printf("error bad task %q\n", sc.Text())
			continue
		}
		tag, action, rest := fields[0], fields[1], fields[2:]
		f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			f.WriteString(tag + "\n")
			f.Close()
		}
		switch action {
		case "echo":
			fmt.Println("ok " + strings.Join(rest, " "))
		case "pid":
			fmt.Printf("ok %d\n", os.Getpid())
		case "sleep":
			ms, _ := strconv.Atoi(rest[0])
			time.Sleep(time.Duration(ms) * time.Millisecond)
			fmt.Printf("ok %d\n", os.Getpid())
		case "fail":
			fmt.Println("error " + strings.Join(rest, " "))
		case "crash-until":
			n, _ := strconv.Atoi(rest[0])
			if runs(log, tag) <= n {
				os.Exit(3)
			}
			fmt.Println("ok survived")
		case "gate":
			os.WriteFile(filepath.Join(rest[0], tag), nil, 0o644)
			for !exists(filepath.Join(rest[0], "open")) {
				time.Sleep(5 * time.Millisecond)
			}
			fmt.Println("ok " + tag)
		default:
			fmt.Printf("error unknown action %q\n", action)
		}
	}
	if len(args) > 2 && args[2] == "stay" {
		select {}
	}
	return 0
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

// started returns the tags that the workers logged in log, in the order the tasks started.
func started(log string) []string {
	data, _ := os.ReadFile(log)
	return strings.Fields(string(data))
}

// runs returns how many times the task tag started, according to log.
func runs(log, tag string) int {
	n := 0
	for _, s := range started(log) {
		if s == tag {
			n++
		}
	}
	return n
}

// env is one test's runner.
type env struct {
	t    *testing.T
	r    *Runner
	pids string // where the workers leave their pids
	log  string // the tasks' start log
	gate string // the directory of gate tasks
}

// newEnv starts a runner of n test workers, with the extra arguments opts. Whatever the
// runner does, no worker outlives the test.
func newEnv(t *testing.T, n, maxAttempts int, opts ...string) *env {
	t.Helper()
	e := &env{t: t, pids: t.TempDir(), log: filepath.Join(t.TempDir(), "log"), gate: t.TempDir()}
	t.Cleanup(func() {
		e.openGate()
		for _, pid := range e.workers() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	r, err := Start(Config{Workers: n, MaxAttempts: maxAttempts, Name: helperPath(t), Args: helperArgs("worker", append([]string{e.pids, e.log}, opts...)...)})
	if err != nil {
		t.Fatalf("Start(Config{Workers: %d, ...}) returned error %v; want nil", n, err)
	}
	e.r = r
	return e
}

// workers returns the pids of every worker ever started.
func (e *env) workers() []int {
	entries, _ := os.ReadDir(e.pids)
	var pids []int
	for _, ent := range entries {
		if pid, err := strconv.Atoi(ent.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// submit submits a task, failing the test if Submit fails.
func (e *env) submit(id string, priority int, payload string) <-chan Result {
	e.t.Helper()
	ch, err := e.r.Submit(Task{ID: id, Priority: priority, Payload: payload})
	if err != nil || ch == nil {
		e.t.Fatalf("Submit(Task{ID: %q, ...}) = %v, %v; want a channel, nil", id, ch, err)
	}
	return ch
}

// wait waits for a task's Result; why says what the runner should have done if it never
// comes.
func (e *env) wait(ch <-chan Result, id, why string) Result {
	e.t.Helper()
	select {
	case r := <-ch:
		if r.ID != id {
			e.t.Errorf("the Result of task %q has ID %q; want %q", id, r.ID, id)
		}
		return r
	case <-time.After(8 * time.Second):
		e.t.Fatalf("no Result for task %q after 8s (the tasks started so far: %s): %s", id, capped("%q", started(e.log), 10), why)
		return Result{}
	}
}

func (e *env) openGate() { os.WriteFile(filepath.Join(e.gate, "open"), nil, 0o644) }

// waitGate waits until the gate task tag is running.
func (e *env) waitGate(tag string) {
	e.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !exists(filepath.Join(e.gate, tag)); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			e.t.Fatalf("task %q had not started 5s after it was submitted to an idle runner", tag)
		}
	}
}

// close closes the runner with a deadline of d, and returns Close's error.
func (e *env) close(d time.Duration) error {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.r.Close(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(d + 10*time.Second):
		e.t.Fatalf("Close(ctx) did not return within %v of ctx ending", 10*time.Second)
		return nil
	}
}

// checkGone fails the test unless every worker ever started is gone: not running, not a
// zombie.
func (e *env) checkGone(when string) {
	e.t.Helper()
	for _, pid := range e.workers() {
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			e.t.Errorf("worker %d still exists %s (kill(pid, 0) = %v); want every worker, crashed ones included, waited for (cmd.Wait)", pid, when, err)
		}
	}
}

// checkCounts compares the totals of m with want, which holds Queued, Running, Done,
// Failed, Retries and Crashes.
func checkCounts(t *testing.T, when string, m Metrics, want Metrics) {
	t.Helper()
	got := [6]int{m.Queued, m.Running, m.Done, m.Failed, m.Retries, m.Crashes}
	if w := [6]int{want.Queued, want.Running, want.Done, want.Failed, want.Retries, want.Crashes}; got != w {
		t.Errorf("Metrics() %s = {Queued: %d, Running: %d, Done: %d, Failed: %d, Retries: %d, Crashes: %d}; want {Queued: %d, Running: %d, Done: %d, Failed: %d, Retries: %d, Crashes: %d}",
			when, got[0], got[1], got[2], got[3], got[4], got[5], w[0], w[1], w[2], w[3], w[4], w[5])
	}
	var done, failed, crashes int
	for _, w := range m.Workers {
		done, failed, crashes = done+w.Done, failed+w.Failed, crashes+w.Crashes
	}
	if done != m.Done || failed != m.Failed || crashes != m.Crashes {
		t.Errorf("Metrics() %s: the workers' Done, Failed and Crashes add up to %d, %d and %d; want the totals, %d, %d and %d", when, done, failed, crashes, m.Done, m.Failed, m.Crashes)
	}
}

func TestStart(t *testing.T) {
	t.Parallel()
	if r, err := Start(Config{Workers: 0, Name: helperPath(t), Args: helperArgs("worker", t.TempDir(), "-")}); err == nil || r != nil {
		t.Errorf("Start(Config{Workers: 0, ...}) = %v, %v; want nil and an error", r, err)
	}
	if r, err := Start(Config{Workers: 2, Name: "procdojo-no-such-program"}); !errors.Is(err, exec.ErrNotFound) || r != nil {
		t.Errorf("Start(Config{Workers: 2, Name: \"procdojo-no-such-program\"}) = %v, %v; want nil and an error wrapping exec.ErrNotFound", r, err)
	}
}

func TestResults(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 2, 0)
	echo := e.submit("echo", 0, "echo echo hello world")
	fail := e.submit("fail", 0, "fail fail disk full")

	if r := e.wait(echo, "echo", "a worker answered \"ok hello world\""); r.Err != nil || r.Output != "hello world" || r.Attempts != 1 {
		t.Errorf("Result of a task answered \"ok hello world\" = {Output: %q, Err: %v, Attempts: %d}; want {Output: \"hello world\", Err: nil, Attempts: 1}", r.Output, r.Err, r.Attempts)
	}
	r := e.wait(fail, "fail", "a worker answered \"error disk full\"")
	var taskErr *TaskError
	if !errors.As(r.Err, &taskErr) || taskErr.Msg != "disk full" || taskErr.ID != "fail" {
		t.Errorf("Result of a task answered \"error disk full\" has Err %v; want a *TaskError{ID: \"fail\", Msg: \"disk full\"}", r.Err)
	}
	if r.Attempts != 1 || runs(e.log, "fail") != 1 {
		t.Errorf("a task answered \"error disk full\" ran %d times (Attempts %d); want once: a failure the worker reports is not retried", runs(e.log, "fail"), r.Attempts)
	}
	checkCounts(t, "after a success and a reported failure", e.r.Metrics(), Metrics{Done: 1, Failed: 1})

	if err := e.close(10 * time.Second); err != nil {
		t.Errorf("Close(ctx) = %v; want nil", err)
	}
	e.checkGone("after Close(ctx) returned")
	if ch, err := e.r.Submit(Task{ID: "late", Payload: "late echo x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Submit after Close(ctx) = %v, %v; want an error wrapping ErrClosed", ch, err)
	}
}

func TestPriority(t *testing.T) {
	t.Parallel()
	// One worker, busy with the gate task while the others are submitted: they all wait,
	// and the runner alone decides their order.
	e := newEnv(t, 1, 0)
	gate := e.submit("gate", 0, "gate gate "+e.gate)
	e.waitGate("gate")
	tasks := []struct {
		id       string
		priority int
	}{{"low-1", 0}, {"high-1", 5}, {"mid-1", 1}, {"high-2", 5}, {"low-2", 0}, {"urgent", 9}, {"mid-2", 1}, {"below-0", -1}}
	var chans []<-chan Result
	for _, task := range tasks {
		chans = append(chans, e.submit(task.id, task.priority, task.id+" echo x"))
	}
	e.openGate()
	e.wait(gate, "gate", "the gate was opened")
	for i, ch := range chans {
		e.wait(ch, tasks[i].id, "every task submitted must run")
	}
	want := []string{"gate", "urgent", "high-1", "high-2", "mid-1", "mid-2", "low-1", "low-2", "below-0"}
	if got := started(e.log); !slices.Equal(got, want) {
		t.Errorf("tasks submitted in the order low-1 (priority 0), high-1 (5), mid-1 (1), high-2 (5), low-2 (0), urgent (9), mid-2 (1), below-0 (-1) ran in the order %q; want %q: the highest priority first, and tasks of equal priority in the order they were submitted", got, want)
	}
	if err := e.close(10 * time.Second); err != nil {
		t.Errorf("Close(ctx) = %v; want nil", err)
	}
}

func TestCrashRecovery(t *testing.T) {
	t.Parallel()
	t.Run("crash once", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 2, 3)
		m0 := e.r.Metrics()
		first := []int{m0.Workers[0].Pid, m0.Workers[1].Pid}
		r := e.wait(e.submit("flaky", 0, "flaky crash-until 1"), "flaky", "when a worker dies during a task, put the task back in the queue for another worker")
		if r.Err != nil || r.Output != "survived" || r.Attempts != 2 {
			t.Errorf("Result of a task whose worker crashed once = {Output: %q, Err: %v, Attempts: %d}; want {Output: \"survived\", Err: nil, Attempts: 2}", r.Output, r.Err, r.Attempts)
		}
		checkCounts(t, "after a task that crashed its worker once, then succeeded", e.r.Metrics(), Metrics{Done: 1, Retries: 1, Crashes: 1})

		// The crashed worker is reaped, and a new one takes its slot.
		var crashed []int
		for deadline := time.Now().Add(2 * time.Second); len(crashed) != 1 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			crashed = slices.DeleteFunc(slices.Clone(first), func(pid int) bool { return syscall.Kill(pid, 0) != syscall.ESRCH })
		}
		if len(crashed) != 1 {
			t.Errorf("after one crash, %d of the first 2 workers (%v) are gone; want 1: reap the worker that crashed (cmd.Wait)", len(crashed), first)
		}
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			m := e.r.Metrics()
			if pids := []int{m.Workers[0].Pid, m.Workers[1].Pid}; !slices.Contains(pids, 0) && !slices.ContainsFunc(pids, func(p int) bool { return slices.Contains(crashed, p) }) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("5s after a crash, the workers' pids in Metrics() are %d and %d; want two live workers: start a new process in the crashed one's slot", m.Workers[0].Pid, m.Workers[1].Pid)
			}
		}
		if err := e.close(10 * time.Second); err != nil {
			t.Errorf("Close(ctx) = %v; want nil", err)
		}
		e.checkGone("after Close(ctx) returned")
	})
	t.Run("crashes every time", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 2, 3)
		r := e.wait(e.submit("doomed", 0, "doomed crash-until 99"), "doomed", "when a worker dies during a task, put the task back in the queue, at most MaxAttempts times")
		if !errors.Is(r.Err, ErrCrashed) || r.Attempts != 3 || runs(e.log, "doomed") != 3 {
			t.Errorf("a task that crashes every worker, with MaxAttempts 3, ran %d times, Result {Err: %v, Attempts: %d}; want 3 times, {Err: wrapping ErrCrashed, Attempts: 3}", runs(e.log, "doomed"), r.Err, r.Attempts)
		}
		checkCounts(t, "after a task that crashed 3 workers", e.r.Metrics(), Metrics{Failed: 1, Retries: 2, Crashes: 3})
		if r := e.wait(e.submit("after", 0, "after echo fine"), "after", "the runner must go on after crashes"); r.Err != nil || r.Output != "fine" {
			t.Errorf("Result of a task after 3 crashes = {Output: %q, Err: %v}; want {Output: \"fine\", Err: nil}", r.Output, r.Err)
		}
		if err := e.close(10 * time.Second); err != nil {
			t.Errorf("Close(ctx) = %v; want nil", err)
		}
		e.checkGone("after Close(ctx) returned")
	})
	t.Run("a retried task keeps its place", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 1, 3)
		gate := e.submit("gate", 0, "gate gate "+e.gate)
		e.waitGate("gate")
		flaky := e.submit("flaky", 1, "flaky crash-until 1")
		peer := e.submit("peer", 1, "peer echo x")
		lower := e.submit("lower", 0, "lower echo x")
		e.openGate()
		why := "when a worker dies during a task, put the task back in the queue"
		e.wait(gate, "gate", why)
		e.wait(flaky, "flaky", why)
		e.wait(peer, "peer", why)
		e.wait(lower, "lower", why)
		want := []string{"gate", "flaky", "flaky", "peer", "lower"}
		if got := started(e.log); !slices.Equal(got, want) {
			t.Errorf("with flaky (priority 1, crashes its worker once), peer (1) and lower (0) waiting on one worker, the tasks ran in the order %q; want %q: a task whose worker crashed goes back to the place it had in the queue", got, want)
		}
		if err := e.close(10 * time.Second); err != nil {
			t.Errorf("Close(ctx) = %v; want nil", err)
		}
		e.checkGone("after Close(ctx) returned")
	})
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	t.Run("counted when done", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, 1, 0)
		gate := e.submit("gate", 0, "gate gate "+e.gate)
		e.waitGate("gate")
		next := e.submit("next", 0, "next echo x")
		checkCounts(t, "with one task running and one waiting", e.r.Metrics(), Metrics{Queued: 1, Running: 1})
		e.openGate()
		e.wait(gate, "gate", "the gate was opened")
		e.wait(next, "next", "every task submitted must run")
		checkCounts(t, "once both tasks are done", e.r.Metrics(), Metrics{Done: 2})
		if err := e.close(10 * time.Second); err != nil {
			t.Errorf("Close(ctx) = %v; want nil", err)
		}
	})
	t.Run("per worker, with durations", func(t *testing.T) {
		t.Parallel()
		const tasks, sleep = 6, 60 * time.Millisecond
		e := newEnv(t, 2, 0)
		var chans []<-chan Result
		for i := range tasks {
			chans = append(chans, e.submit(fmt.Sprintf("t%d", i), 0, fmt.Sprintf("t%d sleep %d", i, sleep.Milliseconds())))
		}
		m0 := e.r.Metrics()
		perSlot := make([]int, 2)
		var busy [2]time.Duration
		for i, ch := range chans {
			r := e.wait(ch, fmt.Sprintf("t%d", i), "every task submitted must run")
			if r.Err != nil || r.Worker < 0 || r.Worker > 1 {
				t.Fatalf("Result of task t%d = {Err: %v, Worker: %d}; want {Err: nil, Worker: 0 or 1}", i, r.Err, r.Worker)
			}
			perSlot[r.Worker]++
			busy[r.Worker] += r.Duration
			if want := strconv.Itoa(m0.Workers[r.Worker].Pid); r.Output != want {
				t.Errorf("task t%d ran on worker pid %s, but its Result says slot %d, whose pid in Metrics() is %s", i, r.Output, r.Worker, want)
			}
			if r.Duration < sleep || r.Duration > 5*time.Second {
				t.Errorf("Result of task t%d, which sleeps %v, has Duration %v; want the time the attempt took, at least %v", i, sleep, r.Duration, sleep)
			}
		}
		m := e.r.Metrics()
		checkCounts(t, fmt.Sprintf("after %d tasks", tasks), m, Metrics{Done: tasks})
		for i, w := range m.Workers {
			if w.Done != perSlot[i] {
				t.Errorf("Metrics().Workers[%d].Done = %d; want %d, the Results with Worker %d", i, w.Done, perSlot[i], i)
			}
			if perSlot[i] == 0 {
				t.Errorf("no task ran in slot %d, with %d tasks submitted at once to 2 workers; want both workers busy", i, tasks)
			}
			if w.Busy < busy[i] || w.Busy > busy[i]+time.Second {
				t.Errorf("Metrics().Workers[%d].Busy = %v; want about %v, the sum of its tasks' Durations", i, w.Busy, busy[i])
			}
		}
		if err := e.close(10 * time.Second); err != nil {
			t.Errorf("Close(ctx) = %v; want nil", err)
		}
		m = e.r.Metrics()
		if len(m.Workers) != 2 || m.Workers[0].Pid != 0 || m.Workers[1].Pid != 0 {
			t.Errorf("Metrics().Workers after Close(ctx) = %+v; want 2 slots with Pid 0: no worker is left", m.Workers)
		}
	})
}

func TestCloseDeadline(t *testing.T) {
	t.Parallel()
	// A task that never finishes, and one waiting behind it: Close's ctx ends first.
	e := newEnv(t, 1, 3)
	stuck := e.submit("stuck", 0, "stuck gate "+e.gate)
	e.waitGate("stuck")
	waiting := e.submit("waiting", 0, "waiting echo x")
	start := time.Now()
	err := e.close(300 * time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close(ctx) with a task that never finishes = %v; want an error wrapping context.DeadlineExceeded once ctx ends", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Close(ctx) took %v with a 300ms deadline; want it to kill the workers once ctx ends", d)
	}
	for _, c := range []struct {
		id string
		ch <-chan Result
	}{{"stuck", stuck}, {"waiting", waiting}} {
		if r := e.wait(c.ch, c.id, "when Close's ctx ends, every unfinished task gets a Result wrapping ErrClosed"); !errors.Is(r.Err, ErrClosed) {
			t.Errorf("Result of task %q, unfinished when Close's ctx ended = {Output: %q, Err: %v}; want Err wrapping ErrClosed", c.id, r.Output, r.Err)
		}
	}
	e.checkGone("after Close(ctx) returned")
	if n := len(e.workers()); n != 1 {
		t.Errorf("%d workers were started in all; want 1: a worker killed by Close is not a crash, and is not replaced", n)
	}
	if m := e.r.Metrics(); m.Crashes != 0 || m.Retries != 0 {
		t.Errorf("Metrics() after Close(ctx) killed a worker = {Crashes: %d, Retries: %d}; want 0 and 0: a worker killed by Close did not crash", m.Crashes, m.Retries)
	}
}

func TestCloseKillsStuckWorkers(t *testing.T) {
	t.Parallel()
	// The workers do not exit when their stdin closes, and Close's ctx ends while it waits
	// for them.
	e := newEnv(t, 2, 0, "stay")
	if r := e.wait(e.submit("echo", 0, "echo echo hi"), "echo", "a worker answered \"ok hi\""); r.Err != nil || r.Output != "hi" {
		t.Errorf("Result of a task answered \"ok hi\" = {Output: %q, Err: %v}; want {Output: \"hi\", Err: nil}", r.Output, r.Err)
	}
	start := time.Now()
	err := e.close(300 * time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close(ctx) with workers that ignore the end of their stdin = %v; want an error wrapping context.DeadlineExceeded: ctx ended before they exited", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close(ctx) with a 300ms deadline and workers that ignore the end of their stdin took %v; want it to kill them once ctx ends, including those it is waiting for after closing their stdin", d)
	}
	e.checkGone("after Close(ctx) returned")
	if m := e.r.Metrics(); m.Crashes != 0 {
		t.Errorf("Metrics() after Close(ctx) killed the workers = {Crashes: %d}; want 0: a worker killed by Close did not crash", m.Crashes)
	}
}
