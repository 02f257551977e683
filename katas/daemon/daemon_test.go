package daemon

// A daemon must outlive its starter, so the starter here is a process of its own: the test
// binary started as the "starter" helper, which calls Start and exits at once. The daemon is
// the "daemon" helper: it reports its pid, session and directory in a file, logs a line, and
// on SIGTERM takes 300ms to clean up before it exits (or, as "stubborn", ignores SIGTERM).
// Every test kills the daemons it started when it ends, whatever the code under test did.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["starter"] = starterHelper
	helpers["daemon"] = daemonHelper
}

// starterHelper is started as "starter PIDFILE LOGFILE DIR -- DAEMON-ARGS...": it calls
// Start on the test binary with DAEMON-ARGS and cmd.Dir DIR, prints "pid N" (the daemon's)
// and "sid S" (its own session), and exits 0. It exits 3 if Start's error wraps ErrRunning,
// and 1 on another error.
func starterHelper(args []string) int {
	exe, _ := os.Executable()
	cmd := exec.Command(exe, args[4:]...)
	cmd.Dir = args[2]
	pid, err := Start(cmd, args[0], args[1])
	sid, _ := sessionID(0)
	fmt.Printf("sid %d\n", sid)
	if err != nil {
		fmt.Fprintln(os.Stderr, "starter: Start:", err)
		if errors.Is(err, ErrRunning) {
			return 3
		}
		return 1
	}
	fmt.Printf("pid %d\n", pid)
	return 0
}

// daemonHelper is started as "daemon REPORTFILE MODE". MODE "exit" exits at once. Otherwise
// it writes "pid N", "sid S", "cwd DIR" and, for each of stdin, stdout and stderr, "NAME
// devnull" or "NAME other" to REPORTFILE (atomically), prints "daemon: started" on stdout,
// and waits for SIGTERM: with MODE "term" it then cleans up for 300ms, prints
// "daemon: stopping" and exits 0; with MODE "stubborn" it carries on.
func daemonHelper(args []string) int {
	report, mode := args[0], args[1]
	if mode == "exit" {
		return 0
	}
	time.AfterFunc(30*time.Second, func() { os.Exit(98) })
	term := make(chan os.Signal, 1)
	signal.Notify(term, syscall.SIGTERM)
	sid, _ := sessionID(0)
	wd, _ := os.Getwd()
	fds := ""
	devNull, _ := os.Stat(os.DevNull)
	for _, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
		where := "other"
		if fi, err := f.Stat(); err == nil && devNull != nil && os.SameFile(fi, devNull) {
			where = "devnull"
		}
		fds += fmt.Sprintf("%s %s\n", strings.TrimPrefix(f.Name(), "/dev/"), where)
	}
	tmp := report + ".tmp"
	os.WriteFile(tmp, fmt.Appendf(nil, "pid %d\nsid %d\ncwd %s\n%s", os.Getpid(), sid, wd, fds), 0o644)
	os.Rename(tmp, report)
	fmt.Println("daemon: started")
	for range term {
		if mode == "term" {
			time.Sleep(300 * time.Millisecond)
			fmt.Println("daemon: stopping")
			return 0
		}
	}
	return 0
}

// parseFields parses "key value" lines.
func parseFields(text string) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), " ")
		m[k] = v
	}
	return m
}

// startReport is what the starter and the daemon reported.
type startReport struct {
	code       int // the starter's exit status
	stderr     string
	starterSid int
	pid        int // the pid the starter printed, 0 if none
	report     map[string]string
}

// startDaemon runs the starter helper, which starts a daemon helper in mode with pidFile
// and logFile, and waits for the starter to exit and, if it printed a pid, for the daemon
// to report. The test kills the daemon when it ends.
func startDaemon(t *testing.T, pidFile, logFile, mode string) startReport {
	t.Helper()
	return startDaemonIn(t, "", pidFile, logFile, mode)
}

