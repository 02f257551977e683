package converter

// The converter is a real process: the test binary itself, run as the "convert" helper
// below. Its input file is a little script that tells it what to write and when, and it can
// stop at a gate until the test opens it: that is how the tests know what each converter
// has said at each step.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["convert"] = convertMain
}

// convertMain, the "convert" helper, is a converter: convert GATES INPUT. Let NAME be the
// base name of INPUT. It writes GATES/pid-NAME (its pid) and GATES/started-NAME, creates
// GATES/run-NAME, and writes in GATES/seen-NAME how many run-* files it saw then (itself
// included). Then it runs INPUT's lines:
//
//	progress N   write "progress=N%" and a newline to stderr
//	say TEXT     write TEXT and a newline to stderr
//	raw TEXT     write TEXT to stderr in one write, with each \n turned into a newline
//	data TEXT    write TEXT and a newline to stdout, the converted file, at once
//	gate G       create GATES/G.waiting, then wait until GATES/G.open exists
//	exit N       exit with status N
//
// It removes GATES/run-NAME when it exits by itself. If INPUT cannot be read, it says
// "cannot read NAME" on stderr and exits 2. It exits by itself after 60 seconds.
func convertMain(args []string) int {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) })
	gates, input := args[0], args[1]
	name := filepath.Base(input)
	writeFile(filepath.Join(gates, "pid-"+name), strconv.Itoa(os.Getpid()))
	writeFile(filepath.Join(gates, "started-"+name), "")
	run := filepath.Join(gates, "run-"+name)
	os.WriteFile(run, nil, 0o644)
	writeFile(filepath.Join(gates, "seen-"+name), strconv.Itoa(countPrefix(gates, "run-")))
	exit := func(code int) int {
		os.Remove(run)
		return code
	}
	script, err := os.ReadFile(input)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot read %s\n", name)
		return exit(2)
	}
	for _, line := range strings.Split(string(script), "\n") {
		cmd, rest, _ := strings.Cut(line, " ")
		switch cmd {
		case "":
		case "progress":
			fmt.Fprintf(os.Stderr, "progress=%s%%\n", rest)
		case "say":
			fmt.Fprintln(os.Stderr, rest)
		case "raw":
			os.Stderr.WriteString(strings.ReplaceAll(rest, `\n`, "\n"))
		case "data":
			fmt.Fprintln(os.Stdout, rest)
		case "gate":
			os.WriteFile(filepath.Join(gates, rest+".waiting"), nil, 0o644)
			for !exists(filepath.Join(gates, rest+".open")) {
				time.Sleep(5 * time.Millisecond)
			}
		case "exit":
			n, _ := strconv.Atoi(rest)
			return exit(n)
		default:
			fmt.Fprintf(os.Stderr, "convert: unknown command %q\n", line)
			return exit(2)
		}
	}
	return exit(0)
}

