package envcheck

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The helpers are fake tools, found in PATH through helperLink: each answers "--version"
// like a real tool would. Each is wrapped by orphanGuard, so a tool left running by a
// solution that never kills it exits once the test binary is gone.
func init() {
	tools := map[string]func([]string) int{
		"gizmo":     printer(os.Stdout, "gizmo version 1.10.2 (built 2024-03-01)\n", 0),
		"widget":    printer(os.Stdout, "widget 1.2.3\nCopyright 1999\n", 0),
		"sprocket":  printer(os.Stderr, "sprocket v2.0\n", 0), // like java -version: stderr
		"doohickey": printer(os.Stdout, "doohickey 3.0.0\n", 0),
		"mute":      printer(os.Stdout, "mute: version unknown\n", 0),
		"crashy":    printer(os.Stderr, "crashy: --version: unknown option\n", 2),
		// hang never answers.
		"hang": func([]string) int {
			time.Sleep(time.Hour)
			return 0
		},
	}
	// barrier-a, barrier-b and barrier-c answer only once all three have started, which
	// they record as files in $ENVCHECK_BARRIER: probed one after another, they never do.
	for _, name := range barrierTools {
		tools[name] = func([]string) int {
			dir := os.Getenv("ENVCHECK_BARRIER")
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
				return 1
			}
			for !allExist(dir, barrierTools) {
				time.Sleep(5 * time.Millisecond)
			}
			fmt.Printf("%s 1.0.0\n", name)
			return 0
		}
	}
	for name, h := range tools {
		helpers[name] = orphanGuard(h)
	}
}

var barrierTools = []string{"barrier-a", "barrier-b", "barrier-c"}

func printer(w *os.File, text string, code int) func([]string) int {
	return func(args []string) int {
		if len(args) != 1 || args[0] != "--version" {
			fmt.Fprintf(os.Stderr, "usage: tool --version (got %q)\n", args)
			return 64
		}
		fmt.Fprint(w, text)
		return code
	}
}

func allExist(dir string, names []string) bool {
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return false
		}
	}
	return true
}

// orphanGuard makes a helper exit when its parent, the test binary, is gone.
func orphanGuard(h func([]string) int) func([]string) int {
	return func(args []string) int {
		ppid := os.Getppid()
		go func() {
			for range time.Tick(100 * time.Millisecond) {
				if os.Getppid() != ppid {
					os.Exit(99)
				}
			}
		}()
		return h(args)
	}
}

// setPath makes PATH hold exactly the fake tools named.
func setPath(t *testing.T, tools ...string) {
	t.Helper()
	var dirs []string
	for _, name := range tools {
		dirs = append(dirs, helperLink(t, name))
	}
	t.Setenv("PATH", strings.Join(dirs, string(os.PathListSeparator)))
}

// checkAll calls CheckAll under a context that expires after overall, and fails the test
// if CheckAll does not return soon after that.
func checkAll(t *testing.T, overall time.Duration, reqs []Requirement, timeout time.Duration) (checks []Check, expired bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), overall)
	defer cancel()
	done := make(chan []Check, 1)
	go func() { done <- CheckAll(ctx, reqs, timeout) }()
	select {
	case checks = <-done:
	case <-time.After(overall + 5*time.Second):
		t.Fatalf("CheckAll still running 5s after its %v context expired; want every probe killed when ctx ends", overall)
	}
	if len(checks) != len(reqs) {
		t.Fatalf("CheckAll(%d requirements) returned %d checks; want one per requirement", len(reqs), len(checks))
	}
	for i, c := range checks {
		if c.Name != reqs[i].Name {
			t.Fatalf("CheckAll(...)[%d].Name = %q; want %q: return the checks in the order of the requirements, not the order the probes finish", i, c.Name, reqs[i].Name)
		}
	}
	return checks, ctx.Err() != nil
}

