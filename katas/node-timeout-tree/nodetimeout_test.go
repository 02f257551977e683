package nodetimeout

// The tests call run() in node on real process trees: the test binary itself, started as
// the "tree" helper (the program), which starts itself again as a grandchild. Each writes
// its pid to a file in the test's temporary directory, so that the test can check, the
// moment run() settles, which of them still run. Every test kills what is left of its tree
// when it ends, whatever run() did.

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
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["say"] = say
	helpers["tree"] = tree
}

// watchdog ends a helper that nobody stopped (because the code under test forgot to), so
// that it cannot outlive the test run for long.
func watchdog() {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) })
}

// say TEXT CODE writes TEXT to stdout and exits with status CODE.
func say(args []string) int {
	os.Stdout.WriteString(args[0])
	code, _ := strconv.Atoi(args[1])
	return code
}

// tree DIR ROLE [OPTION...] is a program that starts a program of its own.
//
// As ROLE "child" (the program run() starts), it starts itself again as ROLE "grandchild",
// which shares its stdout, waits until the grandchild runs, writes "started" and waits. It
// dies from SIGTERM, and does not pass it on: the grandchild gets a signal only if it is sent
// to the whole group. Each role writes its pid to DIR/ROLE.pid once it is ready.
//
// A SIGTERM that arrives before the grandchild runs is held until then, and noted in
// DIR/early: the grandchild missed it, so the test runs again with a longer time limit.
//
// Options:
//
//	stubborn-child       the child ignores SIGTERM
//	stubborn-grandchild  the grandchild ignores SIGTERM
//	own-stdout           the grandchild's stdout is /dev/null, not the child's
func tree(args []string) int {
	watchdog()
	dir, role, opts := args[0], args[1], args[2:]
	if role == "grandchild" {
		if slices.Contains(opts, "stubborn-grandchild") {
			signal.Ignore(syscall.SIGTERM)
		}
		writePid(dir, role)
		select {}
	}

	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	writePid(dir, role)
	exe, err := os.Executable()
	if err != nil {
		return 2
	}
	gc := exec.Command(exe, helperArgs("tree", append([]string{dir, "grandchild"}, opts...)...)...)
	if !slices.Contains(opts, "own-stdout") {
		gc.Stdout = os.Stdout
	}
	if err := gc.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "tree:", err)
		return 2
	}
	for readPid(dir, "grandchild") == 0 {
		time.Sleep(2 * time.Millisecond)
	}
	early := false
	select {
	case <-term:
		early = true
		os.WriteFile(filepath.Join(dir, "early"), nil, 0o644)
	default:
	}
	os.Stdout.WriteString("started\n")
	if slices.Contains(opts, "stubborn-child") {
		signal.Ignore(syscall.SIGTERM)
		select {}
	}
	if !early {
		<-term
	}
	signal.Reset(syscall.SIGTERM)
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {}
}

func pidPath(dir, role string) string { return filepath.Join(dir, role+".pid") }

// writePid writes the process id to DIR/ROLE.pid, atomically.
func writePid(dir, role string) {
	tmp := pidPath(dir, role) + ".tmp"
	os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644)
	os.Rename(tmp, pidPath(dir, role))
}

// readPid returns the pid in DIR/ROLE.pid, or 0 if there is none yet.
func readPid(dir, role string) int {
	b, err := os.ReadFile(pidPath(dir, role))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(string(b))
	return pid
}

