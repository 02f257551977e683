package noderpc

// The tests call connect() in node with a real worker: workerJS, a Node.js script that each
// test writes to its temporary directory, started by the user's code with fork(). A worker
// that must be forked (it talks over the IPC channel) cannot be the Go test binary, as the
// helpers of other katas are.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// workerJS is the worker of the tests. It answers each request { id, method, params } with
// { id, result } or { id, error: { message, code } }:
//
//	echo     result: params
//	pid      result: its process id
//	fail     error: { message: params.message, code: params.code }
//	hold     no reply until release
//	release  replies to every held request, the newest first, with { held: params };
//	         then replies to release itself with how many it released
//	crash    exits at once with status params.code, replying to nothing
//
// With the argument --ignore-disconnect it keeps running when its IPC channel closes.
const workerJS = `'use strict';
const held = [];
if (process.argv.includes('--ignore-disconnect')) {
  process.on('disconnect', () => {});
  setInterval(() => {}, 1000);
}
setTimeout(() => process.exit(98), 60000).unref(); // nobody stopped it: end anyway
process.on('message', ({ id, method, params }) => {
  const reply = (msg) => process.send({ id, ...msg });
  switch (method) {
    case 'echo': return reply({ result: params });
    case 'pid': return reply({ result: process.pid });
    case 'fail': return reply({ error: { message: params.message, code: params.code } });
    case 'hold': held.push({ id, params }); return;
    case 'release': {
      const n = held.length;
      while (held.length > 0) {
        const h = held.pop();
        process.send({ id: h.id, result: { held: h.params } });
      }
      return reply({ result: n });
    }
    case 'crash': process.exit(params.code); return;
    default: reply({ error: { message: 'no method ' + method, code: 'ENOMETHOD' } });
  }
});
`

// preludeJS gives the snippets four helpers: within(p, ms) rejects with code 'TEST_PENDING'
// if p has not settled after ms; outcome(p) turns how p settles into a value to report;
// ready(c) waits until the worker of client c answers (a node starting on a busy machine
// may take seconds), so that the calls after it can have short deadlines; finish(c) closes
// client c, and throws if that fails.
const preludeJS = `
const within = (p, ms) => {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('still pending after ' + ms + ' ms'), { code: 'TEST_PENDING' })), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
};
const ready = async (c) => {
  const o = await outcome(c.call('pid', null, { timeout: 30000 }));
  if (o.error) throw new Error('the worker never answered call(\'pid\'): ' + JSON.stringify(o.error));
};
const finish = async (c) => {
  const o = await outcome(c.close());
  if (o.error) throw new Error('close() ' + (o.error.code === 'TEST_PENDING' ? 'was still pending after 20 s' : 'rejected: ' + o.error.message));
};
const outcome = (p) => within(Promise.resolve(p), 20000).then((value) => ({ value }), (e) => ({ error: {
  name: String(e && e.name), message: String(e && e.message), code: (e && e.code) ?? null,
  exitCode: e && e.exitCode, signal: e && e.signal } }));
`

// outcome is how one call settled.
type outcome struct {
	Value json.RawMessage `json:"value"`
	Error *callError      `json:"error"`
}

type callError struct {
	Name     string  `json:"name"`
	Message  string  `json:"message"`
	Code     any     `json:"code"`
	ExitCode *int    `json:"exitCode"`
	Signal   *string `json:"signal"`
}

func (o outcome) String() string {
	if o.Error == nil {
		return "resolved with " + string(o.Value)
	}
	e := o.Error
	s := fmt.Sprintf("rejected with %s: %s (code %v", e.Name, e.Message, e.Code)
	if e.ExitCode != nil {
		s += fmt.Sprintf(", exitCode %d", *e.ExitCode)
	}
	if e.Signal != nil {
		s += fmt.Sprintf(", signal %s", *e.Signal)
	}
	return s + ")"
}

func (o outcome) resolvedWith(v string) bool { return o.Error == nil && compactJSON(o.Value) == v }

func (o outcome) rejectedWith(code string) bool { return o.Error != nil && o.Error.Code == code }

