package noderun

// The tests call run() in node on a real program: the test binary itself, started as the
// "tool" helper, a stand-in for a custom binary whose arguments are a little script of actions.

import (
	"bytes"
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

func init() {
	helpers["tool"] = tool
}

// tool performs its arguments as actions, in order, then exits 0:
//
//	out=TEXT     write TEXT to stdout
//	err=TEXT     write TEXT to stderr
//	exit=N       exit with status N
//	signal=NAME  die from signal KILL or TERM
//	flood=N      write N bytes to stdout ('o') and N bytes to stderr ('e'), 4 KiB at a time
//	pidfile=PATH write the tool's pid to PATH (renamed into place)
//	echoargs     write the remaining arguments to stdout, one per line, and exit 0
//	hang         wait to be killed
func tool(args []string) int {
	// A tool that nobody kills (because the code under test forgot to) must not outlive
	// the test run for long.
	time.AfterFunc(30*time.Second, func() { os.Exit(98) })
	for i, a := range args {
		verb, val, _ := strings.Cut(a, "=")
		switch verb {
		case "out":
			os.Stdout.WriteString(val)
		case "err":
			os.Stderr.WriteString(val)
		case "exit":
			code, _ := strconv.Atoi(val)
			return code
		case "signal":
			sig := map[string]syscall.Signal{"KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM}[val]
			syscall.Kill(os.Getpid(), sig)
			time.Sleep(5 * time.Second)
			return 97
		case "flood":
			n, _ := strconv.Atoi(val)
			out, errOut := bytes.Repeat([]byte("o"), 4096), bytes.Repeat([]byte("e"), 4096)
			for sent := 0; sent < n; sent += 4096 {
				k := min(4096, n-sent)
				if _, err := os.Stdout.Write(out[:k]); err != nil {
					return 3
				}
				if _, err := os.Stderr.Write(errOut[:k]); err != nil {
					return 3
				}
			}
		case "pidfile":
			tmp := val + ".tmp"
			if os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644) != nil || os.Rename(tmp, val) != nil {
				return 4
			}
		case "echoargs":
			for _, rest := range args[i+1:] {
				fmt.Println(rest)
			}
			return 0
		case "hang":
			select {}
		default:
			fmt.Fprintf(os.Stderr, "tool: unknown action %q\n", a)
			return 2
		}
	}
	return 0
}

// result is what run resolves with.
type result struct {
	Code     *int    `json:"code"`
	Signal   *string `json:"signal"`
	Stdout   string  `json:"stdout"`
	Stderr   string  `json:"stderr"`
	TimedOut bool    `json:"timedOut"`
}

func (r result) String() string {
	code, sig := "null", "null"
	if r.Code != nil {
		code = strconv.Itoa(*r.Code)
	}
	if r.Signal != nil {
		sig = strconv.Quote(*r.Signal)
	}
	return fmt.Sprintf("{ code: %s, signal: %s, stdout: %s, stderr: %s, timedOut: %v }", code, sig, quoteCap(r.Stdout), quoteCap(r.Stderr), r.TimedOut)
}

func quoteCap(s string) string {
	if len(s) > 80 {
		return strconv.Quote(s[:80]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// runTool calls run(tool, actions, options) in node and returns what it resolved with, or the
// error it rejected with.
func runTool(t *testing.T, options map[string]any, actions ...string) (result, *nodeError) {
	t.Helper()
	snippet := `report(await mod.run(file, args));`
	if options != nil {
		snippet = `report(await mod.run(file, args, options));`
	}
	r := runNode(t, testContext(t), snippet,
		nodeVars{"file": helperPath(t), "args": helperArgs("tool", actions...), "options": options})
	if r.Err != nil {
		return result{}, r.Err
	}
	var res result
	r.Report(t, 0, &res)
	return res, nil
}

func call(actions []string, options map[string]any) string {
	q := make([]string, len(actions))
	for i, a := range actions {
		q[i] = strconv.Quote(a)
	}
	if options == nil {
		return fmt.Sprintf("run(tool, [%s])", strings.Join(q, ", "))
	}
	opts, _ := json.Marshal(options)
	return fmt.Sprintf("run(tool, [%s], %s)", strings.Join(q, ", "), opts)
}

func ptr[T any](v T) *T { return &v }

func sameResult(got, want result) bool {
	eqInt := (got.Code == nil) == (want.Code == nil) && (got.Code == nil || *got.Code == *want.Code)
	eqSig := (got.Signal == nil) == (want.Signal == nil) && (got.Signal == nil || *got.Signal == *want.Signal)
	return eqInt && eqSig && got.Stdout == want.Stdout && got.Stderr == want.Stderr && got.TimedOut == want.TimedOut
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions []string
		want    result
	}{
		{"success", []string{"out=hello\n", "err=note: cached\n"}, result{Code: ptr(0), Stdout: "hello\n", Stderr: "note: cached\n"}},
		{"exit 1 is an answer, not an error", []string{"out=invalid: line 3\n", "exit=1"}, result{Code: ptr(1), Stdout: "invalid: line 3\n"}},
		{"exit 2 with usage on stderr", []string{"err=usage: tool FILE\n", "exit=2"}, result{Code: ptr(2), Stderr: "usage: tool FILE\n"}},
		{"exit 255", []string{"exit=255"}, result{Code: ptr(255)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := runTool(t, nil, tc.actions...)
			if err != nil || !sameResult(got, tc.want) {
				t.Errorf("%s = %v, %v; want %v, no rejection: any exit code resolves, with stdout and stderr apart", call(tc.actions, nil), got, err, tc.want)
			}
		})
	}
}

func TestRunNoShell(t *testing.T) {
	t.Parallel()
	args := []string{"$(echo INJECTED)", "*", "a;b", `"double"`, "'single'", "two words", "`uname`"}
	got, err := runTool(t, nil, append([]string{"echoargs"}, args...)...)
	want := strings.Join(args, "\n") + "\n"
	if err != nil || got.Stdout != want {
		t.Errorf("run(tool, [echoargs, %q...]) stdout = %q, %v; want the arguments as they are, one per line: %q (no shell may interpret them)", args, got.Stdout, err, want)
	}
}

func TestRunLargeOutput(t *testing.T) {
	t.Parallel()
	const n = 2 << 20
	ctx := testContext(t)
	r := runNode(t, ctx, `const r = await mod.run(file, args);
report({ code: r.code, out: r.stdout.length, err: r.stderr.length, outOK: /^o*$/.test(r.stdout), errOK: /^e*$/.test(r.stderr) });`,
		nodeVars{"file": helperPath(t), "args": helperArgs("tool", "flood="+strconv.Itoa(n))})
	if r.Err != nil {
		t.Fatalf("run(tool, [flood=%d]) rejected: %v; want the whole output: execFile's default maxBuffer (1 MiB) is too small, pass a larger one", n, r.Err)
	}
	var got struct {
		Code         *int
		Out, Err     int
		OutOK, ErrOK bool
	}
	r.Report(t, 0, &got)
	if got.Code == nil || *got.Code != 0 || got.Out != n || got.Err != n || !got.OutOK || !got.ErrOK {
		t.Errorf("run(tool, [flood=%d]) = code %v, %d bytes of stdout (only 'o': %v), %d of stderr (only 'e': %v); want code 0 and %d bytes of each, kept apart", n, got.Code, got.Out, got.OutOK, got.Err, got.ErrOK, n)
	}
}

func TestRunMaxBuffer(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "tool.pid")
	_, err := runTool(t, map[string]any{"maxBuffer": 1024}, "pidfile="+pidFile, "flood=65536", "hang")
	if err == nil || err.Code != "ERR_CHILD_PROCESS_STDIO_MAXBUFFER" {
		t.Fatalf("run(tool, [flood=65536, hang], { maxBuffer: 1024 }) = %v; want a rejection with code 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'", err)
	}
	assertGone(t, pidFile, "after the maxBuffer rejection")
}

func TestRunSignals(t *testing.T) {
	t.Parallel()
	for _, sig := range []string{"KILL", "TERM"} {
		t.Run("SIG"+sig, func(t *testing.T) {
			t.Parallel()
			actions := []string{"out=partial\n", "signal=" + sig}
			got, err := runTool(t, nil, actions...)
			want := result{Signal: ptr("SIG" + sig), Stdout: "partial\n"}
			if err != nil || !sameResult(got, want) {
				t.Errorf("%s = %v, %v; want %v: a signal resolves with code null, the signal's name and the output so far", call(actions, nil), got, err, want)
			}
		})
	}
}

func TestRunStartErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notExec := filepath.Join(dir, "data.txt")
	if err := os.WriteFile(notExec, []byte("not a program\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, file, code string
	}{
		{"name not in PATH", "procdojo-no-such-program", "ENOENT"},
		{"missing path", filepath.Join(dir, "missing"), "ENOENT"},
		{"not executable", notExec, "EACCES"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runNode(t, testContext(t), `report(await mod.run(file, []));`, nodeVars{"file": tc.file})
			if r.Err == nil || r.Err.Code != tc.code {
				t.Errorf("run(%q, []) = %s, error %v; want a rejection with code %q", tc.file, r.Reports, r.Err, tc.code)
			}
		})
	}
}

func TestRunTimeout(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "tool.pid")
	options := map[string]any{"timeout": 500}
	actions := []string{"pidfile=" + pidFile, "out=started\n", "hang"}
	start := time.Now()
	got, err := runTool(t, options, actions...)
	want := result{Signal: ptr("SIGTERM"), Stdout: "started\n", TimedOut: true}
	if err != nil || !sameResult(got, want) {
		t.Fatalf("%s = %v, %v; want %v", call(actions, options), got, err, want)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("%s took %v; want it to resolve soon after the 500 ms timeout", call(actions, options), d.Round(time.Millisecond))
	}
	assertGone(t, pidFile, "after the timeout")
}

// assertGone reads the pid in pidFile and checks that the process is gone (or a zombie).
func assertGone(t *testing.T, pidFile, when string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the tool never started: %v", err)
	}
	pid, _ := strconv.Atoi(string(b))
	if !waitGone(pid, 10*time.Second) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("the tool (pid %d) still runs 10s %s; want run to leave no process behind", pid, when)
	}
}
