// Code generated from internal/kata/harness_node.go.tmpl by "go generate ./katas"; DO NOT EDIT.

package runner

// This file is the Node.js side of the kata test harness, added to the package of every Node
// kata with harness_test.go. The user's solution is the CommonJS module runner.js in the
// package folder; the tests call it through node, in a real node process per call:
//
//	r := runNode(t, ctx, `report(await mod.run(file, args))`, nodeVars{"file": bin, "args": args})
//
// runNode writes a driver script that loads the module as mod, gives the snippet the values
// of vars as JavaScript constants (JSON-encoded), and runs the snippet in an async function.
// The snippet calls report(value) to hand a value back to the test (each report is one JSON
// line on a descriptor of its own, so the module's console.log never mixes with them). If the
// snippet throws, the error's name, message and code are reported as the run's Err.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// userModule is the user's file, in the package folder.
const userModule = "runner.js"

// nodeVars are values handed to a snippet as constants, by name.
type nodeVars map[string]any

// nodeError is an error the snippet threw (or a rejected promise it awaited).
type nodeError struct {
	Name    string `json:"name"`
	Message string `json:"message"`
	Code    any    `json:"code"` // err.code: a string such as "ENOENT" or "ABORT_ERR", or a number
}

func (e *nodeError) Error() string {
	if e.Code != nil {
		return fmt.Sprintf("%s: %s (code %v)", e.Name, e.Message, e.Code)
	}
	return e.Name + ": " + e.Message
}

// nodeRun is what one node process did.
type nodeRun struct {
	Reports  []json.RawMessage // the values the snippet reported, in order
	Err      *nodeError        // what the snippet threw, if it did
	Stdout   string            // the process's own output (console.log), capped
	Stderr   string
	ExitCode int // -1 when a signal ended it
	Pid      int // the node process
	TimedOut bool
}

// Report decodes the i-th reported value into v, failing the test when there is none.
func (r *nodeRun) Report(t testing.TB, i int, v any) {
	t.Helper()
	if i >= len(r.Reports) {
		t.Fatalf("the module reported %d values; want at least %d (error: %v; stderr: %s)", len(r.Reports), i+1, r.Err, capText(r.Stderr, 2000))
	}
	if err := json.Unmarshal(r.Reports[i], v); err != nil {
		t.Fatalf("decoding report %d (%s): %v", i, r.Reports[i], err)
	}
}

// nodeDriver is the script runNode runs; %s is the snippet.
const nodeDriver = `'use strict';
const fs = require('node:fs');
const report = (v) => { fs.writeSync(3, JSON.stringify(v === undefined ? null : v) + '\n'); };
const vars = JSON.parse(process.env.PROCDOJO_NODE_VARS || '{}') || {};
const mod = require(process.env.PROCDOJO_NODE_MODULE);
(async () => {
  const {%s} = vars;
%s
})().then(() => {
  fs.writeSync(3, JSON.stringify({ __done: true }) + '\n');
}, (err) => {
  const e = err instanceof Error ? err : new Error(String(err));
  fs.writeSync(3, JSON.stringify({ __error: { name: e.name, message: e.message, code: e.code === undefined ? null : e.code } }) + '\n');
  process.exitCode = 70;
});
`

var identifier = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// nodePath returns the node to run: the one procdojo's checker found ($PROCDOJO_NODE), else
// node on PATH.
func nodePath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("PROCDOJO_NODE"); p != "" {
		return p
	}
	p, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("harness: node is not installed: %v", err)
	}
	return p
}

// modulePath returns the absolute path of the user's module.
func modulePath(t testing.TB) string {
	t.Helper()
	p, err := filepath.Abs(userModule)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	return p
}

// runNode runs snippet in a new node process that has loaded the user's module, and waits
// until it ends or ctx ends; then the process group of node is killed, whatever is left of
// it. vars become constants of the snippet. The node process has its own process group, and
// an empty stdin.
func runNode(t testing.TB, ctx context.Context, snippet string, vars nodeVars) *nodeRun {
	t.Helper()
	cmd, r := startNode(t, ctx, snippet, vars)
	r.wait(t, cmd)
	return r.run
}

// nodeProc is a started node process.
type nodeProc struct {
	run     *nodeRun
	reports *bufio.Scanner
	mu      sync.Mutex
	stdout  *cappedBuffer
	stderr  *cappedBuffer
	done    chan struct{}
	ctx     context.Context
}

