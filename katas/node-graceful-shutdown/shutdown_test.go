package shutdown

// The jobs are real processes: the test binary itself, run as the "job" helper below. Each
// job records the signals it gets in files, so the tests know what was forwarded, and
// whether the job could finish its work before it exited.

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
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["job"] = jobMain
}

// jobMain, the "job" helper, is a job: job DIR MODE. Once it handles SIGTERM and SIGINT, it
// writes DIR/pid-<pid> (renamed into place). Each signal it gets is appended, by name, to
// DIR/<pid>.sig. The modes:
//
//	graceful  on the first signal, finish the work in hand (300 ms), write DIR/<pid>.done and
//	          exit 0
//	stubborn  record the signals and go on running
//	tree      start a stubborn job (writing its pid to DIR/<pid>.kid) in the same process
//	          group, wait until it is ready, then behave as graceful
//
// A job never writes to its stdout or stderr (they are /dev/null, so that a job left behind
// holds no pipe of the test), and exits by itself after 60 seconds.
func jobMain(args []string) int {
	dropOutput()
	time.AfterFunc(60*time.Second, func() { os.Exit(98) })
	dir, mode := args[0], args[1]
	pid := os.Getpid()
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	if mode == "tree" {
		exe, err := os.Executable()
		if err != nil {
			return 3
		}
		kid := exec.Command(exe, helperArgs("job", dir, "stubborn")...)
		if err := kid.Start(); err != nil {
			return 3
		}
		go kid.Wait()
		writeFile(filepath.Join(dir, fmt.Sprintf("%d.kid", pid)), strconv.Itoa(kid.Process.Pid))
		for !exists(filepath.Join(dir, fmt.Sprintf("pid-%d", kid.Process.Pid))) {
			time.Sleep(5 * time.Millisecond)
		}
	}
	writeFile(filepath.Join(dir, fmt.Sprintf("pid-%d", pid)), "")
	record := func(s os.Signal) {
		name := map[os.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[s]
		f, err := os.OpenFile(filepath.Join(dir, fmt.Sprintf("%d.sig", pid)), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err == nil {
			f.WriteString(name + "\n")
			f.Close()
		}
	}
	if mode == "stubborn" {
		for s := range sigs {
			record(s)
		}
	}
	record(<-sigs)
	go func() { // later signals are recorded too
		for s := range sigs {
			record(s)
		}
	}()
	time.Sleep(300 * time.Millisecond) // the work in hand
	writeFile(filepath.Join(dir, fmt.Sprintf("%d.done", pid)), "")
	return 0
}

// dropOutput points the helper's stdout and stderr at /dev/null.
func dropOutput() {
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		return
	}
	for _, fd := range []int{1, 2} {
		syscall.Close(fd)
		syscall.Dup(int(null.Fd())) // the lowest free descriptor: fd
	}
	null.Close()
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

// prelude is put before every snippet. job(mode) returns the arguments for helper that
// start a job of that mode; ready(pids) waits until those jobs handle signals; settle(p, ms)
// resolves with { ok: true, value }, { ok: false, code, message } or, after ms,
// { pending: true }; since(t0) is the milliseconds since t0.
const prelude = `const fs = require('node:fs');
const path = require('node:path');
const job = (mode) => [...jobArgs, dir, mode];
const ready = async (pids) => {
  for (const t0 = Date.now(); !pids.every((p) => fs.existsSync(path.join(dir, 'pid-' + p))); ) {
    if (Date.now() - t0 > 20000) throw new Error('jobs ' + pids + ' not ready within 20s');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const settle = (p, ms = 20000) => new Promise((resolve) => {
  const timer = setTimeout(() => resolve({ pending: true, ms }), ms);
  Promise.resolve(p).then(
    (value) => { clearTimeout(timer); resolve({ ok: true, value }); },
    (err) => { clearTimeout(timer); resolve({ ok: false, code: err && err.code, message: String(err && err.message) }); });
});
const since = (t0) => Date.now() - t0;
`

// env is one test's folder of job files.
type env struct {
	t   *testing.T
	dir string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir()}
	t.Cleanup(func() { // jobs run in process groups of their own, out of the harness's reach
		for _, pid := range e.pids() {
			syscall.Kill(-pid, syscall.SIGKILL)
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return e
}

func (e *env) vars() nodeVars {
	return nodeVars{"helper": helperPath(e.t), "jobArgs": helperArgs("job"), "dir": e.dir}
}

// pids returns the pids of every job started so far.
func (e *env) pids() []int {
	entries, _ := os.ReadDir(e.dir)
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

// signals returns the names of the signals job pid recorded, in order.
func (e *env) signals(pid int) []string {
	b, _ := os.ReadFile(filepath.Join(e.dir, fmt.Sprintf("%d.sig", pid)))
	return strings.Fields(string(b))
}

func (e *env) done(pid int) bool { return exists(filepath.Join(e.dir, fmt.Sprintf("%d.done", pid))) }

// kid returns the pid of the job that tree job pid started.
func (e *env) kid(pid int) int {
	b, _ := os.ReadFile(filepath.Join(e.dir, fmt.Sprintf("%d.kid", pid)))
	n, _ := strconv.Atoi(string(b))
	return n
}

// assertAllGone checks that every job ever started is gone (zombies count as gone).
func (e *env) assertAllGone(when string) {
	e.t.Helper()
	for _, pid := range e.pids() {
		if !waitGone(pid, 10*time.Second) {
			e.t.Errorf("job %d still runs 10s %s; want no process left behind", pid, when)
		}
	}
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

// nextWithin is p.next with a deadline: late is true when nothing came within d.
func nextWithin(t *testing.T, p *nodeProc, d time.Duration) (msg json.RawMessage, ok, late bool) {
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
		return n.msg, n.ok, false
	case <-time.After(d):
		return nil, false, true
	}
}

// settled is what settle() reports.
type settled struct {
	OK      bool            `json:"ok"`
	Pending bool            `json:"pending"`
	Ms      int             `json:"ms"`
	Value   json.RawMessage `json:"value"`
	Code    any             `json:"code"`
	Message string          `json:"message"`
}

func (s settled) String() string {
	switch {
	case s.Pending:
		return fmt.Sprintf("still pending after %.0fs", float64(s.Ms)/1000)
	case s.OK:
		return "resolved with " + string(s.Value)
	default:
		return fmt.Sprintf("rejected with code %v: %s", s.Code, s.Message)
	}
}

// exit is what a job's exited promise resolves with.
type exit struct {
	Code   *int    `json:"code"`
	Signal *string `json:"signal"`
}

func (x exit) String() string {
	if x.Signal != nil {
		return "killed by " + *x.Signal
	}
	if x.Code != nil {
		return fmt.Sprintf("exit code %d", *x.Code)
	}
	return "no exit"
}

func (x exit) clean() bool { return x.Code != nil && *x.Code == 0 && x.Signal == nil }

// outcome is what shutdown resolves with.
type outcome struct {
	Killed []int  `json:"killed"`
	Signal string `json:"signal"`
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return v
}

func TestShutdownWaitsForJobs(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const m = new mod.JobManager({ grace: 20000 });
const jobs = [];
for (let i = 0; i < 3; i++) jobs.push(await m.start(helper, job('graceful')));
await ready(jobs.map((j) => j.pid));
const t0 = Date.now();
const result = await settle(m.shutdown(), 15000);
const ms = since(t0);
report({ result, ms, pids: jobs.map((j) => j.pid), exits: await Promise.all(jobs.map((j) => settle(j.exited))) });
process.exit(0); // a job left running must not keep node waiting
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Result settled
		Ms     int
		Pids   []int
		Exits  []settled
	}
	r.Report(t, 0, &got)
	if !got.Result.OK {
		t.Fatalf("shutdown() with 3 jobs that finish 300 ms after SIGTERM, grace 20s: %v; want it to resolve as soon as they have exited", got.Result)
	}
	if res := decode[outcome](t, got.Result.Value); len(res.Killed) > 0 {
		t.Errorf("shutdown() resolved with killed %v; want [] (every job exited within the grace period)", res.Killed)
	}
	for i, pid := range got.Pids {
		if sigs := e.signals(pid); len(sigs) == 0 || sigs[0] != "SIGTERM" {
			t.Errorf("job %d got signals %v; want SIGTERM first", pid, sigs)
		}
		if !e.done(pid) {
			t.Errorf("job %d did not finish its work; want it to have the time to (300 ms)", pid)
		}
		if i < len(got.Exits) && (!got.Exits[i].OK || !decode[exit](t, got.Exits[i].Value).clean()) {
			t.Errorf("job %d: exited %v; want it to resolve with code 0 and signal null", pid, got.Exits[i])
		}
	}
	e.assertAllGone("after shutdown() resolved")
}

func TestShutdownEscalates(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const m = new mod.JobManager({ grace: 1500 });
const polite = await m.start(helper, job('graceful'));
const stubborn = await m.start(helper, job('stubborn'));
await ready([polite.pid, stubborn.pid]);
const t0 = Date.now();
const result = await settle(m.shutdown());
const ms = since(t0);
report({ result, ms, polite: polite.pid, stubborn: stubborn.pid, exits: [await settle(polite.exited, 5000), await settle(stubborn.exited, 5000)] });
process.exit(0); // a job left running must not keep node waiting
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Result           settled
		Ms               int
		Polite, Stubborn int
		Exits            []settled
	}
	r.Report(t, 0, &got)
	if !got.Result.OK {
		t.Fatalf("shutdown() with a job that ignores SIGTERM, grace 1500 ms: %v; want it to kill that job with SIGKILL after the grace period, then resolve", got.Result)
	}
	if res := decode[outcome](t, got.Result.Value); !slices.Equal(res.Killed, []int{got.Stubborn}) {
		t.Errorf("shutdown() resolved with killed %v; want [%d], the job that ignored SIGTERM", res.Killed, got.Stubborn)
	}
	if got.Ms < 1500 {
		t.Errorf("shutdown() resolved after %d ms; want no earlier than the grace period (1500 ms)", got.Ms)
	}
	if sigs := e.signals(got.Stubborn); len(sigs) == 0 || sigs[0] != "SIGTERM" {
		t.Errorf("the stubborn job got %v; want SIGTERM before SIGKILL", sigs)
	}
	if len(got.Exits) == 2 {
		if x := decode[exit](t, got.Exits[0].Value); !got.Exits[0].OK || !x.clean() || !e.done(got.Polite) {
			t.Errorf("the job that stops on SIGTERM: %v, finished its work: %v; want exit code 0 after finishing (it gets the grace period, not SIGKILL)", got.Exits[0], e.done(got.Polite))
		}
		if x := decode[exit](t, got.Exits[1].Value); !got.Exits[1].OK || x.Signal == nil || *x.Signal != "SIGKILL" {
			t.Errorf("the stubborn job: exited %v; want killed by SIGKILL", got.Exits[1])
		}
	}
	e.assertAllGone("after shutdown() resolved")
}

func TestShutdownKillsTheGroup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const m = new mod.JobManager({ grace: 20000 });
const tree = await m.start(helper, job('tree'));
await ready([tree.pid]);
const result = await settle(m.shutdown(), 15000);
report({ result, pid: tree.pid, exit: await settle(tree.exited) });
process.exit(0); // a job left running must not keep node waiting
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct {
		Result, Exit settled
		Pid          int
	}
	r.Report(t, 0, &got)
	if !got.Result.OK {
		t.Fatalf("shutdown() with a job that started a process of its own: %v; want it to resolve once the job has exited", got.Result)
	}
	kid := e.kid(got.Pid)
	if kid == 0 {
		t.Fatalf("the job never recorded the process it started")
	}
	if sigs := e.signals(kid); len(sigs) == 0 || sigs[0] != "SIGTERM" {
		t.Errorf("the process started by the job (pid %d) got signals %v; want SIGTERM: signal the job's process group, -pid, not the job alone", kid, sigs)
	}
	if !waitGone(kid, 10*time.Second) {
		t.Errorf("the process started by the job (pid %d), which ignores SIGTERM, still runs 10s after shutdown() resolved; want it killed with its group when the job exits", kid)
	}
	if x := decode[exit](t, got.Exit.Value); !got.Exit.OK || !x.clean() {
		t.Errorf("the job: exited %v; want exit code 0", got.Exit)
	}
	e.assertAllGone("after shutdown() resolved")
}

func TestNoStartDuringShutdown(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := runNode(t, testContext(t), prelude+`
const m = new mod.JobManager({ grace: 20000 });
const first = await m.start(helper, job('graceful'));
await ready([first.pid]);
const closing = m.shutdown();
const during = await settle(m.start(helper, job('graceful')));
const result = await settle(closing, 15000);
const after = await settle(m.start(helper, job('graceful')));
const missing = await settle(new mod.JobManager().start(path.join(dir, 'no-such-program'), []));
report({ during, result, after, missing });
process.exit(0); // a job left running must not keep node waiting
`, e.vars())
	if r.Err != nil {
		t.Fatalf("the snippet threw %v", r.Err)
	}
	var got struct{ During, Result, After, Missing settled }
	r.Report(t, 0, &got)
	for _, c := range []struct {
		when string
		s    settled
	}{{"during a shutdown", got.During}, {"after a shutdown", got.After}} {
		if c.s.OK || c.s.Pending || c.s.Code != "ERR_SHUTTING_DOWN" {
			t.Errorf("start() %s %v; want a rejection with code 'ERR_SHUTTING_DOWN'", c.when, c.s)
		}
	}
	if !got.Result.OK {
		t.Errorf("shutdown() %v; want it to resolve once the one job has exited", got.Result)
	}
	if got.Missing.OK || got.Missing.Code != "ENOENT" {
		t.Errorf("start() of a program that does not exist %v; want a rejection with code 'ENOENT'", got.Missing)
	}
	if pids := e.pids(); len(pids) != 1 {
		t.Errorf("%d jobs started (%v); want 1: start() starts nothing once a shutdown has begun", len(pids), pids)
	}
	e.assertAllGone("after shutdown() resolved")
}

func TestShutdownOnSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		name := map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}[sig]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			cmd, p := startNode(t, testContext(t), prelude+`
const m = new mod.JobManager({ grace: 8000 });
const polite = await m.start(helper, job('graceful'));
const stubborn = await m.start(helper, job('stubborn'));
await ready([polite.pid, stubborn.pid]);
const done = m.shutdownOnSignal();
report({ polite: polite.pid, stubborn: stubborn.pid });
const result = await done;
report({ result, exits: [await polite.exited, await stubborn.exited] });
`, e.vars())
			msg, ok := p.next(t)
			if !ok {
				t.Fatalf("the snippet ended before it was ready: %v", p.run.Err)
			}
			jobs := decode[struct{ Polite, Stubborn int }](t, msg)
			syscall.Kill(p.run.Pid, sig)
			if !waitFor(20*time.Second, func() bool { return len(e.signals(jobs.Polite)) > 0 && len(e.signals(jobs.Stubborn)) > 0 }) {
				t.Fatalf("node got %s: within 20s, the jobs recorded %v and %v; want the signal forwarded to every job", name, e.signals(jobs.Polite), e.signals(jobs.Stubborn))
			}
			// A second signal while the stubborn job holds the shutdown up (8 s of grace)
			// must not kill node before its jobs are gone.
			syscall.Kill(p.run.Pid, sig)
			msg, ok, late := nextWithin(t, p, 30*time.Second)
			if late {
				t.Fatalf("node got %s twice: no result within 30s; want the shutdown over soon after the grace period (8 s), the stubborn job killed with SIGKILL", name)
			}
			p.wait(t, cmd)
			if !ok {
				t.Fatalf("node got %s twice: it ended with %s and reported no result (error %v); want it to catch the second one too, finish the shutdown and exit 0", name, cmd.ProcessState, p.run.Err)
			}
			got := decode[struct {
				Result outcome
				Exits  []exit
			}](t, msg)
			if got.Result.Signal != name || !slices.Equal(got.Result.Killed, []int{jobs.Stubborn}) {
				t.Errorf("shutdownOnSignal() resolved with %+v; want signal %q and killed [%d]", got.Result, name, jobs.Stubborn)
			}
			if sigs := e.signals(jobs.Polite); len(sigs) == 0 || sigs[0] != name {
				t.Errorf("the job got %v; want %s, the signal node received", sigs, name)
			}
			if sigs := e.signals(jobs.Stubborn); len(sigs) == 0 || sigs[0] != name {
				t.Errorf("the stubborn job got %v; want %s first", sigs, name)
			}
			if len(got.Exits) != 2 || !got.Exits[0].clean() || !e.done(jobs.Polite) {
				t.Errorf("the job that stops on %s: exits %v; want exit code 0 after finishing its work", name, got.Exits)
			}
			if p.run.ExitCode != 0 {
				t.Errorf("node ended with %s; want exit code 0 once the shutdown is over", cmd.ProcessState)
			}
			e.assertAllGone("after node exited")
		})
	}
}
