package capped

// The tests call capture() in node on a real program: the test binary, started as the
// "writer" helper, whose arguments are a little script of actions. The writer records its
// pid in a file, so a test can check, the moment capture settles, that it has exited and
// been reaped.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

func init() {
	helpers["writer"] = writer
}

// selfExit is when the writer exits on its own (status 98) if nobody killed it: a capture
// that does not kill it settles then, too late and with the wrong signal.
const selfExit = 10 * time.Second

// writer performs its arguments as actions, in order, then exits 0:
//
//	pidfile=PATH    write the writer's pid to PATH (renamed into place)
//	stubborn        ignore SIGTERM and SIGPIPE from now on
//	repeat=N:TEXT   write TEXT N times to stdout, in one write
//	flood           write 'x' to stdout, 64 KiB at a time, for ever; after a failed write
//	                (the reader is gone), wait
//	stderr=N        write N bytes to stderr; if that takes more than 10s (nobody reads
//	                them), write "stderr blocked" to stdout and exit 5
//	exit=N          exit with status N
//	hang            wait
//
// Whatever it does, it exits with status 98 after selfExit.
func writer(args []string) int {
	time.AfterFunc(selfExit, func() { os.Exit(98) })
	for _, a := range args {
		verb, val, _ := strings.Cut(a, "=")
		switch verb {
		case "pidfile":
			if os.WriteFile(val+".tmp", []byte(strconv.Itoa(os.Getpid())), 0o644) != nil || os.Rename(val+".tmp", val) != nil {
				return 4
			}
		case "stubborn":
			signal.Ignore(syscall.SIGTERM, syscall.SIGPIPE)
		case "repeat":
			n, text, _ := strings.Cut(val, ":")
			count, _ := strconv.Atoi(n)
			os.Stdout.WriteString(strings.Repeat(text, count))
		case "flood":
			block := []byte(strings.Repeat("x", 64<<10))
			for {
				if _, err := os.Stdout.Write(block); err != nil {
					select {}
				}
			}
		case "stderr":
			n, _ := strconv.Atoi(val)
			t := time.AfterFunc(10*time.Second, func() {
				os.Stdout.WriteString("stderr blocked\n")
				os.Exit(5)
			})
			os.Stderr.WriteString(strings.Repeat("e", n))
			t.Stop()
		case "exit":
			code, _ := strconv.Atoi(val)
			return code
		case "hang":
			select {}
		default:
			fmt.Fprintf(os.Stderr, "writer: unknown action %q\n", a)
			return 2
		}
	}
	return 0
}

// result is what capture resolves with.
type result struct {
	Output    string  `json:"output"`
	Truncated bool    `json:"truncated"`
	Code      *int    `json:"code"`
	Signal    *string `json:"signal"`
}

func (r result) String() string {
	code, sig := "null", "null"
	if r.Code != nil {
		code = strconv.Itoa(*r.Code)
	}
	if r.Signal != nil {
		sig = strconv.Quote(*r.Signal)
	}
	return fmt.Sprintf("{ output: %s, truncated: %v, code: %s, signal: %s }", describe(r.Output), r.Truncated, code, sig)
}

// describe shows a long output by its size and ends.
func describe(s string) string {
	if len(s) <= 40 {
		return strconv.Quote(s)
	}
	head, tail := 12, len(s)-12
	for head < len(s) && !utf8.RuneStart(s[head]) {
		head++
	}
	for tail > 0 && !utf8.RuneStart(s[tail]) {
		tail--
	}
	return fmt.Sprintf("%d bytes (%d characters): %q...%q", len(s), utf8.RuneCountInString(s), s[:head], s[tail:])
}

// settled is what capture did: its result or its error, and the state of the writer at
// the moment the promise settled.
type settled struct {
	Result *result
	Err    *nodeError
	Pid    int
	Reaped bool // the writer had exited and been waited for (not even a zombie)
	Took   time.Duration
}

func (s settled) String() string {
	if s.Err != nil {
		return "rejected with " + s.Err.Error()
	}
	return "resolved with " + s.Result.String()
}