// startDaemonIn is startDaemon with the daemon's cmd.Dir set to dir. The starter's stdin is
// a pipe, so that a daemon that inherited it would not have /dev/null.
func startDaemonIn(t *testing.T, dir, pidFile, logFile, mode string) startReport {
	t.Helper()
	report := filepath.Join(t.TempDir(), "report")
	t.Cleanup(func() {
		// Kill the daemon whatever the pid file says.
		if b, err := os.ReadFile(report); err == nil {
			if pid, _ := strconv.Atoi(parseFields(string(b))["pid"]); pid > 0 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	args := append([]string{pidFile, logFile, dir, "--"}, helperArgs("daemon", report, mode)...)
	cmd := exec.CommandContext(ctx, helperPath(t), helperArgs("starter", args...)...)
	cmd.Stdin = strings.NewReader("")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	// If the daemon holds the starter's stdout, Output would wait for the daemon: stop
	// waiting 2s after the starter exits.
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.Output()
	var s startReport
	s.stderr = stderr.String()
	got := parseFields(string(out))
	s.starterSid, _ = strconv.Atoi(got["sid"])
	s.pid, _ = strconv.Atoi(got["pid"])
	if s.pid > 0 {
		pid := s.pid
		t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	}
	var exitErr *exec.ExitError
	switch {
	case errors.Is(err, exec.ErrWaitDelay):
		t.Fatalf("the starter exited, but its stdout stayed open: the daemon inherited it; want the daemon's stdout and stderr on the log file, so that nobody reading the starter's output waits for the daemon")
	case ctx.Err() != nil:
		t.Fatalf("the starter did not exit within 10s; want Start to return without waiting for the daemon (stderr: %q)", s.stderr)
	case errors.As(err, &exitErr):
		s.code = exitErr.ExitCode()
		return s
	case err != nil:
		t.Fatal(err)
	}
	if s.pid <= 0 {
		t.Fatalf("the starter printed %q; want the daemon's pid from Start", out)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if b, err := os.ReadFile(report); err == nil {
			s.report = parseFields(string(b))
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("the daemon (pid %d) did not report within 10s of the starter's exit: did it die with its starter?", s.pid)
		}
	}
}

// processExists reports whether process pid exists.
func processExists(pid int) bool {
	return syscall.Kill(pid, 0) == nil
}

// pidIn returns the pid recorded in pidFile, or -1.
func pidIn(pidFile string) int {
	b, err := os.ReadFile(pidFile)
	if err != nil {
		return -1
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return pid
}

// deadPid returns the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	cmd := helperCommand(t, "daemon", "", "exit")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func stopContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestDaemonLifecycle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile, logFile := filepath.Join(dir, "app.pid"), filepath.Join(dir, "app.log")
	const earlier = "an earlier run\n"
	if err := os.WriteFile(logFile, []byte(earlier), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startDaemon(t, pidFile, logFile, "term")
	if s.code != 0 {
		t.Fatalf("the starter's Start(daemon, pidFile, logFile) failed: %s", s.stderr)
	}
	pid := s.pid

	// The starter has exited; the daemon must still run, on its own.
	if got, _ := strconv.Atoi(s.report["pid"]); got != pid {
		t.Errorf("Start returned pid %d; want the daemon's pid, %d", pid, got)
	}
	if !processExists(pid) {
		t.Fatalf("the daemon (pid %d) died with its starter; want it to outlive the process that called Start", pid)
	}
	if got := pidIn(pidFile); got != pid {
		t.Errorf("the pid file holds %d; want the daemon's pid, %d", got, pid)
	}
	if sid, _ := strconv.Atoi(s.report["sid"]); sid != pid || sid == s.starterSid {
		t.Errorf("the daemon (pid %d) is in session %d, the starter in session %d; want the daemon to lead a new session of its own (SysProcAttr.Setsid), out of reach of the starter's terminal", pid, sid, s.starterSid)
	}
	if cwd := s.report["cwd"]; cwd != "/" {
		t.Errorf("the daemon's working directory is %q; want \"/\" (cmd.Dir was empty)", cwd)
	}
	if s.report["stdin"] != "devnull" {
		t.Errorf("the daemon's stdin is not /dev/null (its starter's was a pipe); want /dev/null: leave cmd.Stdin nil")
	}

	if err := Stop(stopContext(t, 10*time.Second), pidFile); err != nil {
		t.Fatalf("Stop(ctx, pidFile) = %v; want nil", err)
	}
	if processExists(pid) {
		t.Fatalf("Stop returned while the daemon (pid %d) was still running; want it to wait until the daemon has exited (it takes 300ms to clean up after SIGTERM)", pid)
	}
	if _, err := os.Stat(pidFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Stop, the pid file still exists (%v); want it removed", err)
	}
	log, _ := os.ReadFile(logFile)
	if !strings.HasPrefix(string(log), earlier) {
		t.Errorf("the log file holds %q; want it to start with what it held before Start, %q: open it for appending (os.O_APPEND), not truncated", log, earlier)
	}
	for _, line := range []string{"daemon: started\n", "daemon: stopping\n"} {
		if !strings.Contains(string(log), line) {
			t.Errorf("the log file holds %q; want the daemon's line %q: its stdout goes to the log file, and must still work after its starter exited", log, line)
		}
	}
}

func TestStartDirNoLog(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	work, _ := filepath.EvalSymlinks(t.TempDir())
	pidFile := filepath.Join(dir, "app.pid")
	s := startDaemonIn(t, work, pidFile, "", "term")
	if s.code != 0 {
		t.Fatalf("the starter's Start(daemon with Dir %q, pidFile, \"\") failed: %s", work, s.stderr)
	}
	if cwd := s.report["cwd"]; cwd != work {
		t.Errorf("the daemon's working directory is %q; want cmd.Dir, %q: \"/\" is only for an empty cmd.Dir", cwd, work)
	}
	for _, name := range []string{"stdout", "stderr"} {
		if s.report[name] != "devnull" {
			t.Errorf("the daemon's %s is not /dev/null; want /dev/null when logFile is \"\"", name)
		}
	}
	if err := Stop(stopContext(t, 10*time.Second), pidFile); err != nil {
		t.Errorf("Stop(ctx, pidFile) = %v; want nil", err)
	}
}

func TestStartRefusesRunningDaemon(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile, logFile := filepath.Join(dir, "app.pid"), filepath.Join(dir, "app.log")
	first := startDaemon(t, pidFile, logFile, "term")
	if first.code != 0 {
		t.Fatalf("the first Start failed: %s", first.stderr)
	}
	second := startDaemon(t, pidFile, logFile, "term")
	if second.code != 3 {
		t.Errorf("a second Start with the pid file of a running daemon: starter exit status %d (stderr %q); want an error wrapping ErrRunning (status 3)", second.code, second.stderr)
	}
	if second.pid > 0 {
		t.Errorf("a second Start with the pid file of a running daemon started another daemon (pid %d); want it to start nothing", second.pid)
	}
	if got := pidIn(pidFile); got != first.pid {
		t.Errorf("after the refused Start, the pid file holds %d; want the running daemon's pid, %d", got, first.pid)
	}
}

func TestStartReplacesStalePidFile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		content func(t *testing.T) string
	}{
		{"pid of a process that has exited", func(t *testing.T) string { return fmt.Sprintf("%d\n", deadPid(t)) }},
		{"no pid at all", func(*testing.T) string { return "not a pid\n" }},
		{"empty", func(*testing.T) string { return "" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			pidFile, logFile := filepath.Join(dir, "app.pid"), filepath.Join(t.TempDir(), "app.log")
			stale := tt.content(t)
			if err := os.WriteFile(pidFile, []byte(stale), 0o644); err != nil {
				t.Fatal(err)
			}
			old, err := os.Stat(pidFile)
			if err != nil {
				t.Fatal(err)
			}
			s := startDaemon(t, pidFile, logFile, "term")
			if s.code != 0 {
				t.Fatalf("Start with a stale pid file holding %q failed: %s; want it to take the pid file over", stale, s.stderr)
			}
			if got := pidIn(pidFile); got != s.pid {
				t.Errorf("the pid file holds %d; want the new daemon's pid, %d", got, s.pid)
			}
			if now, err := os.Stat(pidFile); err == nil && os.SameFile(old, now) {
				t.Errorf("Start rewrote the pid file in place (it is the same file as before); want it written to a temporary file in the same directory and renamed over the pid file, so that a reader never sees it empty or half-written")
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				var names []string
				for _, e := range entries {
					names = append(names, e.Name())
				}
				t.Errorf("the pid file's directory holds %q; want only %q: leave no temporary file behind", names, filepath.Base(pidFile))
			}
		})
	}
}

func TestStopDeadline(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile, logFile := filepath.Join(dir, "app.pid"), filepath.Join(dir, "app.log")
	s := startDaemon(t, pidFile, logFile, "stubborn")
	if s.code != 0 {
		t.Fatalf("Start failed: %s", s.stderr)
	}
	done := make(chan error, 1)
	go func() { done <- Stop(stopContext(t, 300*time.Millisecond), pidFile) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stop with a 300ms deadline on a daemon that ignores SIGTERM = %v; want an error wrapping context.DeadlineExceeded", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Stop with a 300ms deadline did not return within 5s; want it to give up when ctx ends")
	}
	if !processExists(s.pid) {
		t.Errorf("the daemon that ignores SIGTERM is gone after Stop gave up; want it left alone (the caller decides what next)")
	}
	if got := pidIn(pidFile); got != s.pid {
		t.Errorf("after Stop gave up, the pid file holds %d; want it kept with the daemon's pid, %d: the daemon still runs", got, s.pid)
	}
}

func TestStopNotRunning(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		content  string // "" for no pid file, "dead" for the pid of a process that has exited
		wantKept bool   // the file must be left alone
	}{
		{name: "no pid file"},
		{name: "stale pid file", content: "dead"},
		{name: "a file with no pid", content: "not a pid\n", wantKept: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pidFile := filepath.Join(t.TempDir(), "app.pid")
			switch tt.content {
			case "":
			case "dead":
				os.WriteFile(pidFile, fmt.Appendf(nil, "%d\n", deadPid(t)), 0o644)
			default:
				os.WriteFile(pidFile, []byte(tt.content), 0o644)
			}
			err := Stop(stopContext(t, 5*time.Second), pidFile)
			if !errors.Is(err, ErrNotRunning) {
				t.Errorf("Stop(ctx, pidFile) with %s = %v; want an error wrapping ErrNotRunning", tt.name, err)
			}
			_, statErr := os.Stat(pidFile)
			switch {
			case tt.wantKept && statErr != nil:
				t.Errorf("after Stop with %s, the file is gone (%v); want it left alone: it names no process, so it may be no pid file at all", tt.name, statErr)
			case !tt.wantKept && !errors.Is(statErr, os.ErrNotExist):
				t.Errorf("after Stop with %s, the pid file exists (%v); want a stale pid file removed", tt.name, statErr)
			}
		})
	}
}
