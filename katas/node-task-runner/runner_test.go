package runner

// The tasks are real processes: the test binary itself, run as the "task" helper below.
// Each attempt logs when it starts and ends, with its pid, in a log file of the test's:
// that is how the tests know the order tasks ran in, the gaps between retries, and that
// no process is left.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
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
	helpers["task"] = taskMain
}

// taskMain, the "task" helper, is one attempt of a task: task DIR TAG ACTION [ARG...]. It
// appends "TAG start UNIXMS PID" to DIR/log, does ACTION, and appends "TAG end UNIXMS"
// just before it exits by itself:
//
//	ok               exit 0
//	exit N           exit N
//	sleep MS         wait MS milliseconds, exit 0
//	failuntil N C    count this attempt in DIR/TAG.count; exit C before the N-th, else 0
//	gate NAME        wait until DIR/NAME.open exists, exit 0
//	hang             run until killed
//	spawnhang        start "task DIR TAG-kid hang" in its own process group, then hang
//
// It exits by itself after 60 seconds.
func taskMain(args []string) int {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) })
	dir, tag, action := args[0], args[1], args[2]
	logLine(dir, fmt.Sprintf("%s start %d %d", tag, time.Now().UnixMilli(), os.Getpid()))
	end := func(code int) int {
		logLine(dir, fmt.Sprintf("%s end %d", tag, time.Now().UnixMilli()))
		return code
	}
	switch action {
	case "ok":
		return end(0)
	case "exit":
		n, _ := strconv.Atoi(args[3])
		return end(n)
	case "sleep":
		ms, _ := strconv.Atoi(args[3])
		time.Sleep(time.Duration(ms) * time.Millisecond)
		return end(0)
	case "failuntil":
		n, _ := strconv.Atoi(args[3])
		code, _ := strconv.Atoi(args[4])
		counter := filepath.Join(dir, tag+".count")
		b, _ := os.ReadFile(counter)
		count, _ := strconv.Atoi(string(b))
		count++
		os.WriteFile(counter, []byte(strconv.Itoa(count)), 0o644)
		if count < n {
			return end(code)
		}
		return end(0)
	case "gate":
		for !exists(filepath.Join(dir, args[3]+".open")) {
			time.Sleep(5 * time.Millisecond)
		}
		return end(0)
	case "spawnhang":
		exe, err := os.Executable()
		if err != nil {
			return 3
		}
		kid := exec.Command(exe, helperArgs("task", dir, tag+"-kid", "hang")...)
		if err := kid.Start(); err != nil {
			return 3
		}
		go kid.Wait()
		select {}
	case "hang":
		select {}
	}
	fmt.Fprintf(os.Stderr, "task: unknown action %q\n", action)
	return 2
}

// logLine appends line to DIR/log in one write.
func logLine(dir, line string) {
	f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	f.WriteString(line + "\n")
	f.Close()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// prelude is put before every snippet. add(r, id, priority, ...action) adds a task that
// runs the helper as "task dir id action..."; waitLog(text, task) waits until the log holds
// text, or the promise task has settled; settle(p, ms) resolves with { ok: true, value },
// { ok: false, code, message, attempts, exitCode, signal, timedOut } or, after ms,
// { pending: true }.
const prelude = `const fs = require('node:fs');
const path = require('node:path');
const add = (r, id, priority, ...action) => r.add({ id, file: helper, args: [...taskArgs, dir, id, ...action], priority });
const waitLog = async (text, task) => {
  let settled = false;
  task.then(() => { settled = true; }, () => { settled = true; });
  const log = path.join(dir, 'log');
  for (const t0 = Date.now(); !(fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes(text)); ) {
    if (settled) return;
    if (Date.now() - t0 > 20000) throw new Error('the log never said ' + JSON.stringify(text));
    await new Promise((r) => setTimeout(r, 10));
  }
};
const settle = (p, ms = 30000) => new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ pending: true }), ms);
  Promise.resolve(p).then(
    (value) => { clearTimeout(timer); resolve({ ok: true, value }); },
    (err) => {
      clearTimeout(timer);
      const { code, attempts, exitCode, signal, timedOut } = err || {};
      resolve({ ok: false, code, message: String(err && err.message), attempts, exitCode, signal, timedOut });
    });
});
`

// attempt is one line pair of the log.
type attempt struct {
	tag        string
	start, end int64 // unix ms; end is 0 if the attempt did not end by itself
	pid        int
}

// env is one test's folder: the tasks' log, counters and gates.
type env struct {
	t   *testing.T
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir()}
	t.Cleanup(func() { // tasks run in process groups of their own, out of the harness's reach
		for _, a := range e.attempts() {
			syscall.Kill(-a.pid, syscall.SIGKILL)
			syscall.Kill(a.pid, syscall.SIGKILL)
		}
	})
	return e
}

