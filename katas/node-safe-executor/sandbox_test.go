package sandbox

// The untrusted scripts are real JavaScript, run by the module in real node processes. A
// script that starts a process of its own has it write its pid to a file of the test's, so
// that the test can check that nothing is left running.

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

// result is what runSandboxed resolves with.
type result struct {
	Code   *int    `json:"code"`
	Signal *string `json:"signal"`
	Stdout string  `json:"stdout"`
	Stderr string  `json:"stderr"`
	Limit  *string `json:"limit"`
}

func (r result) String() string {
	code, sig, limit := "null", "null", "null"
	if r.Code != nil {
		code = strconv.Itoa(*r.Code)
	}
	if r.Signal != nil {
		sig = strconv.Quote(*r.Signal)
	}
	if r.Limit != nil {
		limit = strconv.Quote(*r.Limit)
	}
	return fmt.Sprintf("{ code: %s, signal: %s, stdout: %s, stderr: %s, limit: %s }", code, sig, quoteCap(r.Stdout), quoteCap(r.Stderr), limit)
}

func (r result) limit() string {
	if r.Limit == nil {
		return "null"
	}
	return *r.Limit
}

func (r result) exitedWith(code int) bool { return r.Code != nil && *r.Code == code && r.Signal == nil }

func quoteCap(s string) string {
	if len(s) > 80 {
		return strconv.Quote(s[:80]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// run is one call of runSandboxed, as the snippet reports it.
type run struct {
	Result  *result `json:"result"`
	Ms      int     `json:"ms"`
	Pending bool    `json:"pending"`
	Err     *nodeError
}

func (r run) String() string {
	switch {
	case r.Err != nil:
		return "rejected with " + r.Err.Error()
	case r.Pending:
		return "still pending after 30s"
	case r.Result == nil:
		return "no result"
	default:
		return fmt.Sprintf("resolved after %d ms with %v", r.Ms, *r.Result)
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sandbox calls runSandboxed(source, limits) in node, with env set in node's environment
// first, and returns what it did, waiting at most 30 seconds for it.
func sandbox(t *testing.T, source string, limits map[string]any, env map[string]string) run {
	t.Helper()
	r := runNode(t, testContext(t), `
for (const [k, v] of Object.entries(env || {})) process.env[k] = v;
const t0 = Date.now();
let timer;
let result;
try {
  result = await Promise.race([
    mod.runSandboxed(source, limits),
    new Promise((resolve) => { timer = setTimeout(() => resolve('pending'), 30000); }),
  ]);
} finally {
  clearTimeout(timer);
}
report(result === 'pending' ? { pending: true } : { result, ms: Date.now() - t0 });
if (result === 'pending') process.exit(0);
`, nodeVars{"source": source, "limits": limits, "env": env})
	if r.Err != nil {
		return run{Err: r.Err}
	}
	var got run
	r.Report(t, 0, &got)
	return got
}

// grandchild returns JavaScript that starts "sleep 60" and writes its pid to pidFile. With
// stdio 'inherit', it holds the script's pipes; with unref, the script may exit before it.
func grandchild(pidFile, stdio string, unref bool) string {
	js := fmt.Sprintf(`const kid = require('child_process').spawn('sleep', ['60'], { stdio: %q });
require('fs').writeFileSync(%q + '.tmp', String(kid.pid));
require('fs').renameSync(%q + '.tmp', %q);
`, stdio, pidFile, pidFile, pidFile)
	if unref {
		js += "kid.unref();\n"
	}
	return js
}

// assertGone reads the pid in pidFile and checks that the process is gone (or a zombie).
func assertGone(t *testing.T, pidFile, what string) {
	t.Helper()
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Errorf("%s never started: %v", what, err)
		return
	}
	pid, _ := strconv.Atoi(string(b))
	if !waitGone(pid, 10*time.Second) {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("%s (pid %d) still runs 10s after runSandboxed resolved; want the script's whole process group killed", what, pid)
	}
}

func limits(timeMs, outputBytes int) map[string]any {
	return map[string]any{"timeMs": timeMs, "outputBytes": outputBytes}
}

func TestExitAndOutput(t *testing.T) {
	t.Parallel()
	src := `process.stdout.write('out: ' + [1, 2, 3].map((n) => n * 2).join(',') + '\n');
console.error('warning: disk almost full');
process.exitCode = 4;`
	got := sandbox(t, src, limits(60000, 1<<20), nil)
	want := result{Code: new(int), Stdout: "out: 2,4,6\n", Stderr: "warning: disk almost full\n"}
	*want.Code = 4
	if got.Result == nil || !got.Result.exitedWith(4) || got.Result.Stdout != want.Stdout || got.Result.Stderr != want.Stderr || got.Result.Limit != nil {
		t.Errorf("runSandboxed(a script that prints and sets exitCode 4) %v; want %v", got, want)
	}
}

func TestMinimalEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	evil := filepath.Join(dir, "evil.js")
	os.WriteFile(evil, []byte(`process.stdout.write('PRELOADED ');`), 0o644)
	env := map[string]string{"PROCDOJO_SECRET": "s3cret", "NODE_OPTIONS": "--require " + evil}
	got := sandbox(t, `console.log(JSON.stringify(process.env));`, limits(60000, 1<<20), env)
	want := `{"PATH":"/usr/bin:/bin"}` + "\n"
	if got.Result == nil || got.Result.Stdout != want || !got.Result.exitedWith(0) {
		t.Errorf("runSandboxed(console.log(JSON.stringify(process.env))), with PROCDOJO_SECRET and NODE_OPTIONS (a preload) in node's environment: %v; want stdout %q: the script gets PATH=/usr/bin:/bin and nothing else of yours", got, want)
	}
}

func TestTimeLimitKillsTheGroup(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "grandchild.pid")
	src := grandchild(pidFile, "inherit", false) + `console.log('started');
setInterval(() => {}, 1000);`
	got := sandbox(t, src, limits(5000, 1<<20), nil)
	if got.Result == nil {
		t.Fatalf("runSandboxed(a script that starts a process holding its stdout, then runs forever), timeMs 5000: %v; want it to resolve soon after 5 s: kill the script's process group, not the script alone, or its pipes stay open", got)
	}
	r := *got.Result
	if r.limit() != "time" || r.Stdout != "started\n" || r.Code != nil || r.Signal == nil || *r.Signal != "SIGKILL" {
		t.Errorf("runSandboxed(a script that runs forever), timeMs 5000: %v; want limit \"time\", signal \"SIGKILL\", code null and the output so far (\"started\\n\")", got)
	}
	if got.Ms < 5000 {
		t.Errorf("runSandboxed resolved after %d ms; want no earlier than the time limit, 5000 ms", got.Ms)
	}
	assertGone(t, pidFile, "the process the script started")
}

func TestLeftoversKilled(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "grandchild.pid")
	src := grandchild(pidFile, "ignore", true) + `console.log('bye');`
	got := sandbox(t, src, limits(60000, 1<<20), nil)
	if got.Result == nil {
		t.Fatalf("runSandboxed(a script that starts a background process and exits 0): %v; want it to resolve with code 0 at once", got)
	}
	if !got.Result.exitedWith(0) || got.Result.Stdout != "bye\n" || got.Result.Limit != nil {
		t.Errorf("runSandboxed(a script that starts a background process and exits 0): %v; want code 0, stdout \"bye\\n\", limit null, at once", got)
	}
	if got.Ms > 20000 {
		t.Errorf("runSandboxed took %d ms; want it to resolve when the script exits, not at the time limit (60 s)", got.Ms)
	}
	assertGone(t, pidFile, "the background process the script left")
}

func TestOutputLimit(t *testing.T) {
	t.Parallel()
	const max = 1 << 20
	flood := func(n int, then string) string {
		return fmt.Sprintf(`const b = Buffer.alloc(65536, 'x');
let sent = 0;
const more = () => {
  while (sent < %d) {
    const k = Math.min(b.length, %d - sent);
    sent += k;
    if (!process.stdout.write(b.subarray(0, k))) return process.stdout.once('drain', more);
  }
  %s
};
more();`, n, n, then)
	}
	tests := []struct {
		name    string
		n       int
		then    string
		limited bool
	}{
		{"one byte under", max - 1, "", false},
		{"exactly the limit", max, "", false},
		{"one byte over", max + 1, "setInterval(() => {}, 1000);", true},
		{"64 MiB", 64 << 20, "setInterval(() => {}, 1000);", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := sandbox(t, flood(tc.n, tc.then), limits(20000, max), nil)
			if got.Result == nil {
				t.Fatalf("runSandboxed(a script that writes %d bytes), outputBytes %d: %v", tc.n, max, got)
			}
			r := *got.Result
			switch {
			case !tc.limited && (r.Limit != nil || !r.exitedWith(0) || len(r.Stdout) != tc.n):
				t.Errorf("runSandboxed(a script that writes %d bytes and exits), outputBytes %d: %d bytes of stdout, limit %s, code %v; want all %d bytes, limit null, code 0", tc.n, max, len(r.Stdout), r.limit(), r.Code, tc.n)
			case tc.limited && (r.limit() != "output" || len(r.Stdout) != max || strings.Trim(r.Stdout, "x") != ""):
				t.Errorf("runSandboxed(a script that writes %d bytes, then runs on), outputBytes %d: %d bytes of stdout, limit %s; want exactly the first %d bytes and limit \"output\"", tc.n, max, len(r.Stdout), r.limit(), max)
			case tc.limited && got.Ms >= 20000:
				t.Errorf("runSandboxed(a script that writes %d bytes, then runs on) resolved after %d ms; want it killed as soon as it passes outputBytes, not at the time limit (20 s)", tc.n, got.Ms)
			}
		})
	}
}

