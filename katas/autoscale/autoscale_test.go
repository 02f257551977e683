package autoscale

// The workers are real processes: the test binary itself, run as the "worker" helper below.
// Each worker creates a file named after its pid in a directory of the test's, so the tests
// count the worker processes that exist with kill(pid, 0): a worker that has exited but has
// not been waited for (a zombie) still counts. The pool's events tell the tests when to look,
// so that they wait for what happens rather than for a fixed time.

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
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["worker"] = workerMain
}

// workerMain, the "worker" helper, is a worker: worker PIDDIR [stay]. It creates
// PIDDIR/<its pid>, then reads tasks, one per line, and answers each with one line:
//
//	echo TEXT       answer TEXT
//	pid             answer the worker's pid
//	gate DIR TAG    create DIR/TAG, wait until DIR/open exists, answer TAG
//	crash           exit 3 without answering
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
	os.WriteFile(filepath.Join(args[0], strconv.Itoa(os.Getpid())), nil, 0o644)
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		op, rest, _ := strings.Cut(sc.Text(), " ")
		switch op {
		case "echo":
			fmt.Println(rest)
		case "pid":
			fmt.Println(os.Getpid())
		case "gate":
			dir, tag, _ := strings.Cut(rest, " ")
			os.WriteFile(filepath.Join(dir, tag), nil, 0o644)
			for !exists(filepath.Join(dir, "open")) {
				time.Sleep(5 * time.Millisecond)
			}
			fmt.Println(tag)
		case "crash":
			os.Exit(3)
		default:
			fmt.Printf("unknown task %q\n", sc.Text())
		}
	}
	if len(args) > 1 && args[1] == "stay" {
		select {}
	}
	return 0
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// env is one test's pool, with the events it reported.
type env struct {
	t    *testing.T
	p    *Pool
	pids string // where the workers leave their pids
	gate string // the directory of gate tasks

	mu      sync.Mutex
	events  []Event
	changed chan struct{} // closed and replaced on each event

	linger   time.Duration // how long each OnEvent call takes
	inEvent  int           // OnEvent calls running now
	overlaps int           // OnEvent calls that began while another was running
}

// newEnv starts a pool of the test worker with cfg. Whatever the pool does, no worker
// outlives the test.
func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	return newEnvWith(t, cfg, 0)
}

// newEnvWith is newEnv with OnEvent calls that take linger each, and the workers' extra
// arguments opts.
func newEnvWith(t *testing.T, cfg Config, linger time.Duration, opts ...string) *env {
	t.Helper()
	e := &env{t: t, pids: t.TempDir(), gate: t.TempDir(), changed: make(chan struct{}), linger: linger}
	t.Cleanup(func() {
		e.openGate()
		for _, pid := range e.started() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	cfg.Name, cfg.Args = helperPath(t), helperArgs("worker", append([]string{e.pids}, opts...)...)
	cfg.OnEvent = func(ev Event) {
		e.mu.Lock()
		if e.inEvent > 0 {
			e.overlaps++
		}
		e.inEvent++
		e.mu.Unlock()
		time.Sleep(e.linger)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.inEvent--
		e.events = append(e.events, ev)
		close(e.changed)
		e.changed = make(chan struct{})
	}
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("New(Config{Min: %d, Max: %d, IdleTimeout: %v, ...}) returned error %v; want nil", cfg.Min, cfg.Max, cfg.IdleTimeout, err)
	}
	e.p = p
	return e
}

// started returns the pids of every worker ever started, from their pid files.
func (e *env) started() []int {
	entries, _ := os.ReadDir(e.pids)
	var pids []int
	for _, ent := range entries {
		if pid, err := strconv.Atoi(ent.Name()); err == nil {
			pids = append(pids, pid)
		}
	}
	return pids
}

// existing returns the pids of the workers whose process exists, running or zombie.
func (e *env) existing() []int {
	return slices.DeleteFunc(e.started(), func(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH })
}

// pidsOf returns the pids of the events of kind so far.
func (e *env) pidsOf(kind EventKind) []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	var pids []int
	for _, ev := range e.events {
		if ev.Kind == kind {
			pids = append(pids, ev.Pid)
		}
	}
	return pids
}

// waitEvents waits until n events of kind have been reported, and fails the test after
// 5s: why says what the pool should have done.
func (e *env) waitEvents(kind EventKind, n int, why string) []int {
	e.t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		e.mu.Lock()
		changed := e.changed
		e.mu.Unlock()
		if pids := e.pidsOf(kind); len(pids) >= n {
			return pids
		}
		select {
		case <-changed:
		case <-deadline:
			e.t.Fatalf("after 5s, the pool had reported %d %s events (%v); want %d: %s", len(e.pidsOf(kind)), kindName(kind), e.pidsOf(kind), n, why)
		}
	}
}

