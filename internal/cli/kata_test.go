package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// The kata commands are tested over the katas package's test kata, "fixture", so that they
// do not depend on which katas the catalogue holds.
const fixtureKatas = "../kata/testdata/katas"

func fixtureCatalog(t *testing.T) *kata.Catalog {
	t.Helper()
	c, err := kata.Load(os.DirFS(fixtureKatas), "testdata/katas")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// kataEnv is a workspace, a progress log and test streams.
type kataEnv struct {
	cat             *kata.Catalog
	ws              *kata.Workspace
	log             *progress.Log
	ios             *iostreams.IOStreams
	in, out, errOut *bytes.Buffer
}

func newKataEnv(t *testing.T) *kataEnv {
	t.Helper()
	ws, err := kata.InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ios, in, out, errOut := iostreams.Test()
	return &kataEnv{cat: fixtureCatalog(t), ws: ws, log: progress.Open(t.TempDir()), ios: ios, in: in, out: out, errOut: errOut}
}

func (e *kataEnv) locator() wsLocator { return wsLocator{Flag: e.ws.Dir} }

// solve writes internal/kata/testdata/solutions/<name>.go as the user's fixture file.
func (e *kataEnv) solve(t *testing.T, name string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "kata", "testdata", "solutions", name+".go"))
	if err != nil {
		t.Fatal(err)
	}
	k, _ := e.cat.Get("fixture")
	if err := os.MkdirAll(e.ws.KataDir(k), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.ws.File(k), src, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (e *kataEnv) records(t *testing.T) []progress.Record {
	t.Helper()
	recs, _, err := e.log.Read()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func (e *kataEnv) reset() { e.out.Reset(); e.errOut.Reset() }

// status maps a command's error to its exit status, as Main does.
func status(ios *iostreams.IOStreams, err error) int { return exitStatus(ios, err) }

func TestKataCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		solution string
		opts     func(*kataCheckOptions)
		exit     int
		lastLine string
		out      []string // parts of stdout
	}{
		{name: "pass", solution: "pass", lastLine: "PASS fixture (2/2 tests)",
			out: []string{"--- PASS: TestAdd (", "--- PASS: TestOutput ("}},
		{name: "fail", solution: "fail", exit: 1, lastLine: "FAIL fixture (1/2 tests): 1 test failed: TestAdd",
			out: []string{"--- FAIL: TestAdd (", "s)\n    --- FAIL: TestAdd/small (", "s)\n        fixture_test.go:28: Add(2, 3) = -1; want 5\n"}},
		{name: "build error", solution: "builderr", exit: 1, lastLine: "FAIL fixture (0/2 tests): build failed: ",
			out: []string{"Build failed:\n", "fixture/fixture.go:7:41: undefined: undefinedName"}},
		{name: "verbose streams the output", solution: "chatty", opts: func(o *kataCheckOptions) { o.Verbose = true },
			lastLine: "PASS fixture (2/2 tests)", out: []string{"=== RUN   TestAdd/small\nadding 2 and 3\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newKataEnv(t)
			e.solve(t, tc.solution)
			opts := &kataCheckOptions{IO: e.ios, Catalog: e.cat, Log: e.log, WS: e.locator(), ID: "fixture"}
			if tc.opts != nil {
				tc.opts(opts)
			}
			err := runKataCheck(context.Background(), opts)
			if got := status(e.ios, err); got != tc.exit {
				t.Errorf("kata check = exit %d (%v); want %d", got, err, tc.exit)
			}
			out := e.out.String()
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			if last := lines[len(lines)-1]; !strings.HasPrefix(last, tc.lastLine) {
				t.Errorf("last line = %q; want it to start %q", last, tc.lastLine)
			}
			for _, part := range tc.out {
				if !strings.Contains(out, part) {
					t.Errorf("stdout = %q; want it to hold %q", out, part)
				}
			}
			recs := e.records(t)
			if len(recs) != 1 || recs[0].Type != progress.TypeKataCheck || recs[0].Kata != "fixture" || recs[0].Total != 2 {
				t.Errorf("log = %+v; want one kata_check record of fixture", recs)
			}
		})
	}
}