// writeFile writes path atomically: readers see all of it or nothing.
func writeFile(path, content string) {
	if os.WriteFile(path+".tmp", []byte(content), 0o644) == nil {
		os.Rename(path+".tmp", path)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func countPrefix(dir, prefix string) int {
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && !strings.HasSuffix(e.Name(), ".tmp") {
			n++
		}
	}
	return n
}

// prelude is put before every snippet: settle(p, ms) resolves with { ok: true, value },
// { ok: false, code, message, exitCode } or, after ms, { pending: true }.
const prelude = `const settle = (p, ms = 20000) => new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ pending: true }), ms);
  Promise.resolve(p).then(
    (value) => { clearTimeout(timer); resolve({ ok: true, value }); },
    (err) => { clearTimeout(timer); resolve({ ok: false, code: err && err.code, message: String(err && err.message), exitCode: err && err.exitCode }); });
});
`

// env is one test's folders: inputs, outputs, and the converters' gates.
type env struct {
	t              *testing.T
	in, out, gates string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, in: t.TempDir(), out: t.TempDir(), gates: t.TempDir()}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(e.gates)
		for _, ent := range entries {
			if strings.HasPrefix(ent.Name(), "pid-") && !strings.HasSuffix(ent.Name(), ".tmp") {
				if pid := e.pid(strings.TrimPrefix(ent.Name(), "pid-")); pid > 0 {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
	})
	return e
}

// job writes the script of input name (none: the input does not exist) and returns
// [input, output].
func (e *env) job(name string, script ...string) []string {
	e.t.Helper()
	in := filepath.Join(e.in, name)
	if script != nil {
		if err := os.WriteFile(in, []byte(strings.Join(script, "\n")+"\n"), 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
	return []string{in, filepath.Join(e.out, name+".out")}
}

// vars are the snippet's constants: command and args run the converter; jobs are
// [input, output] pairs; gates is the converters' folder of gates.
func (e *env) vars(concurrency int, jobs ...[]string) nodeVars {
	return nodeVars{"command": helperPath(e.t), "args": helperArgs("convert", e.gates), "concurrency": concurrency, "jobs": jobs, "gates": e.gates}
}

func (e *env) open(gate string) {
	os.WriteFile(filepath.Join(e.gates, gate+".open"), nil, 0o644)
}

func (e *env) started(name string) bool { return exists(filepath.Join(e.gates, "started-"+name)) }

func (e *env) pid(name string) int {
	b, _ := os.ReadFile(filepath.Join(e.gates, "pid-"+name))
	n, _ := strconv.Atoi(string(b))
	return n
}

func (e *env) seen(name string) int {
	b, _ := os.ReadFile(filepath.Join(e.gates, "seen-"+name))
	n, _ := strconv.Atoi(string(b))
	return n
}

// outputs returns the names of the files in the output folder.
func (e *env) outputs() []string {
	entries, _ := os.ReadDir(e.out)
	var names []string
	for _, ent := range entries {
		names = append(names, ent.Name())
	}
	return names
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it is true, up to d; it reports whether it became true.
func waitFor(d time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(d); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// settled is what settle() reports.
type settled struct {
	OK       bool            `json:"ok"`
	Pending  bool            `json:"pending"`
	Value    json.RawMessage `json:"value"`
	Code     any             `json:"code"`
	Message  string          `json:"message"`
	ExitCode *int            `json:"exitCode"`
}

func (s settled) String() string {
	switch {
	case s.Pending:
		return "still pending after 20s"
	case s.OK:
		return "resolved with " + string(s.Value)
	case s.ExitCode != nil:
		return fmt.Sprintf("rejected with code %v, exitCode %d: %s", s.Code, *s.ExitCode, s.Message)
	default:
		return fmt.Sprintf("rejected with code %v: %s", s.Code, s.Message)
	}
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

func TestResultsAndErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jobs := [][]string{
		e.job("a", "data alpha", "progress 50", "data beta"),
		e.job("bad", "data partial", "say corrupt input", "progress 80", "exit 1"),
		e.job("c", "say converting c", "data gamma"),
		e.job("missing"), // no such input: the converter says so and exits 2
	}
	r := runNode(t, testContext(t), prelude+`
const q = new mod.ConverterQueue({ command, args, concurrency });
const added = jobs.map(([input, output]) => q.add(input, output));
report({ ids: added.map((a) => a.id), results: await Promise.all(added.map((a) => settle(a.done))) });
`, e.vars(1, jobs...))
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		IDs     []string
		Results []settled
	}
	r.Report(t, 0, &got)
	if len(got.Results) != 4 || len(got.IDs) != 4 {
		t.Fatalf("got %d results; want 4", len(got.Results))
	}
	if ids := slices.Compact(slices.Sorted(slices.Values(got.IDs))); len(ids) != 4 {
		t.Errorf("add() returned ids %q; want 4 different ids", got.IDs)
	}
	for _, ok := range []struct {
		i    int
		want string
	}{{0, "alpha\nbeta\n"}, {2, "gamma\n"}} {
		s := got.Results[ok.i]
		content, err := os.ReadFile(jobs[ok.i][1])
		if !s.OK || err != nil || string(content) != ok.want {
			t.Errorf("converting %s: done %v, output %q (%v); want it to resolve, with output %q: a failed job must not stop the others", filepath.Base(jobs[ok.i][0]), s, content, err, ok.want)
		}
	}
	for _, bad := range []struct {
		i        int
		exitCode int
		said     string
	}{{1, 1, "corrupt input"}, {3, 2, "cannot read missing"}} {
		s := got.Results[bad.i]
		if s.OK || s.Pending || s.Code != "ERR_CONVERSION_FAILED" || s.ExitCode == nil || *s.ExitCode != bad.exitCode || !strings.Contains(s.Message, bad.said) {
			t.Errorf("converting %s: done %v; want a rejection with code 'ERR_CONVERSION_FAILED', exitCode %d, and a message quoting the converter's last message %q", filepath.Base(jobs[bad.i][0]), s, bad.exitCode, bad.said)
		}
	}
	if outs := e.outputs(); !slices.Equal(outs, []string{"a.out", "c.out"}) {
		t.Errorf("the output folder holds %q; want only [a.out c.out]: a failed job leaves no output, not even a partial one, and no temporary file", outs)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var jobs [][]string
	for i := range 5 {
		jobs = append(jobs, e.job(fmt.Sprintf("f%d", i), "gate go", fmt.Sprintf("data file %d", i)))
	}
	cmd, p := startNode(t, testContext(t), prelude+`
const q = new mod.ConverterQueue({ command, args, concurrency });
const added = jobs.map(([input, output]) => q.add(input, output));
report('added');
report(await Promise.all(added.map((a) => settle(a.done))));
`, e.vars(2, jobs...))
	if msg, ok := p.next(t); !ok || string(msg) != `"added"` {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	running := func() int { return countPrefix(e.gates, "run-") }
	if !waitFor(20*time.Second, func() bool { return running() >= 2 }) {
		t.Fatalf("5 jobs, concurrency 2: %d converters started within 20s; want 2", running())
	}
	// Nothing more may start while both run. Give a wrong queue a moment to show it.
	waitFor(time.Second, func() bool { return running() > 2 })
	if n := running(); n > 2 {
		t.Fatalf("5 jobs, concurrency 2: %d converters run at once; want at most 2, the others waiting", n)
	}
	e.open("go")
	msg, ok := p.next(t)
	p.wait(t, cmd)
	if !ok {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	results := decode[[]settled](t, msg)
	for i, s := range results {
		content, _ := os.ReadFile(jobs[i][1])
		if !s.OK || string(content) != fmt.Sprintf("file %d\n", i) {
			t.Errorf("job f%d: done %v, output %q; want it to resolve once a converter is free, with its output", i, s, content)
		}
		if n := e.seen(fmt.Sprintf("f%d", i)); n > 2 {
			t.Errorf("job f%d's converter saw %d converters running as it started; want at most 2", i, n)
		}
	}
}

func TestProgressEvents(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jobs := [][]string{
		// "progr" ends the first write, "ess=50%" starts the second: one line in two chunks.
		e.job("video", `raw progress=10%\nprogr`, "gate split", `raw ess=50%\nnot progress=60% yet\nprogress=\n`, "progress 100", "data frames"),
		e.job("image", "progress 20", "say resizing", "progress 40", "data pixels"),
	}
	cmd, p := startNode(t, testContext(t), prelude+`
const q = new mod.ConverterQueue({ command, args, concurrency });
q.on('progress', (id, percent) => report({ id, percent }));
const added = jobs.map(([input, output]) => q.add(input, output));
report({ ids: added.map((a) => a.id) });
report({ results: await Promise.all(added.map((a) => settle(a.done))) });
`, e.vars(2, jobs...))
	msg, ok := p.next(t)
	if !ok {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	ids := decode[struct{ IDs []string }](t, msg).IDs
	if len(ids) != 2 {
		t.Fatalf("got ids %s; want 2", msg)
	}
	events := map[string][]int{}
	var results []settled
	opened := false
	for {
		msg, ok := p.nextWithin(t, 30*time.Second)
		if !ok {
			break
		}
		var ev struct {
			ID      string
			Percent int
			Results []settled
		}
		json.Unmarshal(msg, &ev)
		if ev.Results != nil {
			results = ev.Results
			continue
		}
		events[ev.ID] = append(events[ev.ID], ev.Percent)
		if ev.ID == ids[0] && ev.Percent == 10 && !opened {
			// The converter waits with "progr" written: the rest of the line comes
			// in a write of its own.
			e.open("split")
			opened = true
		}
	}
	if !opened {
		e.open("split")
	}
	p.wait(t, cmd)
	if p.run.Err != nil {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	if len(results) != 2 || !results[0].OK || !results[1].OK {
		t.Errorf("both jobs: %v; want both to resolve", results)
	}
	if want := []int{10, 50, 100}; !slices.Equal(events[ids[0]], want) {
		t.Errorf("progress events of the video job (%s) = %v; want %v: split stderr into lines (a line may arrive in two chunks), and take only lines that are exactly progress=NN%%", ids[0], events[ids[0]], want)
	}
	if want := []int{20, 40}; !slices.Equal(events[ids[1]], want) {
		t.Errorf("progress events of the image job (%s) = %v; want %v", ids[1], events[ids[1]], want)
	}
	if len(events) != 2 {
		t.Errorf("progress events came for %d ids (%v); want only %q", len(events), events, ids)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jobs := [][]string{
		e.job("a", "data half of a", "progress 50", "gate a", "data rest of a"),
		e.job("b", "gate b", "data all of b"),
		e.job("c", "data all of c"),
	}
	cmd, p := startNode(t, testContext(t), prelude+`
const q = new mod.ConverterQueue({ command, args, concurrency });
const added = jobs.map(([input, output]) => q.add(input, output));
const [a, b, c] = added;
let started = 0;
await new Promise((resolve) => q.on('start', () => { if (++started === 2) resolve(); }));
// Both converters are at their gates (and have written their pids) before we cancel.
while (!['a', 'b'].every((g) => require('fs').existsSync(require('path').join(gates, g + '.waiting')))) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
report('started');
const canceled = { c: q.cancel(c.id), a: q.cancel(a.id) };
const early = await Promise.all([settle(a.done), settle(c.done)]);
report({ canceled, a: early[0], c: early[1] });
await new Promise((resolve) => require('fs').writeFile(require('path').join(gates, 'b.open'), '', resolve));
const bDone = await settle(b.done);
report({ b: bDone, again: q.cancel(a.id), finished: q.cancel(b.id), unknown: q.cancel('no-such-job') });
process.exit(0); // a converter left running must not keep node waiting
`, e.vars(2, jobs...))
	if msg, ok := p.next(t); !ok || string(msg) != `"started"` {
		t.Fatalf("waiting for two 'start' events: the snippet reported %s, then ended (error: %v)", msg, p.run.Err)
	}
	msg, ok := p.next(t)
	if !ok {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	first := decode[struct {
		Canceled struct{ A, C bool }
		A, C     settled
	}](t, msg)
	if !first.Canceled.A || !first.Canceled.C {
		t.Errorf("cancel() of a running and a waiting job returned %+v; want true for both", first.Canceled)
	}
	for _, c := range []struct {
		what string
		s    settled
	}{{"a running job", first.A}, {"a waiting job", first.C}} {
		if c.s.OK || c.s.Pending || c.s.Code != "ERR_CANCELED" {
			t.Errorf("cancel() of %s: done %v; want a rejection with code 'ERR_CANCELED'", c.what, c.s)
		}
	}
	if pid := e.pid("a"); pid == 0 || processAlive(pid) {
		t.Errorf("when the cancelled job's done settled, its converter (pid %d) was still running; want it killed and reaped first", pid)
	}
	msg, ok = p.next(t)
	p.wait(t, cmd)
	if !ok {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	last := decode[struct {
		B                        settled
		Again, Finished, Unknown bool
	}](t, msg)
	if content, err := os.ReadFile(jobs[1][1]); !last.B.OK || err != nil || string(content) != "all of b\n" {
		t.Errorf("the job running beside the cancelled one: done %v, output %q; want it to finish undisturbed", last.B, content)
	}
	if last.Again || last.Finished || last.Unknown {
		t.Errorf("cancel() of a job already cancelled, a finished job and an unknown id = %v, %v, %v; want false for each", last.Again, last.Finished, last.Unknown)
	}
	if e.started("c") {
		t.Errorf("the job cancelled while it waited started anyway; want it never to start")
	}
	if outs := e.outputs(); !slices.Equal(outs, []string{"b.out"}) {
		t.Errorf("the output folder holds %q; want only [b.out]: a cancelled job leaves no output and no temporary file", outs)
	}
}

func TestSpawnError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jobs := [][]string{e.job("x", "data x"), e.job("y", "data y"), e.job("z", "data z")}
	vars := e.vars(1, jobs...)
	vars["command"] = filepath.Join(e.gates, "no-such-converter")
	r := runNode(t, testContext(t), prelude+`
const q = new mod.ConverterQueue({ command, args, concurrency });
report(await Promise.all(jobs.map(([input, output]) => settle(q.add(input, output).done))));
`, vars)
	if r.Err != nil {
		t.Fatalf("jobs with a converter that does not exist: the snippet threw %v; want each done to reject (listen for the child's 'error' event)", r.Err)
	}
	var got []settled
	r.Report(t, 0, &got)
	for i, s := range got {
		if s.OK || s.Pending || s.Code != "ENOENT" {
			t.Errorf("job %d with a converter that does not exist: done %v; want a rejection with code 'ENOENT', and the next job to go on", i, s)
		}
	}
	if outs := e.outputs(); len(outs) > 0 {
		t.Errorf("the output folder holds %q; want nothing", outs)
	}
}

// nextWithin is p.next with a deadline: false when nothing more came within d.
func (p *nodeProc) nextWithin(t *testing.T, d time.Duration) (json.RawMessage, bool) {
	t.Helper()
	type next struct {
		msg json.RawMessage
		ok  bool
	}
	ch := make(chan next, 1)
	go func() {
		msg, ok := p.next(t)
		ch <- next{msg, ok}
	}()
	select {
	case n := <-ch:
		return n.msg, n.ok
	case <-time.After(d):
		t.Fatalf("nothing came from the snippet within %v", d)
		return nil, false
	}
}