// killTreeAtEnd makes sure that nothing of the tree in dir outlives the test, whatever run()
// did: it sends SIGKILL to the child's group and to each pid the helpers wrote.
func killTreeAtEnd(t *testing.T, dir string) {
	t.Cleanup(func() {
		if pid := readPid(dir, "child"); pid > 0 {
			syscall.Kill(-pid, syscall.SIGKILL)
			syscall.Kill(pid, syscall.SIGKILL)
		}
		if pid := readPid(dir, "grandchild"); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// result is what run() resolves with.
type result struct {
	Code     *int    `json:"code"`
	Signal   *string `json:"signal"`
	TimedOut bool    `json:"timedOut"`
	Stdout   string  `json:"stdout"`
}

func (r result) String() string {
	code, sig := "null", "null"
	if r.Code != nil {
		code = strconv.Itoa(*r.Code)
	}
	if r.Signal != nil {
		sig = strconv.Quote(*r.Signal)
	}
	return fmt.Sprintf("{ code: %s, signal: %s, timedOut: %v, stdout: %q }", code, sig, r.TimedOut, r.Stdout)
}

// outcome is how a call of run() settled, as the settle snippet reports it.
type outcome struct {
	Value   *result    `json:"value"`
	Error   *nodeError `json:"error"`
	Pending bool       `json:"pending"` // not settled within the test's limit
	Ms      float64    `json:"ms"`      // how long it took to settle, in node's clock
}

func (o outcome) String() string {
	switch {
	case o.Pending:
		return fmt.Sprintf("still pending after %.0f ms", o.Ms)
	case o.Error != nil:
		return fmt.Sprintf("rejected after %.0f ms with %v", o.Ms, o.Error)
	case o.Value != nil:
		return fmt.Sprintf("resolved after %.0f ms with %v", o.Ms, o.Value)
	}
	return "reported nothing"
}

// settleJS calls the promise-returning expression EXPR (after the statements PRELUDE) and
// reports how it settled as soon as it does, or that it is still pending after limitMs.
const settleJS = `%s
const settled = (async () => %s)().then(
  (value) => ({ value }),
  (e) => ({ error: { name: String(e && e.name), message: String(e && e.message), code: (e && e.code) ?? null } }));
const t0 = performance.now();
let timer;
const outcome = await Promise.race([settled, new Promise((r) => { timer = setTimeout(() => r({ pending: true }), limitMs); })]);
clearTimeout(timer);
outcome.ms = Math.round(performance.now() - t0);
report(outcome);
`

// settle runs settleJS in node and returns the outcome the moment it is reported. Then it
// kills node (but not the process groups that run() made), so that nothing node still had
// planned, such as a late SIGKILL, changes what the test checks next.
func settle(t *testing.T, prelude, expr string, limit time.Duration, vars nodeVars) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit+40*time.Second)
	defer cancel()
	vars["limitMs"] = limit.Milliseconds()
	cmd, p := startNode(t, ctx, fmt.Sprintf(settleJS, prelude, expr), vars)
	raw, ok := p.next(t)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	// The processes node started may still hold its stdout and stderr, which Wait would
	// wait for: they are not node's to close.
	cmd.WaitDelay = 2 * time.Second
	p.wait(t, cmd)
	if !ok {
		t.Fatalf("node reported nothing: error %v; stderr: %s", p.run.Err, capText(p.run.Stderr, 2000))
	}
	var o outcome
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return o
}

// checkGone fails the test unless the processes of the tree in dir ended by the time run()
// settled: the program (node reaps it before 'close') at once, the grandchild within a
// moment, far less than the grace periods of the tests.
func checkGone(t *testing.T, dir, call, why string) {
	t.Helper()
	if pid := readPid(dir, "child"); pid == 0 {
		t.Errorf("the program never wrote its pid: run() did not start it, or stopped it at once")
	} else if processAlive(pid) {
		t.Errorf("%s settled, but the program (pid %d) still runs: settle only once it has exited and its stdout closed ('close')", call, pid)
	}
	if pid := readPid(dir, "grandchild"); pid == 0 {
		t.Errorf("the grandchild never wrote its pid: the program was stopped before it could start one")
	} else if !waitGone(pid, 1500*time.Millisecond) {
		t.Errorf("%s settled, but the grandchild (pid %d) still runs: %s", call, pid, why)
	}
}

func ptr[T any](v T) *T { return &v }

func sameResult(got *result, want result) bool {
	if got == nil {
		return false
	}
	eqCode := (got.Code == nil) == (want.Code == nil) && (got.Code == nil || *got.Code == *want.Code)
	eqSig := (got.Signal == nil) == (want.Signal == nil) && (got.Signal == nil || *got.Signal == *want.Signal)
	return eqCode && eqSig && got.TimedOut == want.TimedOut && got.Stdout == want.Stdout
}

func TestRunFinishes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		text string
		code int
	}{
		{"hello\n", 0},
		{"bad input\n", 4},
	}
	var cases []subtest
	for _, tc := range tests {
		cases = append(cases, subtest{fmt.Sprintf("exit %d", tc.code), func(t *testing.T) {
			call := fmt.Sprintf("run(say, [%q, %d], { timeout: 20000 })", tc.text, tc.code)
			o := settle(t, "", `mod.run(file, args, { timeout: 20000 })`, 15*time.Second,
				nodeVars{"file": helperPath(t), "args": helperArgs("say", tc.text, strconv.Itoa(tc.code))})
			want := result{Code: ptr(tc.code), Stdout: tc.text}
			if !sameResult(o.Value, want) {
				t.Errorf("%s %v; want it resolved with %v: a program that ends in time is not stopped, whatever its exit code", call, o, want)
			}
		}})
	}
	together(t, append(cases, subtest{"not found", func(t *testing.T) {
		o := settle(t, "", `mod.run('procdojo-no-such-program', [], { timeout: 20000 })`, 15*time.Second, nodeVars{})
		if o.Error == nil || o.Error.Code != "ENOENT" {
			t.Errorf("run('procdojo-no-such-program', [], { timeout: 20000 }) %v; want a rejection with code 'ENOENT' (the child's 'error' event)", o)
		}
	}})...)
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		opts       []string
		grace      int           // ms
		limit      time.Duration // how long run() may take to settle after its time limit
		wantSignal string        // what ended the program
		gone       string        // why the grandchild would still run
		pending    string        // why run() would not settle in time
	}{
		{
			name: "tree obeys SIGTERM", grace: 20000, limit: 10 * time.Second, wantSignal: "SIGTERM",
			gone:    "send SIGTERM to the whole group: detached: true makes the program a group leader, process.kill(-child.pid, 'SIGTERM') signals the group",
			pending: "every process exits on SIGTERM, so run() must settle then, not at the end of the 20 s grace period: does SIGTERM reach the whole group (process.kill(-child.pid, 'SIGTERM'))?",
		},
		{
			name: "grandchild ignores SIGTERM", opts: []string{"stubborn-grandchild"}, grace: 5000, limit: 15 * time.Second, wantSignal: "SIGTERM",
			gone:    "it ignores SIGTERM and holds the program's stdout open until the SIGKILL at the end of the 5 s grace period: settle on 'close', not 'exit'",
			pending: "the grandchild ignores SIGTERM and holds stdout open: send SIGKILL to the group after the grace period",
		},
		{
			name: "program ignores SIGTERM", opts: []string{"stubborn-child"}, grace: 300, limit: 10 * time.Second, wantSignal: "SIGKILL",
			gone:    "send SIGKILL to the whole group after the grace period",
			pending: "the program ignores SIGTERM: send SIGKILL to the group after the grace period",
		},
		{
			name: "grandchild has its own stdout", opts: []string{"own-stdout"}, grace: 20000, limit: 10 * time.Second, wantSignal: "SIGTERM",
			gone:    "the program does not pass SIGTERM on: send it to the whole group (process.kill(-child.pid, 'SIGTERM')), not only to the program (child.kill())",
			pending: "the tree exits on SIGTERM sent to its group",
		},
	}
	var cases []subtest
	for _, tc := range tests {
		cases = append(cases, subtest{tc.name, func(t *testing.T) {
			// A SIGTERM that comes before the grandchild runs misses it: then try again
			// with a longer time limit.
			for _, timeout := range []int{2500, 10000} {
				dir := t.TempDir()
				killTreeAtEnd(t, dir)
				call := fmt.Sprintf("run(tree %v, { timeout: %d, grace: %d })", tc.opts, timeout, tc.grace)
				o := settle(t, "", `mod.run(file, args, { timeout, grace })`, time.Duration(timeout)*time.Millisecond+tc.limit, nodeVars{
					"file": helperPath(t), "args": helperArgs("tree", append([]string{dir, "child"}, tc.opts...)...),
					"timeout": timeout, "grace": tc.grace})
				if _, err := os.Stat(filepath.Join(dir, "early")); err == nil {
					t.Logf("%s: the time limit passed before the grandchild ran; trying a longer one", call)
					continue
				}
				if o.Pending {
					t.Fatalf("%s %v: %s", call, o, tc.pending)
				}
				want := result{Signal: ptr(tc.wantSignal), TimedOut: true, Stdout: "started\n"}
				if o.Value == nil {
					t.Fatalf("%s %v; want it resolved with %v", call, o, want)
				}
				if !sameResult(o.Value, want) {
					t.Errorf("%s %v; want it resolved with %v", call, o, want)
				}
				checkGone(t, dir, call, tc.gone)
				return
			}
			t.Fatalf("the grandchild never ran before a 10 s time limit: the machine is too slow")
		}})
	}
	together(t, cases...)
}