func kindName(k EventKind) string {
	switch k {
	case Started:
		return "Started"
	case Stopped:
		return "Stopped"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// checkReaped fails the test unless every pid is gone: a stopped worker must have been
// waited for, else it stays a zombie.
func (e *env) checkReaped(pids []int, what string) {
	e.t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for _, pid := range pids {
		for syscall.Kill(pid, 0) != syscall.ESRCH && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
			e.t.Errorf("%s (pid %d) still exists, running or as a zombie (kill(pid, 0) = %v); want it gone: once its stdin is closed, the pool must wait for it (cmd.Wait)", what, pid, err)
		}
	}
}

func (e *env) openGate() { os.WriteFile(filepath.Join(e.gate, "open"), nil, 0o644) }

// waitGates waits until the gate tasks tags have started.
func (e *env) waitGates(tags []string, why string) {
	e.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		missing := slices.DeleteFunc(slices.Clone(tags), func(tag string) bool { return exists(filepath.Join(e.gate, tag)) })
		if len(missing) == 0 {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("gate tasks %q had not started after 5s: %s", missing, why)
		}
	}
}

// gatesStarted returns the tags of the gate tasks started so far.
func (e *env) gatesStarted() []string {
	entries, _ := os.ReadDir(e.gate)
	var tags []string
	for _, ent := range entries {
		if ent.Name() != "open" {
			tags = append(tags, ent.Name())
		}
	}
	return tags
}

type outcome struct {
	answer string
	err    error
}

// do calls Do with a deadline, and fails the test if it does not return.
func (e *env) do(task string) outcome {
	e.t.Helper()
	return e.doCtx(context.Background(), task)
}

func (e *env) doCtx(ctx context.Context, task string) outcome {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	done := make(chan outcome, 1)
	go func() {
		a, err := e.p.Do(ctx, task)
		done <- outcome{a, err}
	}()
	select {
	case o := <-done:
		return o
	case <-time.After(15 * time.Second):
		e.t.Fatalf("Do(ctx, %q) did not return within 15s, although ctx ended after 10s", task)
		return outcome{}
	}
}

// burst runs n gate tasks at once and waits until want of them run; it returns a function
// that opens the gate and checks their answers.
func (e *env) burst(n, want int, why string) (finish func()) {
	e.t.Helper()
	results := make([]outcome, n)
	var wg sync.WaitGroup
	var tags []string
	for i := range n {
		tag := fmt.Sprintf("task-%d", i)
		tags = append(tags, tag)
		wg.Go(func() { results[i] = e.do(fmt.Sprintf("gate %s %s", e.gate, tag)) })
	}
	for deadline := time.Now().Add(5 * time.Second); len(e.gatesStarted()) < want; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			e.t.Fatalf("with %d tasks at once, %d ran after 5s (%q); want %d: %s", n, len(e.gatesStarted()), e.gatesStarted(), want, why)
		}
	}
	return func() {
		e.t.Helper()
		e.openGate()
		wg.Wait()
		for i, o := range results {
			if want := fmt.Sprintf("task-%d", i); o.err != nil || o.answer != want {
				e.t.Errorf("Do(ctx, \"gate ... %s\") = %q, %v; want %q, nil", want, o.answer, o.err, want)
			}
		}
	}
}

