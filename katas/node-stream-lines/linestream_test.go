package linestream

// The tests call streamLines() in node on a real program: the test binary, started as the
// "logger" helper, whose arguments are a little script of actions. The "ack" action proves
// that lines arrive while the program runs: it waits until the test's onLine has seen the
// line before the logger writes the next one.

import (
	"context"
	"encoding/hex"
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
	helpers["logger"] = logger
}

// ackWait is how long the logger waits for onLine to see a line. A streamLines that
// delivers lines only at the end never acknowledges them, and the logger then gives up
// with exit status 3, well before the tests' deadline.
const ackWait = 20 * time.Second

// logger performs its arguments as actions, in order, then exits 0:
//
//	line=TEXT    write TEXT and "\n" to stdout
//	raw=TEXT     write TEXT to stdout, as it is
//	hex=HEX      write the bytes HEX to stdout
//	euros=N      write a line of N '€' (3 bytes each) and "\n", in one write
//	drain        wait until the reader has read everything written so far, so that the
//	             next write reaches it as a read of its own
//	ackdir=DIR   where ack looks
//	ack=N        wait until the file DIR/N exists (onLine has seen N lines); after ackWait,
//	             write "no ack for line N" and exit 3
//	stderr=N     write N bytes to stderr; if that takes more than 20s (nobody reads them),
//	             write "stderr blocked" to stdout and exit 5
//	pidfile=PATH write the logger's pid to PATH (renamed into place)
//	onterm=MS    from now on, SIGTERM makes the logger write "stopping" and exit 0 MS
//	             milliseconds later
//	late         start a copy of the logger, sharing this one's stdout, that waits until
//	             this one has exited and then writes "late 1" and "late 2" a second later
//	orphan=PID   wait until the parent process, PID, has exited, then one more second
//	exit=N       exit with status N
//	kill         die from SIGKILL
//	hang         wait to be killed; after 25s, write "nobody stopped me" and exit 6
func logger(args []string) int {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) }) // in case nobody stops it
	var ackDir string
	for _, a := range args {
		verb, val, _ := strings.Cut(a, "=")
		switch verb {
		case "line":
			os.Stdout.WriteString(val + "\n")
		case "raw":
			os.Stdout.WriteString(val)
		case "hex":
			b, _ := hex.DecodeString(val)
			os.Stdout.Write(b)
		case "euros":
			n, _ := strconv.Atoi(val)
			os.Stdout.WriteString(strings.Repeat("€", n) + "\n")
		case "drain":
			drain()
		case "ackdir":
			ackDir = val
		case "ack":
			if !waitFile(filepath.Join(ackDir, val), ackWait) {
				fmt.Printf("no ack for line %s\n", val)
				return 3
			}
		case "stderr":
			n, _ := strconv.Atoi(val)
			t := time.AfterFunc(20*time.Second, func() {
				os.Stdout.WriteString("stderr blocked\n")
				os.Exit(5)
			})
			os.Stderr.Write([]byte(strings.Repeat("e", n)))
			t.Stop()
		case "pidfile":
			if os.WriteFile(val+".tmp", []byte(strconv.Itoa(os.Getpid())), 0o644) != nil || os.Rename(val+".tmp", val) != nil {
				return 4
			}
		case "onterm":
			ms, _ := strconv.Atoi(val)
			term := make(chan os.Signal, 1)
			signal.Notify(term, syscall.SIGTERM)
			go func() {
				<-term
				os.Stdout.WriteString("stopping\n")
				time.Sleep(time.Duration(ms) * time.Millisecond)
				os.Exit(0)
			}()
		case "late":
			cmd := exec.Command(os.Args[0], os.Args[1], "orphan="+strconv.Itoa(os.Getpid()), "line=late 1", "line=late 2")
			cmd.Stdout = os.Stdout
			if err := cmd.Start(); err != nil {
				fmt.Fprintln(os.Stderr, "logger:", err)
				return 4
			}
		case "orphan":
			parent, _ := strconv.Atoi(val)
			for os.Getppid() == parent {
				time.Sleep(5 * time.Millisecond)
			}
			time.Sleep(time.Second)
		case "exit":
			code, _ := strconv.Atoi(val)
			return code
		case "kill":
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		case "hang":
			time.Sleep(25 * time.Second)
			os.Stdout.WriteString("nobody stopped me\n")
			return 6
		default:
			fmt.Fprintf(os.Stderr, "logger: unknown action %q\n", a)
			return 2
		}
	}
	return 0
}

// drain waits until the reader of stdout has read everything, or pauses where that cannot
// be known.
func drain() {
	if _, known := unreadStdout(); !known {
		time.Sleep(300 * time.Millisecond)
		return
	}
	for start := time.Now(); time.Since(start) < 20*time.Second; time.Sleep(2 * time.Millisecond) {
		if unread, _ := unreadStdout(); !unread {
			return
		}
	}
}

func waitFile(path string, d time.Duration) bool {
	for start := time.Now(); time.Since(start) < d; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
	}
	return false
}