// abortJS starts run() with an AbortSignal, and aborts once the grandchild runs.
const abortJS = `
const ac = new AbortController();
const p = (async () => mod.run(file, args, { timeout: 60000, grace: 20000, signal: ac.signal }))();
let done = false;
p.then(() => { done = true; }, () => { done = true; });
for (const end = Date.now() + 20000; !done && !fs.existsSync(gcPidFile) && Date.now() < end; ) {
  await new Promise((r) => setTimeout(r, 10));
}
ac.abort();
`

func TestRunAbort(t *testing.T) {
	t.Parallel()
	together(t, subtest{"while running", func(t *testing.T) {
		dir := t.TempDir()
		killTreeAtEnd(t, dir)
		call := "run(tree, { timeout: 60000, grace: 20000, signal }), then abort() once the grandchild runs,"
		o := settle(t, abortJS, `p`, 12*time.Second, nodeVars{
			"file": helperPath(t), "args": helperArgs("tree", dir, "child"), "gcPidFile": pidPath(dir, "grandchild")})
		if o.Pending {
			t.Fatalf("%s %v: the tree exits on SIGTERM, so aborting must stop it at once: send SIGTERM to the whole group (process.kill(-child.pid, 'SIGTERM')) when the signal aborts", call, o)
		}
		if o.Error == nil || o.Error.Name != "AbortError" {
			t.Errorf("%s %v; want a rejection with an error named 'AbortError'", call, o)
		}
		checkGone(t, dir, call, "aborting must stop the whole group, as the time limit does: spawn's own signal option kills only the program")
	}}, subtest{"already aborted", func(t *testing.T) {
		dir := t.TempDir()
		killTreeAtEnd(t, dir)
		call := "run(tree, { timeout: 60000, signal }) with a signal already aborted"
		o := settle(t, `const ac = new AbortController(); ac.abort();`, `mod.run(file, args, { timeout: 60000, grace: 300, signal: ac.signal })`,
			12*time.Second, nodeVars{"file": helperPath(t), "args": helperArgs("tree", dir, "child")})
		if o.Error == nil || o.Error.Name != "AbortError" {
			t.Errorf("%s %v; want a rejection with an error named 'AbortError'", call, o)
		}
		for _, role := range []string{"child", "grandchild"} {
			if pid := readPid(dir, role); pid > 0 && !waitGone(pid, 1500*time.Millisecond) {
				t.Errorf("%s settled, but the %s (pid %d) runs: an aborted signal starts nothing (or stops all it started)", call, role, pid)
			}
		}
	}})
}

// subtest is a named subtest for together.
type subtest struct {
	name string
	f    func(t *testing.T)
}

// together runs the subtests at once: each mostly waits for processes, and -test.parallel
// (the number of CPUs) would let only a few of them run at a time.
func together(t *testing.T, subtests ...subtest) {
	t.Helper()
	var wg sync.WaitGroup
	for _, st := range subtests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(st.name, st.f)
		}()
	}
	wg.Wait()
}