func TestKataCheckJSON(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	e.solve(t, "fail")
	err := runKataCheck(context.Background(), &kataCheckOptions{IO: e.ios, Catalog: e.cat, WS: e.locator(), ID: "fixture", JSON: true})
	if status(e.ios, err) != ExitFailure {
		t.Errorf("kata check --json on a failing kata = %v; want exit 1", err)
	}
	var doc struct {
		Kata, Status, Reason string
		Passed, Total        int
		Tests                []struct {
			Name, Status, Message string
			DurationMS            *int64 `json:"duration_ms"`
		}
	}
	if err := json.Unmarshal(e.out.Bytes(), &doc); err != nil {
		t.Fatalf("stdout is not one JSON document: %v\n%s", err, e.out)
	}
	if doc.Kata != "fixture" || doc.Status != "fail" || doc.Passed != 1 || doc.Total != 2 || len(doc.Tests) != 2 ||
		doc.Tests[0].Status != "fail" || !strings.Contains(doc.Tests[0].Message, "want 5") || doc.Tests[0].DurationMS == nil {
		t.Errorf("JSON = %+v; want fixture, fail, 1/2, TestAdd failed with its message and a duration", doc)
	}
}

func TestKataCheckAll(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	opts := &kataCheckOptions{IO: e.ios, Catalog: e.cat, Log: e.log, WS: e.locator(), All: true}
	err := runKataCheck(context.Background(), opts)
	if status(e.ios, err) != ExitFailure || !strings.Contains(e.errOut.String(), "no kata started in") {
		t.Errorf("kata check --all with nothing started = %v, %q; want exit 1 saying so", err, e.errOut)
	}
	e.reset()
	e.solve(t, "pass")
	if err := runKataCheck(context.Background(), opts); err != nil {
		t.Fatalf("kata check --all = %v; want nil\n%s%s", err, e.out, e.errOut)
	}
	out := e.out.String()
	if !strings.HasPrefix(out, "KATA     RESULT  TESTS  TIME  REASON\nfixture  PASS    2/2  ") || !strings.Contains(out, "1 kata: 1 passed, 0 failed") {
		t.Errorf("kata check --all =\n%s\nwant a table with fixture PASS 2/2 and a summary", out)
	}
}

func TestKataCheckErrors(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	for _, tc := range []struct {
		name string
		opts kataCheckOptions
		exit int
		msg  string
	}{
		{"unknown id", kataCheckOptions{ID: "fixtur"}, ExitUsage, `no kata "fixtur"; did you mean "fixture"? (procdojo kata list)`},
		{"not started", kataCheckOptions{ID: "fixture"}, ExitFailure, `start with "procdojo kata start fixture"`},
		{"no workspace", kataCheckOptions{ID: "fixture", WS: wsLocator{Cwd: t.TempDir()}}, ExitFailure, `make one with "procdojo kata init DIR"`},
	} {
		e.reset()
		opts := tc.opts
		opts.IO, opts.Catalog = e.ios, e.cat
		if opts.WS == (wsLocator{}) {
			opts.WS = e.locator()
		}
		err := runKataCheck(context.Background(), &opts)
		if got := status(e.ios, err); got != tc.exit || !strings.Contains(e.errOut.String(), tc.msg) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, got, e.errOut, tc.exit, tc.msg)
		}
	}
}