// startNode starts snippet as runNode does, without waiting: use next to read the reports
// as they come (for tests that act while the module works), then wait.
func startNode(t testing.TB, ctx context.Context, snippet string, vars nodeVars) (*exec.Cmd, *nodeProc) {
	t.Helper()
	names := make([]string, 0, len(vars))
	for name := range vars {
		if !identifier.MatchString(name) {
			t.Fatalf("harness: %q is not a JavaScript identifier", name)
		}
		names = append(names, name)
	}
	sort.Strings(names)
	varsJSON, err := json.Marshal(vars)
	if err != nil {
		t.Fatalf("harness: encoding the snippet's values: %v", err)
	}
	dir := t.TempDir()
	driver := filepath.Join(dir, "driver.js")
	if err := os.WriteFile(driver, []byte(fmt.Sprintf(nodeDriver, strings.Join(names, ", "), snippet)), 0o644); err != nil {
		t.Fatalf("harness: %v", err)
	}
	reportR, reportW, err := os.Pipe()
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	cmd := exec.Command(nodePath(t), driver)
	cmd.Env = append(os.Environ(), "PROCDOJO_NODE_MODULE="+modulePath(t), "PROCDOJO_NODE_VARS="+string(varsJSON))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.ExtraFiles = []*os.File{reportW}
	// A process the module started in a group of its own may keep node's stdout or stderr
	// open after node exits: wait no longer than this for them to close.
	cmd.WaitDelay = 2 * time.Second
	p := &nodeProc{run: &nodeRun{}, stdout: &cappedBuffer{max: 256 << 10}, stderr: &cappedBuffer{max: 256 << 10}, done: make(chan struct{}), ctx: ctx}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("harness: starting node: %v", err)
	}
	reportW.Close()
	p.run.Pid = cmd.Process.Pid
	p.reports = bufio.NewScanner(reportR)
	p.reports.Buffer(nil, 16<<20)
	pgid := cmd.Process.Pid
	t.Cleanup(func() { syscall.Kill(-pgid, syscall.SIGKILL); reportR.Close() })
	go func() {
		select {
		case <-ctx.Done():
			syscall.Kill(-pgid, syscall.SIGKILL)
		case <-p.done:
		}
	}()
	return cmd, p
}

// next returns the next value the snippet reports, or false when the snippet ended (or threw)
// without another. It blocks until then.
func (p *nodeProc) next(t testing.TB) (json.RawMessage, bool) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.reports.Scan() {
		line := append([]byte(nil), p.reports.Bytes()...)
		var marker struct {
			Done  bool       `json:"__done"`
			Error *nodeError `json:"__error"`
		}
		if bytes.HasPrefix(line, []byte(`{"__`)) && json.Unmarshal(line, &marker) == nil && (marker.Done || marker.Error != nil) {
			p.run.Err = marker.Error
			return nil, false
		}
		p.run.Reports = append(p.run.Reports, line)
		return line, true
	}
	return nil, false
}

// wait reads the remaining reports, waits for node to exit, and kills its process group.
func (p *nodeProc) wait(t testing.TB, cmd *exec.Cmd) {
	t.Helper()
	for {
		if _, ok := p.next(t); !ok {
			break
		}
	}
	err := cmd.Wait()
	close(p.done)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	p.run.Stdout, p.run.Stderr = p.stdout.String(), p.stderr.String()
	p.run.ExitCode = cmd.ProcessState.ExitCode()
	p.run.TimedOut = p.ctx.Err() != nil
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) && !errors.Is(err, exec.ErrWaitDelay) {
		t.Fatalf("harness: waiting for node: %v", err)
	}
	if p.run.Err == nil && p.run.ExitCode != 0 && !p.run.TimedOut && strings.Contains(p.run.Stderr, "Error") {
		// The module threw while loading, or outside the snippet's promise.
		p.run.Err = &nodeError{Name: "Error", Message: "node exited with " + cmd.ProcessState.String() + ": " + capText(p.run.Stderr, 2000)}
	}
}

// cappedBuffer keeps the first max bytes written to it and counts the rest.
type cappedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	max     int
	dropped int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := min(len(p), b.max-b.buf.Len())
	b.buf.Write(p[:max(n, 0)])
	b.dropped += len(p) - max(n, 0)
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.dropped > 0 {
		return b.buf.String() + fmt.Sprintf("\n... (%d more bytes)", b.dropped)
	}
	return b.buf.String()
}

// capText cuts s to n bytes for a message.
func capText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("... (%d more bytes)", len(s)-n)
}

// processAlive reports whether process pid exists and is not a zombie (Linux reads /proc;
// elsewhere a zombie counts as alive).
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return !errors.Is(err, os.ErrNotExist) && !isLinux()
	}
	if i := bytes.LastIndexByte(stat, ')'); i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z' {
		return false
	}
	return true
}

func isLinux() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}

// waitGone waits until process pid is gone (or a zombie), up to d; it reports whether it went.
func waitGone(pid int, d time.Duration) bool {
	deadline := time.Now().Add(d)
	for processAlive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
	return true
}
