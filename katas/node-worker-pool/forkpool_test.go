package forkpool

// The workers are real node processes: the module forks workerJS, which the tests write to a
// temporary folder. A worker writes a pid file when it starts, so that the tests can check
// that every worker ever started, crashed ones included, is gone after close(). It runs the
// tasks it is sent concurrently, so it is up to the pool to give it one task at a time.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// workerJS is the test worker: node worker.js DIR MODE. It writes DIR/pid-<pid>, sends
// { log: 'ready' }, and answers { id, task } messages:
//
//	{ op: 'echo', value, ms }  wait ms, send { log }, answer { id, result: { value, pid } }
//	{ op: 'fail', message }    answer { id, error: message }
//	{ op: 'crash', log }       append its pid to the file log and exit 3, without answering
//	{ op: 'hold', dir, tag }   create dir/run-<tag>, count the run-* files there (seen), wait
//	                           until dir/open exists, remove its run file and answer
//	                           { id, result: { tag, seen, pid } }
//
// When its IPC channel is disconnected it lingers 500 ms, then exits 0; in MODE 'stubborn'
// it ignores the disconnection and SIGTERM. Whatever happens it exits after 60 s.
const workerJS = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
// A worker left behind must not hold the test's output pipes open.
for (const fd of [1, 2]) { fs.closeSync(fd); fs.openSync('/dev/null', 'w'); }
const [dir, mode] = process.argv.slice(2);
const pidFile = path.join(dir, 'pid-' + process.pid);
fs.writeFileSync(pidFile + '.tmp', String(process.pid));
fs.renameSync(pidFile + '.tmp', pidFile);
const stubborn = mode === 'stubborn';
const safety = setTimeout(() => process.exit(98), 60000);
if (!stubborn) safety.unref();
if (stubborn) process.on('SIGTERM', () => {});
process.on('disconnect', () => {
  if (!stubborn) setTimeout(() => process.exit(0), 500);
});
const answer = (m) => { if (process.connected) process.send(m); };
const runs = (d) => fs.readdirSync(d).filter((n) => n.startsWith('run-')).length;
process.on('message', (m) => {
  if (m === null || typeof m !== 'object' || m.task === null || typeof m.task !== 'object') return;
  const { id, task } = m;
  switch (task.op) {
    case 'echo':
      setTimeout(() => {
        answer({ log: 'working on ' + JSON.stringify(task.value) });
        answer({ id, result: { value: task.value, pid: process.pid } });
      }, task.ms || 0);
      break;
    case 'fail':
      answer({ id, error: task.message });
      break;
    case 'crash':
      fs.appendFileSync(task.log, process.pid + '\n');
      process.exit(3);
      break;
    case 'hold': {
      const mine = path.join(task.dir, 'run-' + task.tag);
      fs.writeFileSync(mine, '');
      const seen = runs(task.dir);
      const poll = () => {
        if (!fs.existsSync(path.join(task.dir, 'open'))) return setTimeout(poll, 10);
        fs.unlinkSync(mine);
        answer({ id, result: { tag: task.tag, seen, pid: process.pid } });
      };
      poll();
      break;
    }
    default:
      answer({ id, error: 'unknown op ' + task.op });
  }
});
answer({ log: 'ready' });
`

// prelude is put before every snippet: settle(p, ms) resolves with { ok: true, value },
// { ok: false, code, message } or, after ms, { pending: true }; alive(pid) says whether a
// process exists (a zombie does); pidsIn(dir) reads the workers' pid files.
const prelude = `const fs = require('node:fs');
const path = require('node:path');
const settle = (p, ms = 20000) => new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ pending: true }), ms);
  Promise.resolve(p).then(
    (value) => { clearTimeout(timer); resolve({ ok: true, value }); },
    (err) => { clearTimeout(timer); resolve({ ok: false, code: err && err.code, message: String(err && err.message) }); });
});
const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const pidsIn = (d) => fs.readdirSync(d).filter((n) => /^pid-\d+$/.test(n)).map((n) => Number(n.slice(4)));
`

// env is one test's worker program and folders.
type env struct {
	t      *testing.T
	worker string // worker.js
	pids   string // where workers write their pid files
	gates  string // where hold tasks meet
	log    string // where crash tasks write
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, worker: filepath.Join(dir, "worker.js"), pids: t.TempDir(), gates: t.TempDir(), log: filepath.Join(dir, "crash.log")}
	if err := os.WriteFile(e.worker, []byte(workerJS), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the harness kills node's process group; a worker may have left it
		for _, pid := range e.workerPids() {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return e
}

func (e *env) vars(extra nodeVars) nodeVars {
	v := nodeVars{"worker": e.worker, "dir": e.pids, "gates": e.gates, "log": e.log}
	for k, x := range extra {
		v[k] = x
	}
	return v
}

// workerPids returns the pids of every worker started so far.
func (e *env) workerPids() []int {
	entries, _ := os.ReadDir(e.pids)
	var pids []int
	for _, ent := range entries {
		if n, ok := strings.CutPrefix(ent.Name(), "pid-"); ok {
			if pid, err := strconv.Atoi(n); err == nil {
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// running returns how many hold tasks are waiting at the gate.
func (e *env) running() int {
	entries, _ := os.ReadDir(e.gates)
	n := 0
	for _, ent := range entries {
		if strings.HasPrefix(ent.Name(), "run-") {
			n++
		}
	}
	return n
}

func (e *env) open() {
	if err := os.WriteFile(filepath.Join(e.gates, "open"), nil, 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// testContext is the deadline of one node process: generous, for a loaded machine.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
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
	OK      bool            `json:"ok"`
	Pending bool            `json:"pending"`
	Value   json.RawMessage `json:"value"`
	Code    any             `json:"code"`
	Message string          `json:"message"`
}

func (s settled) String() string {
	switch {
	case s.Pending:
		return "still pending after 20s"
	case s.OK:
		return "resolved with " + string(s.Value)
	default:
		return fmt.Sprintf("rejected with code %v: %s", s.Code, s.Message)
	}
}

// held is the result of a hold task.
type held struct {
	Tag  string `json:"tag"`
	Seen int    `json:"seen"`
	Pid  int    `json:"pid"`
}

// expectReady reads the snippet's first report, "ready", failing the test if it threw.
func expectReady(t *testing.T, p *nodeProc) {
	t.Helper()
	msg, ok := p.next(t)
	if !ok {
		t.Fatalf("the snippet ended before the pool was ready: %v", p.run.Err)
	}
	if string(msg) != `"ready"` {
		t.Fatalf("the snippet reported %s; want \"ready\"", msg)
	}
}

func TestAnswersByID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := testContext(t)
	r := runNode(t, ctx, prelude+`