func compactJSON(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// writeWorker writes workerJS to a temporary directory and returns its path.
func writeWorker(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "worker.js")
	if err := os.WriteFile(path, []byte(workerJS), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// runSnippet runs preludeJS and snippet in node with worker set to the worker's path, and
// decodes each report into into, in order. Once the snippet has ended, node is killed.
func runSnippet(t *testing.T, snippet string, vars nodeVars, into ...any) *nodeRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if vars == nil {
		vars = nodeVars{}
	}
	vars["worker"] = writeWorker(t)
	cmd, p := startNode(t, ctx, preludeJS+snippet, vars)
	for {
		if _, ok := p.next(t); !ok {
			break
		}
	}
	// The snippet has ended: node need not end by itself here (TestClose checks that).
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	p.wait(t, cmd)
	r := p.run
	if r.Err != nil {
		report := t.Errorf
		if len(r.Reports) < len(into) {
			report = t.Fatalf
		}
		report("the test's code threw %v; stderr: %s", r.Err, capText(r.Stderr, 2000))
	}
	for i, v := range into {
		r.Report(t, i, v)
	}
	return r
}

func TestCallRoundTrip(t *testing.T) {
	t.Parallel()
	var got struct {
		Echo      []outcome `json:"echo"`
		Pid       outcome   `json:"pid"`
		ClientPid int       `json:"clientPid"`
	}
	runSnippet(t, `
const c = mod.connect(worker);
await ready(c);
const echo = [];
for (const v of values) echo.push(await outcome(c.call('echo', v)));
report({ echo, pid: await outcome(c.call('pid')), clientPid: c.pid });
await finish(c);
`, nodeVars{"values": []any{"hello", 42, map[string]any{"a": []int{1, 2}, "b": nil}, []string{"x", "y"}}}, &got)
	want := []string{`"hello"`, `42`, `{"a":[1,2],"b":null}`, `["x","y"]`}
	for i, w := range want {
		if i >= len(got.Echo) {
			t.Fatalf("%d results of call('echo', ...); want %d", len(got.Echo), len(want))
		}
		if !got.Echo[i].resolvedWith(w) {
			t.Errorf("call('echo', %s) %v; want it resolved with %s, the worker's result", w, got.Echo[i], w)
		}
	}
	var pid int
	if got.Pid.Error != nil || json.Unmarshal(got.Pid.Value, &pid) != nil || pid != got.ClientPid || pid == 0 {
		t.Errorf("call('pid') %v, client.pid %d; want the worker's pid in both", got.Pid, got.ClientPid)
	}
}

func TestCallsMatchedByID(t *testing.T) {
	t.Parallel()
	var got struct {
		Held    []outcome `json:"held"`
		Release outcome   `json:"release"`
	}
	runSnippet(t, `
const c = mod.connect(worker);
await ready(c);
const held = [0, 1, 2, 3, 4].map((i) => outcome(c.call('hold', 'request ' + i)));
const release = await outcome(c.call('release'));
report({ held: await Promise.all(held), release });
await finish(c);
`, nil, &got)
	if !got.Release.resolvedWith(`5`) {
		t.Errorf("call('release') after five calls of hold %v; want it resolved with 5", got.Release)
	}
	var wrong []string
	for i, o := range got.Held {
		if want := fmt.Sprintf(`{"held":"request %d"}`, i); !o.resolvedWith(want) {
			wrong = append(wrong, fmt.Sprintf("call('hold', 'request %d') %v; want it resolved with %s", i, o, want))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("five calls in flight, answered newest first:\n%s\nmatch each reply to its call by the reply's id, not by order", strings.Join(wrong, "\n"))
	}
}

func TestCallRemoteError(t *testing.T) {
	t.Parallel()
	var got struct {
		Fail  outcome `json:"fail"`
		After outcome `json:"after"`
	}
	runSnippet(t, `
const c = mod.connect(worker);
await ready(c);
const fail = await outcome(c.call('fail', { message: 'bad input: line 3', code: 'EBADINPUT' }));
report({ fail, after: await outcome(c.call('echo', 'still here')) });
await finish(c);
`, nil, &got)
	if !got.Fail.rejectedWith("EBADINPUT") || got.Fail.Error.Message != "bad input: line 3" {
		t.Errorf("call('fail', { message: 'bad input: line 3', code: 'EBADINPUT' }) %v; want a rejection with the worker's message and code", got.Fail)
	}
	if !got.After.resolvedWith(`"still here"`) {
		t.Errorf("call('echo', 'still here') after an error reply %v; want it resolved with \"still here\"", got.After)
	}
}

func TestCallTimeout(t *testing.T) {
	t.Parallel()
	type result struct {
		Late    outcome `json:"late"`
		Ms      float64 `json:"ms"`
		Release outcome `json:"release"`
		After   outcome `json:"after"`
	}
	// The held call times out; then release makes the worker send its late reply, which
	// must be dropped, before the reply to release itself.
	const snippet = `
await ready(c);
const t0 = performance.now();
const late = await outcome(CALL);
const ms = performance.now() - t0;
const release = await outcome(c.call('release', null, { timeout: 20000 }));
report({ late, ms, release, after: await outcome(c.call('echo', 'after', { timeout: 20000 })) });
await finish(c);
`
	tests := []struct {
		name, setup, call string
	}{
		{"per call", `const c = mod.connect(worker);`, `c.call('hold', 'late', { timeout: 300 })`},
		{"default of connect", `const c = mod.connect(worker, { timeout: 300 });`, `c.call('hold', 'late')`},
	}
	together(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		var got result
		runSnippet(t, tc.setup+strings.Replace(snippet, "CALL", tc.call, 1), nil, &got)
		call := strings.TrimPrefix(tc.call, "c.")
		if !got.Late.rejectedWith("ETIMEDOUT") || got.Ms < 100 {
			t.Errorf("%s with no reply %v after %.0f ms; want a rejection with code 'ETIMEDOUT' after about 300 ms", call, got.Late, got.Ms)
		}
		if !got.Release.resolvedWith(`1`) {
			t.Errorf("call('release') after %s timed out %v; want it resolved with 1: the late reply to the call that timed out comes first, and must be ignored", call, got.Release)
		}
		if !got.After.resolvedWith(`"after"`) {
			t.Errorf("call('echo', 'after') after a timeout %v; want it resolved with \"after\": a timeout does not end the worker", got.After)
		}
	})
}

func TestWorkerExits(t *testing.T) {
	t.Parallel()
	type result struct {
		Held  []outcome `json:"held"`
		Crash outcome   `json:"crash"`
		After outcome   `json:"after"`
		Ms    float64   `json:"ms"`
	}
	const snippet = `
const c = mod.connect(worker);
await ready(c);
const held = [1, 2, 3].map((i) => outcome(c.call('hold', i)));
const crash = outcome(CRASH);
const results = { held: await Promise.all(held), crash: await crash };
const t0 = performance.now();
results.after = await outcome(c.call('echo', 'too late'));
results.ms = performance.now() - t0;
report(results);
await finish(c);
`
	tests := []struct {
		name, crash    string
		code           *int
		signal         *string
		crashRejection bool // the crash call is pending when the worker dies
	}{
		{"exits with status 3", `c.call('crash', { code: 3 })`, ptr(3), nil, true},
		{"killed by SIGKILL", `Promise.resolve().then(() => process.kill(c.pid, 'SIGKILL'))`, nil, ptr("SIGKILL"), false},
	}
	together(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		var got result
		runSnippet(t, strings.Replace(snippet, "CRASH", tc.crash, 1), nil, &got)
		checks := got.Held
		calls := []string{"call('hold', 1)", "call('hold', 2)", "call('hold', 3)"}
		if tc.crashRejection {
			checks = append(checks, got.Crash)
			calls = append(calls, "call('crash', { code: 3 })")
		}
		for j, o := range checks {
			if !o.rejectedWith("ERR_WORKER_EXITED") || !sameInt(o.Error.ExitCode, tc.code) || !sameString(o.Error.Signal, tc.signal) {
				t.Errorf("worker %s: %s %v; want a rejection with code 'ERR_WORKER_EXITED', exitCode %s, signal %s: reject every call in flight when the worker exits",
					tc.name, calls[j], o, show(tc.code), show(tc.signal))
			}
		}
		if !got.After.rejectedWith("ERR_WORKER_EXITED") || got.Ms > 5000 {
			t.Errorf("worker %s: call('echo', 'too late') %v after %.0f ms; want a rejection with code 'ERR_WORKER_EXITED' at once", tc.name, got.After, got.Ms)
		}
	})
}