func TestCheckAllVersions(t *testing.T) {
	setPath(t, "gizmo", "widget", "sprocket", "doohickey", "mute", "crashy")
	tests := []struct {
		req     Requirement
		version string
		want    func(error) bool // nil: want no error
		wantMsg string
	}{
		{req: Requirement{"gizmo", "1.9"}, version: "1.10.2"},
		{req: Requirement{"gizmo", "1.10.2"}, version: "1.10.2"},
		{req: Requirement{"gizmo", "1.10.3"}, version: "1.10.2",
			want: isErr(ErrTooOld), wantMsg: "ErrTooOld: 1.10.2 is older than 1.10.3"},
		{req: Requirement{"gizmo", "1.11"}, version: "1.10.2",
			want: isErr(ErrTooOld), wantMsg: "ErrTooOld: 1.10.2 is older than 1.11"},
		{req: Requirement{"widget", "1.10"}, version: "1.2.3",
			want: isErr(ErrTooOld), wantMsg: "ErrTooOld: 1.2.3 is older than 1.10 (compare numbers, not strings)"},
		{req: Requirement{"widget", "1.2"}, version: "1.2.3"},
		{req: Requirement{"widget", ""}, version: "1.2.3"},
		{req: Requirement{"sprocket", "2"}, version: "2.0"},
		{req: Requirement{"sprocket", "2.0.1"}, version: "2.0",
			want: isErr(ErrTooOld), wantMsg: "ErrTooOld: 2.0 (2.0.0) is older than 2.0.1"},
		{req: Requirement{"doohickey", "10.0"}, version: "3.0.0",
			want: isErr(ErrTooOld), wantMsg: "ErrTooOld: 3.0.0 is older than 10.0 (compare numbers, not strings)"},
		{req: Requirement{"mute", "1.0"},
			want: isErr(ErrNoVersion), wantMsg: "ErrNoVersion: the tool printed no dotted version"},
		{req: Requirement{"crashy", "1.0"},
			want: isExit(2), wantMsg: "an *exec.ExitError with exit code 2"},
		{req: Requirement{"procdojo-missing-tool", "1.0"},
			want: isErr(exec.ErrNotFound), wantMsg: "exec.ErrNotFound: the tool is not in PATH"},
	}
	var reqs []Requirement
	for _, tc := range tests {
		reqs = append(reqs, tc.req)
	}
	checks, _ := checkAll(t, 10*time.Second, reqs, 5*time.Second)
	for i, tc := range tests {
		c := checks[i]
		name := tc.req.Name + ">=" + tc.req.Min
		if tc.req.Min == "" {
			name = tc.req.Name + " any version"
		}
		t.Run(name, func(t *testing.T) {
			if tc.want == nil && c.Err != nil {
				t.Errorf("CheckAll(%v).Err = %v; want nil", tc.req, c.Err)
			}
			if tc.want != nil && !tc.want(c.Err) {
				t.Errorf("CheckAll(%v).Err = %v; want an error wrapping %s", tc.req, c.Err, tc.wantMsg)
			}
			if c.Version != tc.version {
				t.Errorf("CheckAll(%v).Version = %q; want %q", tc.req, c.Version, tc.version)
			}
			if tc.req.Name != "procdojo-missing-tool" && filepath.Base(c.Path) != tc.req.Name {
				t.Errorf("CheckAll(%v).Path = %q; want the path where LookPath found %s", tc.req, c.Path, tc.req.Name)
			}
		})
	}
}

func isErr(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func isExit(code int) func(error) bool {
	return func(err error) bool {
		var ee *exec.ExitError
		return errors.As(err, &ee) && ee.ExitCode() == code
	}
}

// TestCheckAllRunsProbesAtOnce proves the probes run in parallel without timing them: each
// barrier tool answers only once the other two have started.
func TestCheckAllRunsProbesAtOnce(t *testing.T) {
	setPath(t, barrierTools...)
	t.Setenv("ENVCHECK_BARRIER", t.TempDir())
	var reqs []Requirement
	for _, name := range barrierTools {
		reqs = append(reqs, Requirement{Name: name, Min: "1.0"})
	}
	checks, _ := checkAll(t, 20*time.Second, reqs, 3*time.Second)
	for _, c := range checks {
		if c.Err != nil || c.Version != "1.0.0" {
			t.Errorf("CheckAll(%s).Err = %v; want nil with version 1.0.0: each barrier tool answers only after all three have started, so the probes must run at the same time, not one after another",
				c.Name, c.Err)
		}
	}
}

// TestCheckAllHangFailsAlone puts a hanging tool first: it must fail on its own deadline,
// and neither hold up nor fail the others.
func TestCheckAllHangFailsAlone(t *testing.T) {
	setPath(t, "hang", "gizmo", "widget")
	reqs := []Requirement{{"hang", "1.0"}, {"gizmo", "1.0"}, {"widget", "1.0"}, {"hang", "2.0"}}
	const timeout = 2 * time.Second
	checks, expired := checkAll(t, 8*time.Second, reqs, timeout)
	if expired {
		t.Errorf("CheckAll(hang, ...) returned only when the caller's 8s context expired; want the hanging probe killed by its own %v timeout", timeout)
	}
	for i, c := range checks {
		if c.Name == "hang" {
			if !errors.Is(c.Err, context.DeadlineExceeded) {
				t.Errorf("CheckAll(...)[%d] (hang).Err = %v; want an error wrapping context.DeadlineExceeded", i, c.Err)
			}
			continue
		}
		if c.Err != nil {
			t.Errorf("CheckAll(...)[%d] (%s).Err = %v; want nil: a hanging tool must fail only its own probe, so give each probe its own deadline", i, c.Name, c.Err)
		}
	}
}

// TestCheckAllStopsWithContext cancels the caller's context while a probe with a long
// timeout hangs: the probe fails with ctx's error, context.Canceled, not with a deadline.
func TestCheckAllStopsWithContext(t *testing.T) {
	setPath(t, "hang")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(300*time.Millisecond, cancel) // whenever it lands, the probe still hangs
	done := make(chan []Check, 1)
	go func() { done <- CheckAll(ctx, []Requirement{{"hang", "1.0"}}, time.Hour) }()
	var checks []Check
	select {
	case checks = <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("CheckAll(hang, timeout 1h) still running 5s after its context was canceled; want every probe killed when ctx ends")
	}
	if len(checks) != 1 {
		t.Fatalf("CheckAll(1 requirement) returned %d checks; want 1", len(checks))
	}
	if ctx.Err() == nil {
		t.Fatalf("CheckAll(hang) = %v before its context was canceled; want it to wait for the probe", checks[0].Err)
	}
	if !errors.Is(checks[0].Err, context.Canceled) {
		t.Errorf("CheckAll(hang).Err = %v; want an error wrapping context.Canceled, the caller's ctx.Err(): the probe did not time out, its parent context was canceled", checks[0].Err)
	}
}