const pool = mod.createPool(worker, { size: 3, args: [dir] });
const tasks = [];
for (let i = 0; i < 30; i++) tasks.push(pool.submit({ op: 'echo', value: i, ms: (i * 37) % 120 }));
report(await Promise.all(tasks.map((t) => settle(t))));
await pool.close();
`, e.vars(nil))
	if r.Err != nil {
		t.Fatalf("30 echo tasks on 3 workers: the snippet threw %v", r.Err)
	}
	var got []settled
	r.Report(t, 0, &got)
	if len(got) != 30 {
		t.Fatalf("got %d results; want 30", len(got))
	}
	var wrong []string
	for i, s := range got {
		var v struct {
			Value *int `json:"value"`
		}
		if !s.OK || json.Unmarshal(s.Value, &v) != nil || v.Value == nil || *v.Value != i {
			wrong = append(wrong, fmt.Sprintf("task %d %v", i, s))
		}
	}
	if len(wrong) > 0 {
		t.Errorf("submit({ op: 'echo', value: i }) for i = 0..29 on 3 workers: %d of 30 wrong (%s); want each to resolve with { value: i }: match answers to tasks by id, and ignore messages without one ({ log })",
			len(wrong), strings.Join(wrong[:min(len(wrong), 5)], "; "))
	}
}

func TestTaskError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const pool = mod.createPool(worker, { size: 1, args: [dir] });
const before = await settle(pool.submit({ op: 'echo', value: 'before' }));
const failed = await settle(pool.submit({ op: 'fail', message: 'no such file: cat.png' }));
const after = await settle(pool.submit({ op: 'echo', value: 'after' }));
report({ before, failed, after });
await pool.close();
`, e.vars(nil))
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct{ Before, Failed, After settled }
	r.Report(t, 0, &got)
	if got.Failed.OK || got.Failed.Pending || got.Failed.Code != "ERR_TASK_FAILED" || !strings.Contains(got.Failed.Message, "no such file: cat.png") {
		t.Errorf("submit({ op: 'fail', message: 'no such file: cat.png' }) %v; want a rejection with code 'ERR_TASK_FAILED' and the worker's message", got.Failed)
	}
	var b, a struct{ Pid int }
	if !got.Before.OK || !got.After.OK || json.Unmarshal(got.Before.Value, &b) != nil || json.Unmarshal(got.After.Value, &a) != nil {
		t.Fatalf("echo tasks around the failure: before %v, after %v; want both to resolve", got.Before, got.After)
	}
	if a.Pid != b.Pid {
		t.Errorf("the task after a failure ran on worker %d, the one before on %d; want the same worker: a failure the worker reports is an answer, not a crash", a.Pid, b.Pid)
	}
}

func TestAtMostSizeAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cmd, p := startNode(t, testContext(t), prelude+`
const pool = mod.createPool(worker, { size: 2, args: [dir] });
report('ready');
const tasks = [];
for (let i = 0; i < 6; i++) tasks.push(pool.submit({ op: 'hold', dir: gates, tag: 't' + i }));
report(await Promise.all(tasks.map((t) => settle(t))));
await pool.close();
`, e.vars(nil))
	expectReady(t, p)
	if !waitFor(20*time.Second, func() bool { return e.running() >= 2 }) {
		t.Fatalf("6 tasks submitted to a pool of 2: %d started within 20s; want 2", e.running())
	}
	// Nothing more may start while both workers are busy. Give a wrong pool a moment to
	// show it.
	waitFor(time.Second, func() bool { return e.running() > 2 })
	if n := e.running(); n > 2 {
		t.Fatalf("6 tasks submitted to a pool of 2: %d run at once; want at most 2, the others waiting in a queue", n)
	}
	e.open()
	msg, ok := p.next(t)
	p.wait(t, cmd)
	if !ok {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	var got []settled
	json.Unmarshal(msg, &got)
	if len(got) != 6 {
		t.Fatalf("got %d results; want 6", len(got))
	}
	for i, s := range got {
		var h held
		if !s.OK || json.Unmarshal(s.Value, &h) != nil || h.Tag != fmt.Sprintf("t%d", i) {
			t.Errorf("hold task t%d %v; want it to resolve with its own tag once a worker is free", i, s)
		} else if h.Seen > 2 {
			t.Errorf("hold task t%d saw %d tasks running as it started; want at most 2 (the pool's size)", i, h.Seen)
		}
	}
}

func TestCrashRejectsAndReplaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cmd, p := startNode(t, testContext(t), prelude+`
const pool = mod.createPool(worker, { size: 2, args: [dir] });
const slow = pool.submit({ op: 'echo', value: 'slow', ms: 500 });
const crash = await settle(pool.submit({ op: 'crash', log }));
report({ crash, slow: await settle(slow) });
const holds = [pool.submit({ op: 'hold', dir: gates, tag: 'a' }), pool.submit({ op: 'hold', dir: gates, tag: 'b' })];
report(await Promise.all(holds.map((h) => settle(h))));
await pool.close();
`, e.vars(nil))
	msg, ok := p.next(t)
	if !ok {
		t.Fatalf("the snippet threw %v", p.run.Err)
	}
	var first struct{ Crash, Slow settled }
	json.Unmarshal(msg, &first)
	if first.Crash.OK || first.Crash.Pending || first.Crash.Code != "ERR_WORKER_CRASHED" {
		t.Errorf("a task whose worker exits before answering %v; want a rejection with code 'ERR_WORKER_CRASHED'", first.Crash)
	}
	if !first.Slow.OK {
		t.Errorf("a task running on another worker during the crash %v; want it to resolve: a crash is its worker's business alone", first.Slow)
	}
	logged, _ := os.ReadFile(e.log)
	lines := strings.Fields(string(logged))
	if len(lines) != 1 {
		t.Errorf("the crashing task ran %d times (pids %v); want exactly once: a crashed task is rejected, not retried", len(lines), lines)
	}
	for _, l := range lines {
		if pid, _ := strconv.Atoi(l); pid > 0 && !waitGone(pid, 10*time.Second) {
			t.Errorf("the crashed worker (pid %d) still exists 10s later; want it reaped", pid)
		}
	}
	// Both workers must be there again: two tasks run at once.
	if !waitFor(20*time.Second, func() bool { return e.running() >= 2 }) {
		t.Fatalf("after a crash, 2 tasks submitted to a pool of 2: %d started within 20s; want both: start a new worker in place of the one that crashed", e.running())
	}
	e.open()
	msg, ok = p.next(t)
	p.wait(t, cmd)
	var holds []settled
	json.Unmarshal(msg, &holds)
	if !ok || len(holds) != 2 || !holds[0].OK || !holds[1].OK {
		t.Errorf("two tasks after the crash: %s (error %v); want both to resolve", msg, p.run.Err)
	}
	if n := len(e.workerPids()); n != 3 {
		t.Errorf("%d workers were started; want 3: 2, then 1 in place of the crashed one", n)
	}
}

func TestIdleWorkerReplaced(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cmd, p := startNode(t, testContext(t), prelude+`
const pool = mod.createPool(worker, { size: 2, args: [dir] });
report('ready');
while (!fs.existsSync(path.join(gates, 'go'))) await new Promise((r) => setTimeout(r, 10));
const holds = [pool.submit({ op: 'hold', dir: gates, tag: 'a' }), pool.submit({ op: 'hold', dir: gates, tag: 'b' })];
report(await Promise.all(holds.map((h) => settle(h))));
await pool.close();
`, e.vars(nil))
	expectReady(t, p)
	if !waitFor(20*time.Second, func() bool { return len(e.workerPids()) >= 2 }) {
		t.Fatalf("createPool(worker, { size: 2 }): %d workers started within 20s; want 2", len(e.workerPids()))
	}
	victim := e.workerPids()[0]
	syscall.Kill(victim, syscall.SIGKILL)
	if !waitFor(20*time.Second, func() bool { return len(e.workerPids()) >= 3 }) {
		t.Fatalf("an idle worker (pid %d) was killed: no new worker started within 20s; want one in its place", victim)
	}
	os.WriteFile(filepath.Join(e.gates, "go"), nil, 0o644)
	if !waitFor(20*time.Second, func() bool { return e.running() >= 2 }) {
		t.Fatalf("after an idle worker was killed, 2 tasks submitted to a pool of 2: %d started within 20s; want both", e.running())
	}
	e.open()
	msg, ok := p.next(t)
	p.wait(t, cmd)
	var holds []settled
	json.Unmarshal(msg, &holds)
	if !ok || len(holds) != 2 || !holds[0].OK || !holds[1].OK {
		t.Fatalf("two tasks after the kill: %s (error %v); want both to resolve", msg, p.run.Err)
	}
	for _, s := range holds {
		var h held
		json.Unmarshal(s.Value, &h)
		if h.Pid == victim {
			t.Errorf("task %s ran on the killed worker %d", h.Tag, victim)
		}
	}
}