// close closes the pool, with a deadline, and checks that no worker is left.
func (e *env) close() {
	e.t.Helper()
	done := make(chan error, 1)
	go func() { done <- e.p.Close() }()
	select {
	case err := <-done:
		if err != nil {
			e.t.Errorf("Close() = %v; want nil", err)
		}
	case <-time.After(10 * time.Second):
		e.t.Fatalf("Close() did not return within 10s")
	}
	for _, pid := range e.existing() {
		e.t.Errorf("worker %d still exists after Close() returned (kill(pid, 0) = nil); want every worker stopped and waited for", pid)
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	t.Run("bad configs", func(t *testing.T) {
		t.Parallel()
		for _, cfg := range []Config{
			{Min: -1, Max: 2, IdleTimeout: time.Second},
			{Min: 0, Max: 0, IdleTimeout: time.Second},
			{Min: 3, Max: 2, IdleTimeout: time.Second},
			{Min: 1, Max: 2, IdleTimeout: 0},
		} {
			dir := t.TempDir()
			cfg.Name, cfg.Args = helperPath(t), helperArgs("worker", dir)
			if p, err := New(cfg); err == nil || p != nil {
				t.Errorf("New(Config{Min: %d, Max: %d, IdleTimeout: %v, ...}) = %v, %v; want nil and an error", cfg.Min, cfg.Max, cfg.IdleTimeout, p, err)
				if p != nil {
					p.Close()
				}
			}
		}
	})
	t.Run("program not found", func(t *testing.T) {
		t.Parallel()
		p, err := New(Config{Min: 1, Max: 2, IdleTimeout: time.Second, Name: "procdojo-no-such-program"})
		if !errors.Is(err, exec.ErrNotFound) || p != nil {
			t.Errorf("New(Config{Min: 1, Name: \"procdojo-no-such-program\", ...}) = %v, %v; want nil and an error wrapping exec.ErrNotFound", p, err)
		}
	})
	t.Run("starts Min workers", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{Min: 2, Max: 4, IdleTimeout: 50 * time.Millisecond})
		if got := e.pidsOf(Started); len(got) != 2 {
			t.Errorf("New(Config{Min: 2, ...}) reported %d Started events (%v) by the time it returned; want 2", len(got), got)
		}
		// Idle for many IdleTimeouts, the pool keeps its Min workers.
		time.Sleep(300 * time.Millisecond)
		if got := e.existing(); len(got) != 2 || e.p.Workers() != 2 {
			t.Errorf("an idle pool with Min 2 has %d worker processes (%v) and Workers() = %d; want 2 and 2: New starts Min workers, and never stops one below Min", len(got), got, e.p.Workers())
		}
		e.close()
		e.checkReaped(e.pidsOf(Stopped), "a worker reported Stopped")
		if got := e.pidsOf(Stopped); len(got) != 2 {
			t.Errorf("Close() on a pool of 2 workers reported %d Stopped events (%v); want 2", len(got), got)
		}
	})
	t.Run("Min 0 starts none", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{Min: 0, Max: 2, IdleTimeout: time.Second})
		if got := e.started(); len(got) != 0 || e.p.Workers() != 0 {
			t.Errorf("New(Config{Min: 0, ...}) started %d workers and Workers() = %d; want 0 and 0", len(got), e.p.Workers())
		}
		e.close()
	})
}

func TestScaleUp(t *testing.T) {
	t.Parallel()
	t.Run("up to Max and no further", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{Min: 1, Max: 3, IdleTimeout: 10 * time.Second})
		finish := e.burst(6, 3, "with 6 tasks waiting and 1 worker busy, start workers up to Max (3)")
		// Give the pool time to start more, which it must not.
		time.Sleep(200 * time.Millisecond)
		if got := e.gatesStarted(); len(got) != 3 {
			t.Errorf("with Max 3 and 6 tasks at once, %d tasks ran at once (%q); want 3: never run more than Max workers, and make the other tasks wait", len(got), got)
		}
		if got := e.existing(); len(got) != 3 || e.p.Workers() != 3 {
			t.Errorf("with Max 3 and 6 tasks at once, the pool has %d worker processes (%v) and Workers() = %d; want 3 and 3", len(got), got, e.p.Workers())
		}
		finish()
		if got := e.pidsOf(Started); len(got) != 3 {
			t.Errorf("6 tasks on a pool with Max 3 started %d workers in all (%v); want 3: the waiting tasks run on the workers that are free again", len(got), got)
		}
		e.close()
	})
	t.Run("only when no worker is idle", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{Min: 1, Max: 3, IdleTimeout: 10 * time.Second})
		var answers []string
		for range 5 {
			o := e.do("pid")
			if o.err != nil {
				t.Fatalf("Do(ctx, \"pid\") = %q, %v; want a pid, nil", o.answer, o.err)
			}
			answers = append(answers, o.answer)
		}
		if len(e.pidsOf(Started)) != 1 || len(slices.Compact(slices.Clone(answers))) != 1 {
			t.Errorf("5 tasks one after the other ran on workers %q, and %d workers were started; want the same worker each time, and 1 started: an idle worker takes the task, a new one starts only when all are busy", answers, len(e.pidsOf(Started)))
		}
		e.close()
	})
}