// outcome is how streamLines settled, and the lines onLine had seen by then.
type outcome struct {
	Resolved *struct {
		Code   *int    `json:"code"`
		Signal *string `json:"signal"`
	} `json:"resolved"`
	Error *nodeError `json:"error"`
	Lines []string   `json:"lines"`
}

func (o outcome) String() string {
	lines := o.Lines
	var more string
	if len(lines) > 8 {
		lines, more = lines[:8], fmt.Sprintf(" and %d more", len(o.Lines)-8)
	}
	shown := make([]string, len(lines))
	for i, l := range lines {
		shown[i] = quoteCap(l)
	}
	seen := fmt.Sprintf("onLine saw [%s]%s", strings.Join(shown, ", "), more)
	switch {
	case o.Resolved != nil:
		code, sig := "null", "null"
		if o.Resolved.Code != nil {
			code = strconv.Itoa(*o.Resolved.Code)
		}
		if o.Resolved.Signal != nil {
			sig = strconv.Quote(*o.Resolved.Signal)
		}
		return fmt.Sprintf("resolved with { code: %s, signal: %s }; %s", code, sig, seen)
	case o.Error != nil:
		return fmt.Sprintf("rejected with %v; %s", o.Error, seen)
	}
	return "did not settle; " + seen
}

func quoteCap(s string) string {
	if len(s) > 60 {
		return strconv.Quote(s[:60]) + fmt.Sprintf("... (%d bytes)", len(s))
	}
	return strconv.Quote(s)
}

// snippet calls streamLines on file and args; onLine records each line and creates the file
// ackDir/N for the N-th one, and aborts options.signal at a line starting with abortOn (if
// not empty). It reports the outcome once the promise settles.
const snippet = `const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const lines = [];
const ac = new AbortController();
const onLine = (line) => {
  lines.push(line);
  writeFileSync(join(ackDir, String(lines.length)), '');
  if (abortOn !== '' && line.startsWith(abortOn)) ac.abort();
};
try {
  const r = await mod.streamLines(file, args, onLine, { signal: ac.signal });
  report({ resolved: r, lines: lines.slice() });
} catch (e) {
  report({ error: { name: e.name, message: String(e.message), code: e.code ?? null }, lines: lines.slice() });
}`

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// start runs the snippet on the logger with actions (after "ackdir=..."), and returns the
// node process, to read its report with settled.
func start(t *testing.T, abortOn string, actions ...string) (*exec.Cmd, *nodeProc) {
	t.Helper()
	ackDir := t.TempDir()
	args := helperArgs("logger", append([]string{"ackdir=" + ackDir}, actions...)...)
	return startNode(t, testContext(t), snippet, nodeVars{"file": helperPath(t), "args": args, "ackDir": ackDir, "abortOn": abortOn})
}

// settled returns the outcome the snippet reported, failing the test if there is none.
func settled(t *testing.T, cmd *exec.Cmd, p *nodeProc) outcome {
	t.Helper()
	raw, ok := p.next(t)
	if !ok {
		p.wait(t, cmd)
		if p.run.TimedOut {
			t.Fatalf("streamLines did not settle within 60s; want it to settle once the program has ended")
		}
		t.Fatalf("streamLines did not settle: node ended with %v (exit code %d); stderr: %s", p.run.Err, p.run.ExitCode, capText(p.run.Stderr, 2000))
	}
	var o outcome
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return o
}

// streamLines runs the logger with actions and waits for node to end.
func streamLines(t *testing.T, actions ...string) outcome {
	t.Helper()
	cmd, p := start(t, "", actions...)
	o := settled(t, cmd, p)
	p.wait(t, cmd)
	return o
}

func (o outcome) exited(code int) bool {
	return o.Resolved != nil && o.Resolved.Code != nil && *o.Resolved.Code == code && o.Resolved.Signal == nil
}

func TestStreamLinesLive(t *testing.T) {
	t.Parallel()
	o := streamLines(t, "line=starting", "ack=1", "line=listening on :8080", "ack=2", "line=ready", "ack=3")
	want := []string{"starting", "listening on :8080", "ready"}
	if !o.exited(0) || !slices.Equal(o.Lines, want) {
		t.Errorf("streamLines(logger) %v; want { code: 0 } and onLine called with %q, each line while the program runs (it waits, up to %v, for onLine to see a line before it writes the next): read the stdout stream as it comes, do not wait for the end", o, want, ackWait)
	}
}

func TestStreamLinesWholeLines(t *testing.T) {
	t.Parallel()
	const long = 100 << 10 // 300 KiB of '€'
	o := streamLines(t,
		"raw=fir", "drain", "raw=st\n", // one line in two reads
		"line=", "line=", // empty lines
		"raw=windows\r\n",
		"hex=636166c3", "drain", "hex=a9206f6b0a", // "café ok", the é split across two reads
		"hex=f09f", "drain", "hex=9880202d2073706c697420696e20330a", // "😀 - split in 3"...
		"raw=a\nb\nc\n", // three lines in one read
		"euros="+strconv.Itoa(long),
		"raw=last, without a newline",
	)
	want := []string{"first", "", "", "windows", "café ok", "😀 - split in 3", "a", "b", "c", strings.Repeat("€", long), "last, without a newline"}
	if !o.exited(0) || !slices.Equal(o.Lines, want) {
		var diff string
		for i := range max(len(want), len(o.Lines)) {
			if i >= len(want) || i >= len(o.Lines) || want[i] != o.Lines[i] {
				got := "nothing"
				if i < len(o.Lines) {
					got = quoteCap(o.Lines[i])
				}
				exp := "nothing"
				if i < len(want) {
					exp = quoteCap(want[i])
				}
				diff = fmt.Sprintf("line %d is %s, want %s", i+1, got, exp)
				break
			}
		}
		t.Errorf("streamLines(logger) %v; want { code: 0 } and %d lines, whole and in order (%s): keep the end of a read that is not a whole line for the next read, decode UTF-8 across reads, drop '\\r\\n', deliver the last line without '\\n'", o, len(want), diff)
	}
}

func TestStreamLinesExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		actions []string
		code    *int
		signal  string
	}{
		{"exit 3", []string{"line=before exit", "exit=3"}, ptr(3), ""},
		{"SIGKILL", []string{"line=before exit", "kill"}, nil, "SIGKILL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := streamLines(t, tc.actions...)
			ok := o.Resolved != nil && slices.Equal(o.Lines, []string{"before exit"})
			if ok && tc.code != nil {
				ok = o.exited(*tc.code)
			}
			if ok && tc.code == nil {
				ok = o.Resolved.Code == nil && o.Resolved.Signal != nil && *o.Resolved.Signal == tc.signal
			}
			if !ok {
				want := fmt.Sprintf("{ code: %d, signal: null }", deref(tc.code))
				if tc.code == nil {
					want = fmt.Sprintf("{ code: null, signal: %q }", tc.signal)
				}
				t.Errorf("streamLines(logger [line=before exit, %s]) %v; want it to resolve with %s after onLine saw \"before exit\"", tc.actions[1], o, want)
			}
		})
	}
}

func TestStreamLinesWaitsForClose(t *testing.T) {
	t.Parallel()
	o := streamLines(t, "line=early", "late", "exit=0")
	want := []string{"early", "late 1", "late 2"}
	if !o.exited(0) || !slices.Equal(o.Lines, want) {
		t.Errorf("streamLines(logger) %v; want { code: 0 } once onLine saw %q: the logger exits at once, but a process it started writes \"late 1\" and \"late 2\" to the same stdout a second later. Settle on the child's 'close' event (all its stdio closed), not on 'exit'", o, want)
	}
}

func TestStreamLinesStderrIgnored(t *testing.T) {
	t.Parallel()
	o := streamLines(t, "stderr="+strconv.Itoa(1<<20), "line=done")
	if !o.exited(0) || !slices.Equal(o.Lines, []string{"done"}) {
		t.Errorf("streamLines(logger) %v; want { code: 0 } and [\"done\"]: the logger writes 1 MiB to stderr first, and blocks if stderr is a pipe nobody reads (spawn's default); ignore it with stdio: ['ignore', 'pipe', 'ignore']", o)
	}
}

func TestStreamLinesAbort(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "logger.pid")
	cmd, p := start(t, "ERROR", "pidfile="+pidFile, "onterm=1500",
		"raw=ok 1\nERROR disk full\nafter 1\nafter 2\n", "hang")
	o := settled(t, cmd, p)
	alive := false
	pid := 0
	if b, err := os.ReadFile(pidFile); err == nil {
		pid, _ = strconv.Atoi(string(b))
		alive = processAlive(pid)
	}
	p.wait(t, cmd)
	want := []string{"ok 1", "ERROR disk full"}
	if o.Error == nil || o.Error.Name != "AbortError" || !slices.Equal(o.Lines, want) {
		t.Errorf("streamLines(logger, onLine aborting at \"ERROR\") %v; want a rejection with an AbortError after onLine saw exactly %q: no onLine call after the abort, even for lines already read", o, want)
	}
	if pid == 0 {
		t.Fatalf("the logger never wrote its pid file")
	}
	if alive {
		t.Errorf("streamLines rejected while the logger (pid %d) was still running (it exits 1.5s after SIGTERM); want the promise to settle once the program has exited ('close')", pid)
	}
	if !waitGone(pid, 10*time.Second) {
		t.Errorf("the logger (pid %d) still runs 10s after the abort; want it sent SIGTERM", pid)
	}
}

func TestStreamLinesNotFound(t *testing.T) {
	t.Parallel()
	r := runNode(t, testContext(t), snippet, nodeVars{"file": "procdojo-no-such-program", "args": []string{}, "ackDir": t.TempDir(), "abortOn": ""})
	if r.Err != nil {
		t.Fatalf("streamLines(\"procdojo-no-such-program\") crashed node: %v; want a rejection (listen to the child's 'error' event)", r.Err)
	}
	var o outcome
	r.Report(t, 0, &o)
	if o.Error == nil || o.Error.Code != "ENOENT" || len(o.Lines) > 0 {
		t.Errorf("streamLines(\"procdojo-no-such-program\") %v; want a rejection with code 'ENOENT'", o)
	}
}

func ptr[T any](v T) *T { return &v }

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
