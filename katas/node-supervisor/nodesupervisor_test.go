package nodesupervisor

// The tests run a Supervisor in node over real workers: the test binary itself, started as
// helpers that crash at once, crash later, die from a signal, finish, leave a child behind,
// or run until stopped. The snippets record every event the supervisor emits, with the time
// it came, and report them.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
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
	helpers["crash"] = crash
	helpers["die"] = die
	helpers["finish"] = finish
	helpers["orphan"] = orphan
	helpers["tree"] = tree
}

// watchdog ends a helper that nobody stopped (because the code under test forgot to), so
// that it cannot outlive the test run for long.
func watchdog() {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) })
}

// crash MS CODE runs for MS milliseconds, then exits with status CODE.
func crash(args []string) int {
	watchdog()
	ms, _ := strconv.Atoi(args[0])
	time.Sleep(time.Duration(ms) * time.Millisecond)
	code, _ := strconv.Atoi(args[1])
	return code
}

// die kills itself with SIGKILL.
func die(args []string) int {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(5 * time.Second)
	return 97
}

// finish exits 0: its job is done.
func finish(args []string) int { return 0 }

// orphan DIR starts a child that writes DIR/child-PID.pid and then waits, and exits 3 once
// that child runs, leaving it behind.
func orphan(args []string) int {
	watchdog()
	dir := args[0]
	if len(args) > 1 { // the child
		writePid(filepath.Join(dir, fmt.Sprintf("child-%d.pid", os.Getpid())))
		select {}
	}
	exe, _ := os.Executable()
	c := exec.Command(exe, helperArgs("orphan", dir, "child")...)
	if err := c.Start(); err != nil {
		return 2
	}
	for readPid(filepath.Join(dir, fmt.Sprintf("child-%d.pid", c.Process.Pid))) == 0 {
		time.Sleep(2 * time.Millisecond)
	}
	return 3
}

// tree DIR [stubborn] starts a child, writes DIR/worker.pid and DIR/child.pid once both run,
// and waits. Both die from SIGTERM, except a stubborn worker, which ignores it; the worker
// does not pass SIGTERM on to its child.
func tree(args []string) int {
	watchdog()
	dir := args[0]
	if slices.Contains(args[1:], "child") {
		writePid(filepath.Join(dir, "child.pid"))
		select {}
	}
	if slices.Contains(args[1:], "stubborn") {
		signal.Ignore(syscall.SIGTERM)
	}
	exe, _ := os.Executable()
	c := exec.Command(exe, helperArgs("tree", dir, "child")...)
	if err := c.Start(); err != nil {
		return 2
	}
	for readPid(filepath.Join(dir, "child.pid")) == 0 {
		time.Sleep(2 * time.Millisecond)
	}
	writePid(filepath.Join(dir, "worker.pid"))
	select {}
}

// writePid writes the process id to path, atomically.
func writePid(path string) {
	tmp := path + ".tmp"
	os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644)
	os.Rename(tmp, path)
}

// readPid returns the pid in path, or 0 if there is none yet.
func readPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(string(b))
	return pid
}