func TestCloseDrainsAndReaps(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const pool = mod.createPool(worker, { size: 2, args: [dir] });
const crash = pool.submit({ op: 'crash', log });
const tasks = [0, 1, 2, 3].map((i) => pool.submit({ op: 'echo', value: i, ms: 300 }));
const closing = pool.close();
const late = await settle(pool.submit({ op: 'echo', value: 'late' }));
const results = await Promise.all([crash, ...tasks].map((t) => settle(t)));
const closed = await settle(closing);
const pids = pidsIn(dir);
const left = pids.filter(alive);
const again = await settle(pool.close());
report({ late, results, closed, pids, left, again });
`, e.vars(nil))
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Late, Closed, Again settled
		Results             []settled
		Pids, Left          []int
	}
	r.Report(t, 0, &got)
	if got.Late.OK || got.Late.Pending || got.Late.Code != "ERR_POOL_CLOSED" {
		t.Errorf("submit after close() %v; want a rejection with code 'ERR_POOL_CLOSED'", got.Late)
	}
	if len(got.Results) != 5 || got.Results[0].Code != "ERR_WORKER_CRASHED" {
		t.Errorf("a crashing task submitted before close(): %v; want a rejection with code 'ERR_WORKER_CRASHED'", got.Results)
	}
	for i, s := range got.Results[min(1, len(got.Results)):] {
		if !s.OK {
			t.Errorf("echo task %d, submitted before close(), %v; want it to run and resolve: close() drains the queue first", i, s)
		}
	}
	if !got.Closed.OK {
		t.Fatalf("close() %v; want it to resolve once every worker has exited", got.Closed)
	}
	if len(got.Left) > 0 {
		t.Errorf("when close() resolved, workers %v (of %v) still existed; want every worker exited and reaped (wait for each one's 'exit' event)", got.Left, got.Pids)
	}
	if len(got.Pids) != 3 {
		t.Errorf("%d workers were started (%v); want 3: 2, then 1 in place of the crashed one", len(got.Pids), got.Pids)
	}
	if !got.Again.OK {
		t.Errorf("a second close() %v; want it to resolve too", got.Again)
	}
	for _, pid := range got.Pids {
		if !waitGone(pid, 10*time.Second) {
			t.Errorf("worker %d still runs after close()", pid)
		}
	}
}

func TestCloseKillsStubbornWorker(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const pool = mod.createPool(worker, { size: 1, args: [dir, 'stubborn'], closeTimeout: 1000 });
const task = await settle(pool.submit({ op: 'echo', value: 1 }));
const closed = await settle(pool.close());
const left = pidsIn(dir).filter(alive);
report({ task, closed, left });
for (const pid of left) process.kill(pid, 'SIGKILL'); // or node waits for them
`, e.vars(nil))
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Task, Closed settled
		Left         []int
	}
	r.Report(t, 0, &got)
	if !got.Task.OK {
		t.Errorf("an echo task on a stubborn worker %v; want it to resolve", got.Task)
	}
	if !got.Closed.OK || len(got.Left) > 0 {
		t.Errorf("close() with a worker that ignores the disconnection and SIGTERM, closeTimeout 1000: %v, workers left %v; want it to resolve soon after 1s, the worker killed with SIGKILL and reaped", got.Closed, got.Left)
	}
}

func TestCreatePoolSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, size := range []any{0, -1, 1.5, "2"} {
		r := runNode(t, testContext(t), `const pool = mod.createPool(worker, { size, args: [dir] });
report(typeof pool);
await pool.close();`, e.vars(nodeVars{"size": size}))
		if r.Err == nil || r.Err.Code != "ERR_INVALID_ARG_VALUE" {
			t.Errorf("createPool(worker, { size: %#v }) = %s, error %v; want a throw with code 'ERR_INVALID_ARG_VALUE'", size, r.Reports, r.Err)
		}
	}
	if pids := e.workerPids(); len(pids) > 0 {
		t.Errorf("invalid sizes started workers %v; want none", pids)
	}
}