func TestScaleDown(t *testing.T) {
	t.Parallel()
	t.Run("idle workers stop, down to Min", func(t *testing.T) {
		t.Parallel()
		const idle = 150 * time.Millisecond
		e := newEnv(t, Config{Min: 1, Max: 3, IdleTimeout: idle})
		finish := e.burst(3, 3, "with 3 tasks waiting and 1 worker busy, start workers up to Max (3)")
		finish()
		stopped := e.waitEvents(Stopped, 2, "once the burst is over, the 2 workers above Min must stop after IdleTimeout (150ms) idle")
		e.checkReaped(stopped, "a worker reported Stopped after its idle timeout")
		// Many IdleTimeouts later, the pool still has its Min worker.
		time.Sleep(5 * idle)
		if got := e.pidsOf(Stopped); len(got) != 2 {
			t.Errorf("an idle pool with Min 1, grown to 3, stopped %d workers (%v); want 2: never stop a worker when only Min are running", len(got), got)
		}
		if got := e.existing(); len(got) != 1 || e.p.Workers() != 1 {
			t.Errorf("an idle pool with Min 1, grown to 3, has %d worker processes (%v) and Workers() = %d after its idle timeout; want 1 and 1", len(got), got, e.p.Workers())
		}
		if o := e.do("echo still here"); o.err != nil || o.answer != "still here" {
			t.Errorf("Do(ctx, \"echo still here\") after scaling down = %q, %v; want \"still here\", nil", o.answer, o.err)
		}
		if got := e.pidsOf(Started); len(got) != 3 {
			t.Errorf("a task on a pool with one idle worker started a new one (%d started in all); want it to run on the idle worker", len(got))
		}
		e.close()
	})
	t.Run("Min 0 scales to zero and back", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{Min: 0, Max: 2, IdleTimeout: 100 * time.Millisecond})
		if o := e.do("echo one"); o.err != nil || o.answer != "one" {
			t.Errorf("Do(ctx, \"echo one\") on an empty pool = %q, %v; want \"one\", nil: start a worker when none is idle", o.answer, o.err)
		}
		stopped := e.waitEvents(Stopped, 1, "with Min 0, an idle worker must stop after IdleTimeout (100ms)")
		e.checkReaped(stopped, "a worker reported Stopped after its idle timeout")
		if e.p.Workers() != 0 {
			t.Errorf("Workers() = %d after the only worker of a pool with Min 0 stopped; want 0", e.p.Workers())
		}
		if o := e.do("echo two"); o.err != nil || o.answer != "two" {
			t.Errorf("Do(ctx, \"echo two\") after scaling to zero = %q, %v; want \"two\", nil: start a worker when none is idle", o.answer, o.err)
		}
		e.close()
	})
}

func TestLightLoadLetsSparesStop(t *testing.T) {
	t.Parallel()
	// After a burst, a steady trickle of tasks, one at a time, needs one worker. If the
	// pool hands them out in turn, every worker stays busy enough never to be idle for
	// IdleTimeout, and the pool never shrinks.
	e := newEnv(t, Config{Min: 1, Max: 3, IdleTimeout: 200 * time.Millisecond})
	finish := e.burst(3, 3, "with 3 tasks waiting and 1 worker busy, start workers up to Max (3)")
	finish()
	stop := make(chan struct{})
	trickle := make(chan error, 1)
	go func() {
		for {
			select {
			case <-stop:
				trickle <- nil
				return
			case <-time.After(2 * time.Millisecond):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := e.p.Do(ctx, "echo tick")
			cancel()
			if err != nil {
				trickle <- err
				return
			}
		}
	}()
	deadline := time.After(5 * time.Second)
	for len(e.pidsOf(Stopped)) < 2 {
		e.mu.Lock()
		changed := e.changed
		e.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			close(stop)
			<-trickle
			t.Fatalf("with tasks arriving one at a time after a burst to 3 workers, %d workers stopped within 5s; want 2: give each task the worker that went idle last (a stack, not a queue), so that the spare workers stay idle long enough to time out", len(e.pidsOf(Stopped)))
		}
	}
	close(stop)
	if err := <-trickle; err != nil {
		t.Errorf("Do(ctx, \"echo tick\") while the pool scaled down returned error %v; want nil", err)
	}
	e.checkReaped(e.pidsOf(Stopped), "a worker reported Stopped after its idle timeout")
	e.close()
}