// killAtEnd kills, when the test ends, every process whose pid a helper wrote in dir, and
// its group, whatever the supervisor did.
func killAtEnd(t *testing.T, dir string) {
	t.Cleanup(func() {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pid"))
		for _, f := range files {
			if pid := readPid(f); pid > 0 {
				syscall.Kill(-pid, syscall.SIGKILL)
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
}

// event is one event the supervisor emitted, as the snippets record it.
type event struct {
	Name    string   `json:"name"`
	T       float64  `json:"t"` // when it came, in ms since the supervisor was made
	Pid     *int     `json:"pid"`
	Code    *int     `json:"code"`
	Signal  *string  `json:"signal"`
	Error   *string  `json:"error"`
	Crashed bool     `json:"crashed"`
	Crashes int      `json:"crashes"`
	Delay   *float64 `json:"delay"`
}

func (e event) String() string {
	switch e.Name {
	case "start":
		return fmt.Sprintf("start { pid: %s }", showPtr(e.Pid))
	case "giveup":
		return fmt.Sprintf("giveup { crashes: %d }", e.Crashes)
	case "exit":
		return fmt.Sprintf("exit { code: %s, signal: %s, error: %s, crashed: %v, crashes: %d, delay: %s }",
			showPtr(e.Code), showPtr(e.Signal), showPtr(e.Error), e.Crashed, e.Crashes, showPtr(e.Delay))
	}
	return e.Name
}

func showPtr[T any](p *T) string {
	if p == nil {
		return "null"
	}
	if s, ok := any(*p).(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(*p)
}

// showEvents lists events for a message, at most 12.
func showEvents(events []event) string {
	var b strings.Builder
	for i, e := range events {
		if i == 12 {
			fmt.Fprintf(&b, "\n\t... and %d more", len(events)-12)
			break
		}
		fmt.Fprintf(&b, "\n\t%6.0f ms  %v", e.T, e)
	}
	if len(events) == 0 {
		return " none"
	}
	return b.String()
}

func named(events []event, name string) []event {
	var out []event
	for _, e := range events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// outcome is how a promise settled, as outcome() in preludeJS reports it.
type outcome struct {
	Value json.RawMessage `json:"value"`
	Error *struct {
		Name    string `json:"name"`
		Message string `json:"message"`
		Code    any    `json:"code"`
		Crashes *int   `json:"crashes"`
	} `json:"error"`
}

func (o outcome) String() string {
	if o.Error == nil {
		if len(o.Value) == 0 {
			return "resolved"
		}
		return "resolved with " + string(o.Value)
	}
	s := fmt.Sprintf("rejected with %s: %s (code %v", o.Error.Name, o.Error.Message, o.Error.Code)
	if o.Error.Crashes != nil {
		s += fmt.Sprintf(", crashes %d", *o.Error.Crashes)
	}
	return s + ")"
}

func (o outcome) resolvedWith(s string) bool {
	return o.Error == nil && string(o.Value) == strconv.Quote(s)
}

// preludeJS makes the supervisor sup from file, args and options, records its events in
// events, and gives the snippets helpers: within(p, ms) rejects with code 'TEST_PENDING' if
// p has not settled after ms; outcome(p) turns how p settles (within 20 s) into a value to
// report; sleep(ms).
const preludeJS = `
const within = (p, ms) => {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('still pending after ' + ms + ' ms'), { code: 'TEST_PENDING' })), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
};
const outcome = (p) => within(Promise.resolve(p), 20000).then((value) => ({ value }), (e) => ({ error: {
  name: String(e && e.name), message: String(e && e.message), code: (e && e.code) ?? null, crashes: e && e.crashes } }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sup = new mod.Supervisor(file, args, options);
const events = [];
const t0 = performance.now();
for (const name of ['start', 'exit', 'giveup']) {
  sup.on(name, (e) => events.push({ ...e, name, t: performance.now() - t0 }));
}
`

// result is what the snippets report.
type result struct {
	Run    outcome `json:"run"`
	Stop   outcome `json:"stop"`
	Events []event `json:"events"`
}

// supervise runs preludeJS and snippet in node with the worker file and args, the
// supervisor's options, and vars; it returns the first report the moment it comes, with what check
// returns then (it checks processes that must be gone), and the reports after it.
func supervise(t *testing.T, file string, args []string, options map[string]any, vars nodeVars, snippet string, check func(first result) []string) (first result, later []result, problems []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if vars == nil {
		vars = nodeVars{}
	}
	vars["file"], vars["args"], vars["options"] = file, args, options
	cmd, p := startNode(t, ctx, preludeJS+snippet, vars)
	var reports []json.RawMessage
	for {
		raw, ok := p.next(t)
		if !ok {
			break
		}
		if len(reports) == 0 {
			if err := json.Unmarshal(raw, &first); err != nil {
				t.Fatalf("decoding %s: %v", raw, err)
			}
			if check != nil {
				problems = check(first)
			}
		}
		reports = append(reports, raw)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	// The workers run in process groups of their own, and may hold node's stdout.
	cmd.WaitDelay = 2 * time.Second
	p.wait(t, cmd)
	if len(reports) == 0 {
		t.Fatalf("node reported nothing: error %v; stderr: %s", p.run.Err, capText(p.run.Stderr, 2000))
	}
	for _, raw := range reports[1:] {
		var r result
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("decoding %s: %v", raw, err)
		}
		later = append(later, r)
	}
	return first, later, problems
}

// gaveUpSnippet runs the supervisor until it settles.
const gaveUpSnippet = `
report({ run: await outcome(sup.run()), events });
`

func TestBackoff(t *testing.T) {
	t.Parallel()
	options := map[string]any{"backoff": 50, "maxBackoff": 200, "maxCrashes": 5, "window": 60000}
	call := fmt.Sprintf("Supervisor(crash at once with code 3, %s).run()", showOptions(options))
	got, _, _ := supervise(t, helperPath(t), helperArgs("crash", "0", "3"), options, nil, gaveUpSnippet, nil)
	if got.Run.Error == nil || got.Run.Error.Code != "ERR_TOO_MANY_CRASHES" || got.Run.Error.Crashes == nil || *got.Run.Error.Crashes != 5 {
		t.Errorf("%s %v; want a rejection with code 'ERR_TOO_MANY_CRASHES' and crashes 5", call, got.Run)
	}
	want := []float64{50, 100, 200, 200, -1} // -1: null
	exits, starts := named(got.Events, "exit"), named(got.Events, "start")
	if len(exits) != 5 || len(starts) != 5 || len(named(got.Events, "giveup")) != 1 || got.Events[len(got.Events)-1].Name != "giveup" {
		t.Fatalf("%s emitted:%s\nwant 5 starts, each followed by an exit, then one giveup", call, showEvents(got.Events))
	}
	for i, e := range exits {
		ok := e.Crashed && e.Crashes == i+1 && e.Code != nil && *e.Code == 3 && e.Signal == nil
		if want[i] < 0 {
			ok = ok && e.Delay == nil
		} else {
			ok = ok && e.Delay != nil && *e.Delay == want[i]
		}
		if !ok {
			t.Errorf("%s: exit %d is %v; want code 3, crashed true, crashes %d, delay %v (doubling from backoff, capped at maxBackoff; null when it gives up). Events:%s",
				call, i+1, e, i+1, showDelay(want[i]), showEvents(got.Events))
		}
		if i < 4 && e.Delay != nil && *e.Delay >= 100 {
			// A timer never fires early by its clock, but node reads that clock once per
			// turn of its event loop: half the delay leaves room for a late reading.
			if gap := starts[i+1].T - e.T; gap < *e.Delay/2 {
				t.Errorf("%s: the worker restarted %.0f ms after exit %d; want it to wait for the delay, %v ms", call, gap, i+1, *e.Delay)
			}
		}
	}
	for _, s := range starts {
		if s.Pid != nil && processAlive(*s.Pid) {
			t.Errorf("%s settled, but the worker %d still runs", call, *s.Pid)
		}
	}
}

func TestCrashKinds(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "procdojo-no-such-program")
	orphans := t.TempDir()
	killAtEnd(t, orphans)
	options := map[string]any{"backoff": 20, "maxBackoff": 100, "maxCrashes": 3, "window": 60000}
	tests := []struct {
		name    string
		file    string
		args    []string
		starts  int
		check   func(e event) bool
		want    string
		orphans bool // check that the workers' children are gone
	}{
		{"killed by SIGKILL", helperPath(t), helperArgs("die"), 3,
			func(e event) bool { return e.Signal != nil && *e.Signal == "SIGKILL" && e.Code == nil && e.Pid != nil },
			"code null, signal 'SIGKILL'", false},
		{"cannot start", missing, nil, 0,
			func(e event) bool { return e.Error != nil && *e.Error == "ENOENT" && e.Pid == nil },
			"pid null, error 'ENOENT' (a failed start emits 'error', then 'close': handle it once)", false},
		{"leaves a child behind", helperPath(t), helperArgs("orphan", orphans), 3,
			func(e event) bool { return e.Code != nil && *e.Code == 3 },
			"code 3", true},
	}
	together(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		call := fmt.Sprintf("Supervisor(%s, %s).run()", map[string]string{
			"killed by SIGKILL":     "a worker that dies from SIGKILL",
			"cannot start":          "a program that does not exist",
			"leaves a child behind": "a worker that starts a child and exits 3",
		}[tc.name], showOptions(options))
		// The moment run() settles, before node is stopped (and with it the processes of
		// its own group).
		checkOrphans := func(result) []string {
			if !tc.orphans {
				return nil
			}
			var problems []string
			files, _ := filepath.Glob(filepath.Join(orphans, "child-*.pid"))
			if len(files) != 3 {
				problems = append(problems, fmt.Sprintf("%s: %d workers started a child; want 3", call, len(files)))
			}
			for _, f := range files {
				if pid := readPid(f); pid > 0 && !waitGone(pid, 2*time.Second) {
					problems = append(problems, fmt.Sprintf("%s settled, but the child (pid %d) that a crashed worker left behind still runs: start each worker in a process group of its own (detached: true) and send SIGKILL to the group when the worker exits", call, pid))
				}
			}
			return problems
		}
		got, _, problems := supervise(t, tc.file, tc.args, options, nil, gaveUpSnippet, checkOrphans)
		for _, p := range problems {
			t.Error(p)
		}
		if got.Run.Error == nil || got.Run.Error.Code != "ERR_TOO_MANY_CRASHES" {
			t.Errorf("%s %v; want a rejection with code 'ERR_TOO_MANY_CRASHES': each such end is a crash. Events:%s", call, got.Run, showEvents(got.Events))
		}
		exits := named(got.Events, "exit")
		if len(exits) != 3 || len(named(got.Events, "start")) != tc.starts || len(named(got.Events, "giveup")) != 1 {
			t.Fatalf("%s emitted:%s\nwant %d starts, 3 exits and a giveup", call, showEvents(got.Events), tc.starts)
		}
		for j, e := range exits {
			if !tc.check(e) || !e.Crashed || e.Crashes != j+1 {
				t.Errorf("%s: exit %d is %v; want %s, crashed true, crashes %d", call, j+1, e, tc.want, j+1)
			}
		}
	})
}

func TestFinish(t *testing.T) {
	t.Parallel()
	options := map[string]any{"backoff": 20, "maxBackoff": 100, "maxCrashes": 3, "window": 60000}
	call := fmt.Sprintf("Supervisor(worker that exits 0, %s).run()", showOptions(options))
	got, _, _ := supervise(t, helperPath(t), helperArgs("finish"), options, nil, gaveUpSnippet, nil)
	if !got.Run.resolvedWith("finished") {
		t.Errorf("%s %v; want it resolved with 'finished': exit code 0 means the job is done", call, got.Run)
	}
	exits := named(got.Events, "exit")
	if len(named(got.Events, "start")) != 1 || len(exits) != 1 || exits[0].Crashed || exits[0].Delay != nil || exits[0].Code == nil || *exits[0].Code != 0 {
		t.Errorf("%s emitted:%s\nwant one start and one exit with code 0, crashed false, delay null", call, showEvents(got.Events))
	}
}

func TestWindow(t *testing.T) {
	t.Parallel()
	// Each worker runs 600 ms before it crashes: no two crashes fall within 300 ms.
	options := map[string]any{"backoff": 50, "maxBackoff": 1000, "maxCrashes": 2, "window": 300}
	call := fmt.Sprintf("Supervisor(worker that crashes after 600 ms, %s).run()", showOptions(options))
	got, _, _ := supervise(t, helperPath(t), helperArgs("crash", "600", "3"), options, nil, `
let exits = 0;
sup.on('exit', () => { exits += 1; if (exits === 4) sup.stop(); });
report({ run: await outcome(sup.run()), events });
`, nil)
	if !got.Run.resolvedWith("stopped") {
		t.Errorf("%s, stopped after the 4th exit, %v; want it resolved with 'stopped': a crash older than the window does not count. Events:%s", call, got.Run, showEvents(got.Events))
	}
	exits := named(got.Events, "exit")
	if len(exits) != 4 || len(named(got.Events, "start")) != 4 || len(named(got.Events, "giveup")) != 0 {
		t.Fatalf("%s, stopped after the 4th exit, emitted:%s\nwant 4 starts, 4 exits and no giveup", call, showEvents(got.Events))
	}
	for i, e := range exits {
		if !e.Crashed || e.Crashes != 1 || e.Delay == nil || *e.Delay != 50 {
			t.Errorf("%s: exit %d is %v; want crashed true, crashes 1 and delay 50: each crash starts a new streak, as the one before is older than the window", call, i+1, e)
		}
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	type stopCase struct {
		name     string
		stubborn bool
	}
	tests := []stopCase{{"worker obeys SIGTERM", false}, {"worker ignores SIGTERM", true}}
	together(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		dir := t.TempDir()
		killAtEnd(t, dir)
		args := []string{dir}
		wantSignal := "SIGTERM"
		if tc.stubborn {
			args, wantSignal = append(args, "stubborn"), "SIGKILL"
		}
		options := map[string]any{"backoff": 50, "maxCrashes": 3, "killGrace": 300}
		call := fmt.Sprintf("stop() of Supervisor(worker that %s and has a child, %s)", strings.TrimPrefix(tc.name, "worker "), showOptions(options))
		// Stop once the worker and its child run; report at once, then again 3 s later.
		got, later, problems := supervise(t, helperPath(t), helperArgs("tree", args...), options, nodeVars{"workerPid": filepath.Join(dir, "worker.pid")}, `
let settled = false;
const running = outcome(sup.run());
running.then(() => { settled = true; });
for (const end = Date.now() + 20000; !settled && !fs.existsSync(workerPid) && Date.now() < end; ) await sleep(10);
const stop = await outcome(sup.stop());
report({ stop, events });
await sleep(3000);
report({ run: await running, events });
`, func(first result) []string {
			var problems []string
			for _, role := range []string{"worker", "child"} {
				pid := readPid(filepath.Join(dir, role+".pid"))
				if pid == 0 {
					problems = append(problems, fmt.Sprintf("the %s never wrote its pid", role))
				} else if !waitGone(pid, 1500*time.Millisecond) {
					problems = append(problems, fmt.Sprintf("%s %v, and the %s (pid %d) still runs: send SIGTERM to the worker's process group (process.kill(-pid)), SIGKILL after killGrace, and resolve once the worker has exited", call, first.Stop, role, pid))
				}
			}
			return problems
		})
		for _, p := range problems {
			t.Error(p)
		}
		if got.Stop.Error != nil {
			t.Fatalf("%s %v; want it resolved. Events:%s", call, got.Stop, showEvents(got.Events))
		}
		exits := named(got.Events, "exit")
		if len(exits) != 1 || exits[0].Crashed || exits[0].Delay != nil || exits[0].Signal == nil || *exits[0].Signal != wantSignal {
			t.Errorf("%s: the supervisor emitted:%s\nwant one start, then one exit with signal %q, crashed false and delay null: a worker that stop() ended did not crash", call, showEvents(got.Events), wantSignal)
		}
		if len(later) == 0 {
			t.Fatalf("%s: the test's code ended early: %v", call, got)
		}
		if !later[0].Run.resolvedWith("stopped") || len(named(later[0].Events, "start")) != 1 {
			t.Errorf("%s: 3 s later, run() %v, and the supervisor emitted:%s\nwant run() resolved with 'stopped' and no start after stop()", call, later[0].Run, showEvents(later[0].Events))
		}
	})
}

func TestStopDuringBackoff(t *testing.T) {
	t.Parallel()
	options := map[string]any{"backoff": 1000, "maxCrashes": 3}
	call := fmt.Sprintf("stop() of Supervisor(crash at once with code 3, %s), called from the first 'exit' listener", showOptions(options))
	got, _, _ := supervise(t, helperPath(t), helperArgs("crash", "0", "3"), options, nil, `
let stopping = null;
sup.once('exit', () => { stopping = outcome(sup.stop()); });
const run = await outcome(sup.run());
const stop = await stopping;
await sleep(3000); // the restart was due 1 s after the exit
report({ run, stop, events });
`, nil)
	if got.Stop.Error != nil || !got.Run.resolvedWith("stopped") {
		t.Errorf("%s: stop() %v, run() %v; want both resolved, run() with 'stopped'", call, got.Stop, got.Run)
	}
	if len(named(got.Events, "start")) != 1 {
		t.Errorf("%s: the supervisor emitted:%s\nwant a single start: stop() cancels the restart that was due after the backoff (clearTimeout)", call, showEvents(got.Events))
	}
}

func showDelay(d float64) string {
	if d < 0 {
		return "null"
	}
	return strconv.FormatFloat(d, 'f', -1, 64)
}

// showOptions writes options as JavaScript.
func showOptions(options map[string]any) string {
	keys := make([]string, 0, len(options))
	for k := range options {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %v", k, options[k])
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// together runs case i of n as the subtest name(i), all at once: each subtest mostly waits
// for processes, and -test.parallel (the number of CPUs) would let only a few run at a time.
func together(t *testing.T, n int, name func(int) string, f func(t *testing.T, i int)) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name(i), func(t *testing.T) { f(t, i) })
		}()
	}
	wg.Wait()
}