func TestKataListShowStart(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	opts := &kataListOptions{IO: e.ios, Catalog: e.cat, Log: e.log}
	if err := runKataList(opts); err != nil {
		t.Fatal(err)
	}
	if got, want := e.out.String(), "ID       LEVEL   LANG  TOPICS    TITLE                                                 STATUS\n"+
		"fixture  junior  go    execfile  Add numbers and capture a child's output              new\n"+
		"nodefix  junior  node  execfile  Add numbers and capture a child's output, in Node.js  new\n"; got != want {
		t.Errorf("kata list =\n%s\nwant\n%s", got, want)
	}
	e.reset()
	if err := runKataList(&kataListOptions{IO: e.ios, Catalog: e.cat, Log: e.log, Lang: "node"}); err != nil || strings.Contains(e.out.String(), "fixture ") || !strings.Contains(e.out.String(), "nodefix") {
		t.Errorf("kata list --lang node = %v\n%s\nwant nodefix only", err, e.out)
	}
	e.reset()
	if err := runKataList(&kataListOptions{IO: e.ios, Catalog: e.cat, Lang: "rust"}); status(e.ios, err) != ExitUsage {
		t.Errorf("kata list --lang rust = %v; want exit 2", err)
	}
	for _, r := range []progress.Record{
		{Type: progress.TypeKataCheck, Kata: "fixture", Verdict: "fail"},
		{Type: progress.TypeHint, Kata: "fixture", Hint: 1},
	} {
		if err := e.log.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	e.reset()
	opts.JSON = true
	opts.Lang = "go"
	if err := runKataList(opts); err != nil {
		t.Fatal(err)
	}
	var items []struct {
		ID, Status string
		HintsSeen  int `json:"hints_seen"`
	}
	if err := json.Unmarshal(e.out.Bytes(), &items); err != nil || len(items) != 1 || items[0].Status != "attempted" || items[0].HintsSeen != 1 {
		t.Errorf("kata list --json = %s (%v); want fixture attempted with 1 hint seen", e.out, err)
	}
	e.reset()
	if err := runKataList(&kataListOptions{IO: e.ios, Catalog: e.cat, Level: "guru"}); status(e.ios, err) != ExitUsage {
		t.Errorf("kata list --level guru = %v; want exit 2", err)
	}

	e.reset()
	show := &kataShowOptions{IO: e.ios, Catalog: e.cat, Log: e.log, WS: e.locator(), ID: "fixture"}
	if err := runKataShow(show); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fixture: Add numbers", "level junior", "status attempted", "func Output(ctx context.Context",
		"Hints: 2, 1 seen", "once you run procdojo kata start fixture"} {
		if !strings.Contains(e.out.String(), want) {
			t.Errorf("kata show = %s; want it to hold %q", e.out, want)
		}
	}

	e.reset()
	start := &kataStartOptions{IO: e.ios, Catalog: e.cat, WS: e.locator(), ID: "fixture"}
	if err := runKataStart(start); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(e.ws.Dir, "fixture", "fixture.go")
	if !strings.Contains(e.out.String(), "Your file: "+file) || !strings.Contains(e.out.String(), "Rules the tests check") {
		t.Errorf("kata start = %s; want the statement and the path", e.out)
	}
	e.reset()
	if err := runKataStart(start); status(e.ios, err) != ExitFailure || !strings.Contains(e.errOut.String(), "--force") {
		t.Errorf("kata start again = %v, %q; want exit 1 suggesting --force", err, e.errOut)
	}
	e.reset()
	start.Force = true
	if err := runKataStart(start); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(file + ".bak"); err != nil {
		t.Errorf("kata start --force left no backup: %v", err)
	}
}

func TestKataHintSolution(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	hint := &kataHintOptions{IO: e.ios, Catalog: e.cat, Log: e.log, ID: "fixture"}
	wants := []string{
		"Hint 1 of 2: Add: use +.\n",
		"Hint 1 of 2: Add: use +.\nHint 2 of 2: Output: exec.CommandContext(ctx, name, args...).Output().\n",
		"Hint 1 of 2: Add: use +.\nHint 2 of 2: Output: exec.CommandContext(ctx, name, args...).Output().\n",
	}
	for i, want := range wants {
		e.reset()
		if err := runKataHint(hint); err != nil {
			t.Fatal(err)
		}
		if e.out.String() != want {
			t.Errorf("kata hint, call %d = %q; want %q", i+1, e.out, want)
		}
	}
	if !strings.Contains(e.errOut.String(), "That was every hint") {
		t.Errorf("third kata hint stderr = %q; want a note that every hint was shown", e.errOut)
	}
	if recs := e.records(t); len(recs) != 2 || recs[1].Hint != 2 {
		t.Errorf("log = %+v; want two hint records, 1 and 2", recs)
	}

	sol := &kataSolutionOptions{IO: e.ios, Catalog: e.cat, Log: e.log, ID: "fixture"}
	e.reset()
	if err := runKataSolution(sol); status(e.ios, err) != ExitFailure || e.out.Len() != 0 {
		t.Errorf("kata solution before passing = %v, stdout %q; want exit 1 and nothing", err, e.out)
	}
	ref, _ := os.ReadFile(filepath.Join(fixtureKatas, "fixture", "fixture.go"))
	e.reset()
	sol.Force = true
	if err := runKataSolution(sol); err != nil || e.out.String() != string(ref) || !strings.Contains(e.errOut.String(), "warning:") {
		t.Errorf("kata solution --force = %v, stdout %.40q, stderr %q; want the source and a warning", err, e.out, e.errOut)
	}
	if err := e.log.Append(progress.Record{Type: progress.TypeKataCheck, Kata: "fixture", Verdict: "pass"}); err != nil {
		t.Fatal(err)
	}
	e.reset()
	sol.Force = false
	if err := runKataSolution(sol); err != nil || e.out.String() != string(ref) || strings.Contains(e.errOut.String(), "warning:") {
		t.Errorf("kata solution after a pass = %v, stderr %q; want the source, no warning", err, e.errOut)
	}
}

func TestKataReset(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	k, _ := e.cat.Get("fixture")
	reset := &kataResetOptions{IO: e.ios, Catalog: e.cat, WS: e.locator(), ID: "fixture"}
	if err := runKataReset(reset); status(e.ios, err) != ExitFailure || !strings.Contains(e.errOut.String(), "is not started") {
		t.Errorf("kata reset before start = %v, %q; want exit 1, not started", err, e.errOut)
	}
	e.solve(t, "fail")
	tests := []struct {
		name  string
		tty   bool
		yes   bool
		input string
		exit  int
		msg   string
		reset bool
	}{
		{name: "not a terminal", exit: ExitUsage, msg: "standard input is not a terminal: pass --yes"},
		{name: "answer no", tty: true, input: "n\n", exit: ExitFailure, msg: "reset cancelled; nothing changed"},
		{name: "end of input", tty: true, exit: ExitFailure, msg: "reset cancelled"},
		{name: "answer yes", tty: true, input: "y\n", reset: true},
		{name: "--yes", yes: true, reset: true},
	}
	for _, tc := range tests {
		e.reset()
		e.solve(t, "fail")
		e.in.Reset()
		e.in.WriteString(tc.input)
		e.ios.InTTY = tc.tty
		reset.Yes = tc.yes
		err := runKataReset(reset)
		if got := status(e.ios, err); got != tc.exit || !strings.Contains(e.errOut.String(), tc.msg) {
			t.Errorf("%s: kata reset = exit %d, stderr %q; want %d, %q", tc.name, got, e.errOut, tc.exit, tc.msg)
		}
		src, _ := os.ReadFile(e.ws.File(k))
		starter, _ := k.Starter()
		if got := bytes.Equal(src, starter); got != tc.reset {
			t.Errorf("%s: file is the starter = %v; want %v", tc.name, got, tc.reset)
		}
	}
}

func TestKataVerifyInit(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	err := runKataVerify(context.Background(), &kataVerifyOptions{IO: e.ios, Catalog: e.cat})
	out := e.out.String()
	if status(e.ios, err) != ExitFailure || !strings.Contains(out, "ok   fixture (4 runs, ") || !strings.Contains(out, "ok   nodefix (4 runs, ") || !strings.Contains(out, `FAIL scenario "spawn-timeout" has no kata`) {
		t.Errorf("kata verify = %v\n%s\nwant fixture and nodefix ok, then the scenarios without a kata, exit 1", err, out)
	}
	e.reset()
	dir := filepath.Join(t.TempDir(), "dojo")
	if err := runKataInit(&kataInitOptions{IO: e.ios, Catalog: e.cat, Dir: dir}); err != nil {
		t.Fatal(err)
	}
	if _, err := kata.OpenWorkspace(dir); err != nil || !strings.Contains(e.out.String(), "procdojo kata start fixture") {
		t.Errorf("kata init = %v, %q; want a workspace and the next step", err, e.out)
	}
}

// TestKataCommandLine goes through the app: flags, the subcommand did-you-mean and exit
// statuses.
func TestKataCommandLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		exit int
		msg  string
	}{
		{[]string{"kata", "chek"}, ExitUsage, `unknown command "chek" for "procdojo kata"; did you mean "check"?`},
		{[]string{"kata", "check"}, ExitUsage, "needs a kata id"},
		{[]string{"kata", "check", "--all", "x"}, ExitUsage, "a kata id or --all, not both"},
		{[]string{"kata", "check", "--timeout", "-1s", "x"}, ExitUsage, "--timeout must be positive"},
		{[]string{"kata", "show", "a", "b"}, ExitUsage, "takes one kata id"},
		{[]string{"kata", "init"}, ExitUsage, "kata init needs one folder"},
		{[]string{"kata", "--workspace", t.TempDir(), "start", "nosuchkata"}, ExitUsage, `no kata "nosuchkata"`},
		// Flags after the arguments.
		{[]string{"kata", "start", "nosuchkata", "--workspace", t.TempDir(), "--force"}, ExitUsage, `no kata "nosuchkata"`},
		{[]string{"kata", "check", "x", "--all"}, ExitUsage, "a kata id or --all, not both"},
		{[]string{"kata", "check", "x", "--nope"}, ExitUsage, "flag provided but not defined: --nope"},
		{[]string{"kata", "check", "x", "--timeout"}, ExitUsage, "flag needs an argument: --timeout"},
		{[]string{"kata", "check", "x", "--timeout", "soon"}, ExitUsage, `invalid value "soon" for flag --timeout`},
		{[]string{"kata", "check", "x", "--timeout=0s", "-v"}, ExitUsage, "--timeout must be positive"},
		{[]string{"kata", "list", "--json", "extra"}, ExitUsage, "kata list takes no arguments"},
	} {
		ios, _, _, errOut := iostreams.Test()
		err := NewApp(ios).RunContext(context.Background(), append([]string{"procdojo"}, tc.args...))
		if got := status(ios, err); got != tc.exit || !strings.Contains(errOut.String(), tc.msg) {
			t.Errorf("procdojo %s = exit %d, %q; want %d, %q", strings.Join(tc.args, " "), got, errOut, tc.exit, tc.msg)
		}
	}
}