func TestHeapLimit(t *testing.T) {
	t.Parallel()
	alloc := func(arrays int) string { // each array of 1e6 doubles is 8 MB of heap
		return fmt.Sprintf(`const keep = [];
for (let i = 0; i < %d; i++) keep.push(new Array(1e6).fill(i + 0.5));
console.log('allocated ' + keep.length * 8 + ' MB');
setTimeout(() => {}, 60000);`, arrays)
	}
	t.Run("over", func(t *testing.T) {
		t.Parallel()
		got := sandbox(t, alloc(64), map[string]any{"timeMs": 25000, "outputBytes": 1 << 20, "heapMb": 32}, nil)
		if got.Result == nil || got.Result.limit() != "memory" || got.Result.Stdout != "" {
			t.Errorf("runSandboxed(a script that keeps 512 MB of arrays), heapMb 32: %v; want limit \"memory\" and nothing on stdout: start node with --max-old-space-size", got)
		}
	})
	t.Run("under", func(t *testing.T) {
		t.Parallel()
		src := strings.Replace(alloc(2), "setTimeout(() => {}, 60000);", "", 1)
		got := sandbox(t, src, map[string]any{"timeMs": 25000, "outputBytes": 1 << 20, "heapMb": 64}, nil)
		if got.Result == nil || got.Result.Limit != nil || !got.Result.exitedWith(0) || got.Result.Stdout != "allocated 16 MB\n" {
			t.Errorf("runSandboxed(a script that keeps 16 MB of arrays), heapMb 64: %v; want code 0, limit null, stdout \"allocated 16 MB\\n\"", got)
		}
	})
}

func TestInvalidLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	src := fmt.Sprintf(`require('fs').writeFileSync(%q, '');`, marker)
	for _, l := range []map[string]any{
		{"outputBytes": 1024},
		{"timeMs": 0, "outputBytes": 1024},
		{"timeMs": 1000, "outputBytes": -1},
		{"timeMs": 1000, "outputBytes": 1024, "heapMb": 0.5},
	} {
		got := sandbox(t, src, l, nil)
		if got.Err == nil || got.Err.Code != "ERR_INVALID_ARG_VALUE" {
			b, _ := json.Marshal(l)
			t.Errorf("runSandboxed(script, %s) %v; want a rejection with code 'ERR_INVALID_ARG_VALUE'", b, got)
		}
	}
	if _, err := os.Stat(marker); err == nil {
		t.Errorf("a script ran with invalid limits; want nothing to run")
	}
}