// captureSnippet reports how capture settled, then blocks node's event loop until the test
// has looked at the writer: node cannot reap it behind the test's back, so the test sees
// the writer as it was when the promise settled.
const captureSnippet = `const { existsSync } = require('node:fs');
try {
  report({ result: await mod.capture(file, args, maxBytes) });
} catch (e) {
  report({ error: { name: e.name, message: String(e.message), code: e.code ?? null } });
}
const nap = new Int32Array(new SharedArrayBuffer(4));
for (let i = 0; i < 6000 && !existsSync(looked); i++) Atomics.wait(nap, 0, 0, 5);`

// capture runs capture(writer, [pidfile=..., actions...], maxBytes) in node and returns how
// it settled.
func capture(t *testing.T, maxBytes int, actions ...string) settled {
	t.Helper()
	dir := t.TempDir()
	pidFile, looked := filepath.Join(dir, "writer.pid"), filepath.Join(dir, "looked")
	args := helperArgs("writer", append([]string{"pidfile=" + pidFile}, actions...)...)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	start := time.Now()
	cmd, p := startNode(t, ctx, captureSnippet, nodeVars{"file": helperPath(t), "args": args, "maxBytes": maxBytes, "looked": looked})
	raw, ok := p.next(t)
	var s settled
	s.Took = time.Since(start)
	if b, err := os.ReadFile(pidFile); err == nil {
		s.Pid, _ = strconv.Atoi(string(b))
		s.Reaped = errors.Is(syscall.Kill(s.Pid, 0), syscall.ESRCH)
	}
	os.WriteFile(looked, nil, 0o644)
	p.wait(t, cmd)
	if !ok {
		if p.run.TimedOut {
			t.Fatalf("capture(writer %q, %d) did not settle within 60s", actions, maxBytes)
		}
		t.Fatalf("capture(writer %q, %d): node ended without a result: %v; stderr: %s", actions, maxBytes, p.run.Err, capText(p.run.Stderr, 2000))
	}
	var got struct {
		Result *result    `json:"result"`
		Error  *nodeError `json:"error"`
	}
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("decoding %s: %v", capText(string(raw), 200), err)
	}
	s.Result, s.Err = got.Result, got.Error
	if s.Result == nil && s.Err == nil {
		t.Fatalf("capture(writer %q, %d) resolved with %s; want an object { output, truncated, code, signal }", actions, maxBytes, capText(string(raw), 200))
	}
	if s.Pid != 0 && !s.Reaped {
		state := "still running"
		if !processAlive(s.Pid) {
			state = "dead but not yet reaped by node (a zombie)"
		}
		t.Errorf("capture(writer %q, %d) settled while the writer (pid %d) was %s; want the promise to settle once it has exited and node has reaped it: on the child's 'close' event, not right after kill()", actions, maxBytes, s.Pid, state)
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func sameResult(got *result, want result) bool {
	if got == nil {
		return false
	}
	eqCode := (got.Code == nil) == (want.Code == nil) && (got.Code == nil || *got.Code == *want.Code)
	eqSig := (got.Signal == nil) == (want.Signal == nil) && (got.Signal == nil || *got.Signal == *want.Signal)
	return got.Output == want.Output && got.Truncated == want.Truncated && eqCode && eqSig
}

func TestCaptureWithinCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		maxBytes int
		actions  []string
		want     result
	}{
		{"short", 1000, []string{"repeat=1:héllo wörld €😀\n"}, result{Output: "héllo wörld €😀\n", Code: ptr(0)}},
		{"exactly maxBytes", 1000, []string{"repeat=1000:a"}, result{Output: strings.Repeat("a", 1000), Code: ptr(0)}},
		{"exactly maxBytes, 3-byte characters", 1000, []string{"repeat=333:€", "repeat=1:a"}, result{Output: strings.Repeat("€", 333) + "a", Code: ptr(0)}},
		{"exit status 3", 1000, []string{"repeat=1:partial\n", "exit=3"}, result{Output: "partial\n", Code: ptr(3)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := capture(t, tc.maxBytes, tc.actions...)
			if !sameResult(s.Result, tc.want) {
				t.Errorf("capture(writer %q, %d) %v; want %v: at most maxBytes BYTES is not too many", tc.actions, tc.maxBytes, s, tc.want)
			}
		})
	}
}

func TestCaptureOverCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		maxBytes int
		text     string
		count    int
		want     string
	}{
		{"one byte over", 1000, "a", 1001, strings.Repeat("a", 1000)},
		{"2-byte characters, the cap cuts one", 1001, "é", 600, strings.Repeat("é", 500)},
		{"3-byte characters, the cap cuts one", 1000, "€", 400, strings.Repeat("€", 333)},
		{"4-byte characters, the cap cuts one", 1002, "😀", 300, strings.Repeat("😀", 250)},
		{"3 MB of 3-byte characters, 2 MiB kept", 2 << 20, "€", 1_000_000, strings.Repeat("€", (2<<20)/3)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			actions := []string{"stubborn", fmt.Sprintf("repeat=%d:%s", tc.count, tc.text), "hang"}
			s := capture(t, tc.maxBytes, actions...)
			want := result{Output: tc.want, Truncated: true, Signal: ptr("SIGKILL")}
			call := fmt.Sprintf("capture(writer [%q x %d, then wait], %d)", tc.text, tc.count, tc.maxBytes)
			if !sameResult(s.Result, want) {
				t.Errorf("%s %v; want %v: keep the first maxBytes BYTES, drop a character that the cap cut in two (no U+FFFD), and kill the writer with SIGKILL (it ignores SIGTERM and SIGPIPE)", call, s, want)
			}
		})
	}
	t.Run("writes one byte over, then exits", func(t *testing.T) {
		t.Parallel()
		s := capture(t, 1000, "repeat=1001:a")
		if s.Result == nil || !s.Result.Truncated || s.Result.Output != strings.Repeat("a", 1000) {
			t.Errorf("capture(writer [\"a\" x 1001], 1000) %v; want output 1000 \"a\" and truncated: true, however the writer ended", s)
		}
	})
}

func TestCaptureKillsAtOnce(t *testing.T) {
	t.Parallel()
	s := capture(t, 64<<10, "stubborn", "flood")
	want := result{Output: strings.Repeat("x", 64<<10), Truncated: true, Signal: ptr("SIGKILL")}
	if !sameResult(s.Result, want) {
		t.Errorf("capture(writer writing for ever, 65536) %v after %v; want %v: as soon as stdout passes maxBytes, kill the writer with SIGKILL (it ignores SIGTERM and SIGPIPE, and exits by itself with status 98 after %v)", s, s.Took.Round(time.Millisecond), want, selfExit)
	}
	if s.Pid != 0 && !waitGone(s.Pid, 10*time.Second) {
		t.Errorf("the writer (pid %d) still runs 10s after capture settled; want no process left behind", s.Pid)
	}
}

func TestCaptureStderrIgnored(t *testing.T) {
	t.Parallel()
	s := capture(t, 1000, "stderr="+strconv.Itoa(1<<20), "repeat=1:ok\n")
	want := result{Output: "ok\n", Code: ptr(0)}
	if !sameResult(s.Result, want) {
		t.Errorf("capture(writer [1 MiB to stderr, \"ok\\n\" to stdout], 1000) %v; want %v: stderr is ignored, neither a pipe nobody reads (the writer blocks) nor counted against maxBytes", s, want)
	}
}

func TestCaptureNotFound(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := runNode(t, ctx, `report(await mod.capture('procdojo-no-such-program', [], 1000));`, nil)
	if r.Err == nil || r.Err.Code != "ENOENT" {
		got, _ := json.Marshal(r.Reports)
		t.Errorf("capture(\"procdojo-no-such-program\", [], 1000) = %s, error %v; want a rejection with code 'ENOENT' (listen to the child's 'error' event)", got, r.Err)
	}
}