// TestKataCheckInterrupted cancels a check of a hanging solution, as Ctrl-C does: exit 130,
// and the check is recorded as an error.
func TestKataCheckInterrupted(t *testing.T) {
	t.Parallel()
	e := newKataEnv(t)
	e.solve(t, "hang")
	k, _ := e.cat.Get("fixture")
	pidFile := filepath.Join(e.ws.KataDir(k), "grandchild.pid")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(pidFile); err == nil {
				cancel()
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	err := runKataCheck(ctx, &kataCheckOptions{IO: e.ios, Catalog: e.cat, Log: e.log, WS: e.locator(), ID: "fixture"})
	if got := status(e.ios, err); got != ExitInterrupted {
		t.Errorf("interrupted kata check = exit %d (%v); want %d", got, err, ExitInterrupted)
	}
	if !strings.Contains(e.out.String(), "ERROR fixture (1/2 tests): interrupted") {
		t.Errorf("stdout = %q; want the ERROR line", e.out)
	}
	if recs := e.records(t); len(recs) != 1 || recs[0].Verdict != "error" || recs[0].Reason != "interrupted" {
		t.Errorf("log = %+v; want one check recorded as an interrupted error", recs)
	}
}

// TestNodeKataWithoutNode: without node on PATH, starting or checking a Node kata is a usage
// error (exit 2) naming the version needed; Go katas work as before.
func TestNodeKataWithoutNode(t *testing.T) {
	e := newKataEnv(t)
	t.Setenv("PATH", t.TempDir())
	err := runKataStart(&kataStartOptions{IO: e.ios, Catalog: e.cat, WS: e.locator(), ID: "nodefix"})
	if got := status(e.ios, err); got != ExitUsage || !strings.Contains(e.errOut.String(), "Node.js 18 or newer") {
		t.Errorf("kata start nodefix without node = exit %d, stderr %q; want 2 naming Node.js 18 or newer", got, e.errOut)
	}
	e.reset()
	err = runKataCheck(context.Background(), &kataCheckOptions{IO: e.ios, Catalog: e.cat, WS: e.locator(), ID: "nodefix"})
	if got := status(e.ios, err); got != ExitUsage {
		t.Errorf("kata check nodefix without node = exit %d, stderr %q; want 2", got, e.errOut)
	}
	e.reset()
	if err := runKataStart(&kataStartOptions{IO: e.ios, Catalog: e.cat, WS: e.locator(), ID: "fixture"}); err != nil {
		t.Errorf("kata start fixture without node = %v; want the Go kata to start", err)
	}
}