func TestClose(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
	}{
		{"worker exits when the channel closes", nil},
		{"worker ignores the closed channel", []string{"--ignore-disconnect"}},
	}
	together(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		// Calls with long timeouts that were answered: their timers must not keep node
		// running after close().
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		cmd, p := startNode(t, ctx, preludeJS+`
const c = mod.connect(worker, { args, closeGrace: 300 });
await ready(c);
const echo = await outcome(c.call('echo', 'one', { timeout: 60000 }));
const held = outcome(c.call('hold', 'pending', { timeout: 60000 }));
await outcome(c.call('echo', 'two', { timeout: 60000 }));
const closed = await outcome(within(c.close(), 15000));
report({ pid: c.pid, echo, closed, held: await held, after: await outcome(c.call('echo', 'closed')) });
`, nodeVars{"worker": writeWorker(t), "args": append([]string{}, tc.args...)})
		raw, ok := p.next(t)
		var got struct {
			Pid                       int
			Echo, Closed, Held, After outcome
		}
		if ok {
			json.Unmarshal(raw, &got)
		}
		// At once: close() resolved, so the worker has exited and been reaped.
		alive := got.Pid > 0 && processAlive(got.Pid)
		p.wait(t, cmd)
		if !ok {
			t.Fatalf("the test's code threw %v; stderr: %s", p.run.Err, capText(p.run.Stderr, 2000))
		}
		call := fmt.Sprintf("close() (worker args %q, closeGrace 300)", tc.args)
		if got.Closed.Error != nil {
			t.Fatalf("%s %v; want it resolved once the worker has exited: disconnect, then SIGKILL it after closeGrace", call, got.Closed)
		}
		if alive {
			t.Errorf("%s resolved, but the worker (pid %d) still runs: resolve only once it has exited ('exit' or 'close' event), killing it after closeGrace if need be", call, got.Pid)
		}
		if !got.Held.rejectedWith("ERR_WORKER_EXITED") {
			t.Errorf("a call in flight during %s %v; want a rejection with code 'ERR_WORKER_EXITED'", call, got.Held)
		}
		if !got.After.rejectedWith("ERR_WORKER_EXITED") {
			t.Errorf("a call after %s %v; want a rejection with code 'ERR_WORKER_EXITED'", call, got.After)
		}
		if p.run.TimedOut {
			t.Errorf("after %s resolved and the test's code ended, node still ran 30 s after it started; want nothing of the client to keep it running: clear each call's timer when its reply comes, and close the channel", call)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func sameInt(a, b *int) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func sameString(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func show[T any](p *T) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprintf("%v", *p)
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