func TestWorkerDies(t *testing.T) {
	t.Parallel()
	t.Run("crash", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{Min: 1, Max: 2, IdleTimeout: 10 * time.Second})
		first := e.pidsOf(Started)
		if o := e.do("crash"); !errors.Is(o.err, ErrWorkerDied) {
			t.Errorf("Do(ctx, \"crash\") = %q, %v; want an error wrapping ErrWorkerDied", o.answer, o.err)
		}
		e.checkReaped(first, "the worker that crashed")
		e.waitEvents(Started, 2, "with Min 1, a worker that died must be replaced")
		if got := e.p.Workers(); got != 1 {
			t.Errorf("Workers() = %d after the only worker of a pool with Min 1 crashed; want 1: reap it, and start another", got)
		}
		if o := e.do("echo after"); o.err != nil || o.answer != "after" {
			t.Errorf("Do(ctx, \"echo after\") after a crash = %q, %v; want \"after\", nil", o.answer, o.err)
		}
		e.close()
	})
	t.Run("ctx ends during the task", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, Config{Min: 1, Max: 1, IdleTimeout: 10 * time.Second})
		first := e.pidsOf(Started)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			defer cancel()
			for deadline := time.Now().Add(5 * time.Second); !exists(filepath.Join(e.gate, "stuck")) && time.Now().Before(deadline); {
				time.Sleep(5 * time.Millisecond)
			}
		}()
		if o := e.doCtx(ctx, "gate "+e.gate+" stuck"); !errors.Is(o.err, context.Canceled) {
			t.Errorf("Do(ctx, \"gate ...\") with ctx cancelled during the task = %q, %v; want an error wrapping context.Canceled", o.answer, o.err)
		}
		e.checkReaped(first, "the worker whose task was cancelled")
		if o := e.do("echo next"); o.err != nil || o.answer != "next" {
			t.Errorf("Do(ctx, \"echo next\") after a cancelled task on a pool with Max 1 = %q, %v; want \"next\", nil: kill and reap the worker with the unwanted task, so that a new one can start", o.answer, o.err)
		}
		e.close()
	})
}

func TestClose(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Min: 2, Max: 3, IdleTimeout: 10 * time.Second})
	running := make(chan outcome, 1)
	go func() { running <- e.do("gate " + e.gate + " busy") }()
	e.waitGates([]string{"busy"}, "a task on a pool with idle workers must start at once")
	closed := make(chan error, 1)
	go func() { closed <- e.p.Close() }()
	time.Sleep(200 * time.Millisecond)
	select {
	case err := <-closed:
		t.Fatalf("Close() returned %v while a task was running; want it to wait for the task", err)
	default:
	}
	if o := e.do("echo late"); !errors.Is(o.err, ErrClosed) {
		t.Errorf("Do(ctx, \"echo late\") during Close() = %q, %v; want an error wrapping ErrClosed", o.answer, o.err)
	}
	e.openGate()
	if o := <-running; o.err != nil || o.answer != "busy" {
		t.Errorf("a task running when Close() began = %q, %v; want \"busy\", nil: let running tasks finish", o.answer, o.err)
	}
	select {
	case <-closed:
	case <-time.After(10 * time.Second):
		t.Fatalf("Close() did not return within 10s of the last task finishing")
	}
	e.checkReaped(e.started(), "a worker")
	if s, st := e.pidsOf(Started), e.pidsOf(Stopped); len(s) != 2 || len(st) != 2 {
		t.Errorf("a pool that started %d workers (%v) reported %d Stopped events (%v) by the time Close() returned; want every worker reported stopped", len(s), s, len(st), st)
	}
	e.close() // a second Close returns too
}

func TestEventsNeverOverlap(t *testing.T) {
	t.Parallel()
	// Four workers start at once, and each OnEvent call lingers: calls made at once would
	// overlap.
	e := newEnvWith(t, Config{Min: 0, Max: 4, IdleTimeout: 10 * time.Second}, 30*time.Millisecond)
	finish := e.burst(4, 4, "with 4 tasks at once and none idle, start workers up to Max (4)")
	finish()
	e.close()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.overlaps > 0 {
		t.Errorf("with 4 workers starting and stopping at once, %d OnEvent calls began while another was running; want one call at a time (guard OnEvent with a mutex)", e.overlaps)
	}
}

func TestCloseKillsStuckWorkers(t *testing.T) {
	t.Parallel()
	// The workers do not exit when their stdin closes: Close must kill them.
	e := newEnvWith(t, Config{Min: 2, Max: 2, IdleTimeout: 10 * time.Second}, 0, "stay")
	if o := e.do("echo hi"); o.err != nil || o.answer != "hi" {
		t.Errorf("Do(ctx, \"echo hi\") = %q, %v; want \"hi\", nil", o.answer, o.err)
	}
	done := make(chan error, 1)
	go func() { done <- e.p.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("Close() did not return within 10s, with workers that ignore the end of their stdin; want them killed 2 seconds after their stdin was closed, and waited for")
	}
	e.checkReaped(e.started(), "a worker that ignored the end of its stdin")
	if s, st := e.pidsOf(Started), e.pidsOf(Stopped); len(st) != len(s) {
		t.Errorf("a pool that started %d workers (%v) reported %d Stopped events (%v) by the time Close() returned; want every worker reported stopped", len(s), s, len(st), st)
	}
}