func (e *env) vars() nodeVars {
	return nodeVars{"helper": helperPath(e.t), "taskArgs": helperArgs("task"), "dir": e.dir}
}

// attempts reads the log: every attempt, in the order they started.
func (e *env) attempts() []attempt {
	f, err := os.Open(filepath.Join(e.dir, "log"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var list []attempt
	open := map[string]int{} // tag -> index of its attempt that has not ended
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 3 {
			continue
		}
		ms, _ := strconv.ParseInt(fields[2], 10, 64)
		switch fields[1] {
		case "start":
			pid := 0
			if len(fields) > 3 {
				pid, _ = strconv.Atoi(fields[3])
			}
			open[fields[0]] = len(list)
			list = append(list, attempt{tag: fields[0], start: ms, pid: pid})
		case "end":
			if i, ok := open[fields[0]]; ok {
				list[i].end = ms
				delete(open, fields[0])
			}
		}
	}
	return list
}

// of returns the attempts of tag, in order.
func (e *env) of(tag string) []attempt {
	var list []attempt
	for _, a := range e.attempts() {
		if a.tag == tag {
			list = append(list, a)
		}
	}
	return list
}

// assertAllGone checks that no process an attempt started is left (zombies count as gone).
func (e *env) assertAllGone(when string) {
	e.t.Helper()
	for _, a := range e.attempts() {
		if !waitGone(a.pid, 10*time.Second) {
			e.t.Errorf("%s's process %d still runs 10s %s; want no process left behind", a.tag, a.pid, when)
		}
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// settled is what settle() reports.
type settled struct {
	OK       bool            `json:"ok"`
	Pending  bool            `json:"pending"`
	Value    json.RawMessage `json:"value"`
	Code     any             `json:"code"`
	Message  string          `json:"message"`
	Attempts int             `json:"attempts"`
	ExitCode *int            `json:"exitCode"`
	Signal   *string         `json:"signal"`
	TimedOut bool            `json:"timedOut"`
}

func (s settled) String() string {
	switch {
	case s.Pending:
		return "still pending after 30s"
	case s.OK:
		return "resolved with " + string(s.Value)
	default:
		return fmt.Sprintf("rejected with code %v (attempts %d, timedOut %v): %s", s.Code, s.Attempts, s.TimedOut, s.Message)
	}
}

// outcome is what add resolves with.
type outcome struct {
	ID         string  `json:"id"`
	Attempts   int     `json:"attempts"`
	DurationMs float64 `json:"durationMs"`
}

// metrics is what metrics() returns.
type metrics struct {
	Queued, Running, Retrying, Succeeded, Failed int
	Attempts, Retries, Timeouts                  int
	ExitCodes                                    map[string]int
	BusyMs                                       float64
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

func TestPriorityOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const r = new mod.TaskRunner({ concurrency: 1 });
const all = [add(r, 'blocker', 0, 'gate', 'go')];
await waitLog('blocker start', all[0]);
for (const [id, priority] of [['low', -1], ['mid1', 0], ['high', 5], ['mid2', 0], ['top', 10], ['neg', -5], ['mid3', 0]]) {
  all.push(add(r, id, priority, 'ok'));
}
fs.writeFileSync(path.join(dir, 'go.open'), '');
report(await Promise.all(all.map((p) => settle(p))));
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	for i, s := range decode[[]settled](t, r.Reports[0]) {
		if !s.OK {
			t.Errorf("task %d: %v; want it to resolve", i, s)
		}
	}
	var order []string
	for _, a := range e.attempts() {
		order = append(order, a.tag)
	}
	want := []string{"blocker", "top", "high", "mid1", "mid2", "mid3", "low", "neg"}
	if !slices.Equal(order, want) {
		t.Errorf("with one slot busy, tasks added with priorities low -1, mid1 0, high 5, mid2 0, top 10, neg -5, mid3 0 ran in the order %v; want %v: highest priority first, in the order added within a priority", order, want)
	}
}

func TestRetryBackoff(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const r = new mod.TaskRunner({ concurrency: 2, retries: 2, backoffMs: 1000 });
const flaky = settle(add(r, 'flaky', 0, 'failuntil', '3', '3'));
const doomed = settle(add(r, 'doomed', 0, 'exit', '4'));
report({ flaky: await flaky, doomed: await doomed, metrics: r.metrics() });
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Flaky, Doomed settled
		Metrics       metrics
	}
	r.Report(t, 0, &got)
	if !got.Flaky.OK || decode[outcome](t, got.Flaky.Value).Attempts != 3 {
		t.Errorf("a task that exits 3 twice, then 0, retries 2: %v; want it to resolve with attempts 3", got.Flaky)
	}
	if got.Doomed.OK || got.Doomed.Code != "ERR_TASK_FAILED" || got.Doomed.Attempts != 3 || got.Doomed.ExitCode == nil || *got.Doomed.ExitCode != 4 || got.Doomed.TimedOut {
		t.Errorf("a task that always exits 4, retries 2: %v; want a rejection with code 'ERR_TASK_FAILED', attempts 3, exitCode 4", got.Doomed)
	}
	if n := len(e.of("doomed")); n != 3 {
		t.Errorf("the task that always fails ran %d times; want 3 (1 + retries)", n)
	}
	for _, tag := range []string{"flaky", "doomed"} {
		runs := e.of(tag)
		for i := 1; i < len(runs); i++ {
			wait := runs[i].start - runs[i-1].end
			want := int64(1000) << (i - 1)
			if runs[i-1].end == 0 || wait < want {
				t.Errorf("%s: retry %d started %d ms after attempt %d ended; want at least %d ms (backoffMs 1000, doubled for each retry)", tag, i, wait, i, want)
			}
		}
	}
	m := got.Metrics
	wantCodes := map[string]int{"0": 1, "3": 2, "4": 3}
	if m.Succeeded != 1 || m.Failed != 1 || m.Attempts != 6 || m.Retries != 4 || m.Timeouts != 0 || !maps.Equal(m.ExitCodes, wantCodes) || m.Queued+m.Running+m.Retrying != 0 {
		t.Errorf("metrics() at the end = %+v; want succeeded 1, failed 1, attempts 6, retries 4, timeouts 0, exitCodes %v, nothing queued, running or retrying", m, wantCodes)
	}
}

func TestTimeoutKillsTheGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const r = new mod.TaskRunner({ retries: 1, backoffMs: 100, timeoutMs: 2000 });
const t0 = Date.now();
const stuck = await settle(add(r, 'stuck', 0, 'spawnhang'));
report({ stuck, ms: Date.now() - t0, metrics: r.metrics() });
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Stuck   settled
		Ms      int
		Metrics metrics
	}
	r.Report(t, 0, &got)
	s := got.Stuck
	if s.OK || s.Code != "ERR_TASK_FAILED" || s.Attempts != 2 || !s.TimedOut || s.Signal == nil || *s.Signal != "SIGKILL" || s.ExitCode != nil {
		t.Fatalf("a task that never ends, timeoutMs 2000, retries 1: %v; want a rejection with code 'ERR_TASK_FAILED', attempts 2, timedOut true, signal 'SIGKILL', exitCode null", s)
	}
	if got.Ms < 4000 {
		t.Errorf("the task failed after %d ms; want no earlier than 2 attempts of 2000 ms", got.Ms)
	}
	if n := len(e.of("stuck-kid")); n != 2 {
		t.Errorf("the processes the task started: %d logged; want 2, one per attempt", n)
	}
	wantCodes := map[string]int{"SIGKILL": 2}
	if m := got.Metrics; m.Timeouts != 2 || m.Failed != 1 || m.Attempts != 2 || !maps.Equal(m.ExitCodes, wantCodes) {
		t.Errorf("metrics() = %+v; want timeouts 2, failed 1, attempts 2, exitCodes %v", m, wantCodes)
	}
	e.assertAllGone("after the task failed (kill the attempt's process group, not the task alone)")
}

func TestNoTaskLostOrCountedTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const r = new mod.TaskRunner({ concurrency: 3, retries: 1, backoffMs: 300, timeoutMs: 2000 });
const specs = [
  ['ok1', 0, 'sleep', '100'], ['ok2', 1, 'sleep', '100'], ['ok3', 2, 'sleep', '100'], ['ok4', 0, 'sleep', '100'],
  ['flaky1', 0, 'failuntil', '2', '5'], ['flaky2', 3, 'failuntil', '2', '5'], ['flaky3', 0, 'failuntil', '2', '5'],
  ['doomed1', 0, 'exit', '6'], ['doomed2', 2, 'exit', '6'],
  ['stuck1', 0, 'hang'], ['stuck2', 1, 'hang'],
];
const problems = [];
let added = 0;
const check = (when) => {
  const m = r.metrics();
  const sum = m.queued + m.running + m.retrying + m.succeeded + m.failed;
  if (sum !== added && problems.length < 5) problems.push(when + ': ' + JSON.stringify(m) + ' adds up to ' + sum + ', not ' + added);
};
const sampler = setInterval(() => check('sampled'), 5);
const all = [];
for (const [id, priority, ...action] of specs) {
  all.push(settle(add(r, id, priority, ...action)).then((s) => { check('as ' + id + ' settled'); return s; }));
  added++;
  check('after adding ' + id);
}
const results = await Promise.all(all);
clearInterval(sampler);
check('at the end');
report({ results, problems, metrics: r.metrics() });
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Results  []settled
		Problems []string
		Metrics  metrics
	}
	r.Report(t, 0, &got)
	if len(got.Problems) > 0 {
		t.Errorf("queued + running + retrying + succeeded + failed was not the number of tasks added: %s; want every task in exactly one of them, at every moment", strings.Join(got.Problems, "; "))
	}
	ok, failed := 0, 0
	for _, s := range got.Results {
		switch {
		case s.OK:
			ok++
		case s.Code == "ERR_TASK_FAILED":
			failed++
		}
	}
	if ok != 7 || failed != 4 {
		t.Errorf("11 tasks: %d resolved and %d rejected with 'ERR_TASK_FAILED'; want 7 and 4 (%v)", ok, failed, got.Results)
	}
	wantCodes := map[string]int{"0": 7, "5": 3, "6": 4, "SIGKILL": 4}
	m := got.Metrics
	if m.Succeeded != 7 || m.Failed != 4 || m.Attempts != 18 || m.Retries != 7 || m.Timeouts != 4 || !maps.Equal(m.ExitCodes, wantCodes) || m.Queued+m.Running+m.Retrying != 0 {
		t.Errorf("metrics() at the end = %+v; want succeeded 7, failed 4, attempts 18, retries 7, timeouts 4, exitCodes %v, nothing queued, running or retrying", m, wantCodes)
	}
	if n := len(e.attempts()); n != 18 {
		t.Errorf("the tasks' log shows %d attempts; want 18 (each task once, plus one retry for each of the 7 that failed first)", n)
	}
	var busy float64
	for _, s := range got.Results {
		if s.OK {
			busy += decode[outcome](t, s.Value).DurationMs
		}
	}
	if busy < 400 || m.BusyMs < busy {
		t.Errorf("the successful attempts took %.0f ms in all, busyMs is %.0f; want each one's durationMs to cover its 100 ms of work, and busyMs to count every attempt", busy, m.BusyMs)
	}
	e.assertAllGone("after every task settled")
}

func TestCloseWaitsForRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const invalid = [];
for (const options of [{ concurrency: 0 }, { retries: -1 }, { timeoutMs: 1.5 }]) {
  try { new mod.TaskRunner(options); invalid.push({ options, threw: null }); } catch (err) { invalid.push({ options, threw: err.code }); }
}
const r = new mod.TaskRunner({ retries: 1, backoffMs: 1500 });
const missing = settle(r.add({ id: 'missing', file: path.join(dir, 'no-such-program'), args: [] }));
const flaky = settle(add(r, 'flaky', 0, 'failuntil', '2', '7'));
await waitLog('flaky end', flaky);
const closed = settle(r.close().then(() => r.metrics()));
const late = await settle(add(r, 'late', 0, 'ok'));
report({ invalid, missing: await missing, flaky: await flaky, closed: await closed, late });
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Invalid []struct {
			Options map[string]any
			Threw   any
		}
		Missing, Flaky, Closed, Late settled
	}
	r.Report(t, 0, &got)
	for _, c := range got.Invalid {
		if c.Threw != "ERR_INVALID_ARG_VALUE" {
			opts, _ := json.Marshal(c.Options)
			threw := "did not throw"
			if c.Threw != nil {
				threw = fmt.Sprintf("threw code %v", c.Threw)
			}
			t.Errorf("new TaskRunner(%s) %s; want a throw with code 'ERR_INVALID_ARG_VALUE'", opts, threw)
		}
	}
	if got.Missing.OK || got.Missing.Code != "ENOENT" {
		t.Errorf("a task whose program does not exist: %v; want a rejection with code 'ENOENT'", got.Missing)
	}
	if !got.Flaky.OK || decode[outcome](t, got.Flaky.Value).Attempts != 2 {
		t.Errorf("a task that fails once, retries 1, closed during its backoff: %v; want it to resolve with attempts 2", got.Flaky)
	}
	if !got.Closed.OK {
		t.Fatalf("close() %v; want it to resolve once every task has settled", got.Closed)
	}
	m := decode[metrics](t, got.Closed.Value)
	if m.Queued+m.Running+m.Retrying != 0 || m.Succeeded != 1 || m.Failed != 1 {
		t.Errorf("metrics() when close() resolved = %+v; want succeeded 1, failed 1 (the missing program), nothing queued, running or retrying: close() waits for tasks waiting out a backoff too", m)
	}
	if got.Late.OK || got.Late.Code != "ERR_RUNNER_CLOSED" {
		t.Errorf("add() after close(): %v; want a rejection with code 'ERR_RUNNER_CLOSED'", got.Late)
	}
	if runs := e.of("late"); len(runs) > 0 {
		t.Errorf("the task added after close() ran; want it never to start")
	}
	e.assertAllGone("after close() resolved")
}
