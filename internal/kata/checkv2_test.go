//go:build unix

package kata

// Tests of the checker's promises (katas README, "What a PASS means"): skips and the user's
// go settings cannot fake a pass, nothing the solution starts survives, output is bounded
// for the whole process tree, the build is not timed with the tests, binaries are cached,
// and the check's temporary files go away.

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// checkerEnv, set in the environment of this package's test binary, makes it check one
// fixture solution and print the Result and the peak RSS of itself and of its descendants
// as JSON, instead of running the tests: the memory test measures a whole check in a
// process of its own. Its value is workspace|cache folder|timeout.
const checkerEnv = "PROCDOJO_TEST_CHECKER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(checkerEnv); spec != "" {
		os.Exit(checkerMain(spec))
	}
	os.Exit(m.Run())
}

func checkerMain(spec string) int {
	parts := strings.Split(spec, "|")
	c, err := Load(os.DirFS(fixtureDir), fixtureDir)
	if err != nil || len(parts) != 3 {
		return 3
	}
	k, _ := c.Get("fixture")
	limit, _ := time.ParseDuration(parts[2])
	res, err := Check(context.Background(), &Workspace{Dir: parts[0]}, k, CheckOptions{CacheDir: parts[1], Timeout: limit})
	if err != nil {
		return 4
	}
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	json.NewEncoder(os.Stdout).Encode(checkerReport{res, self.Maxrss, children.Maxrss})
	return 0
}

// checkerReport is what checkerMain prints.
type checkerReport struct {
	Result      *Result
	SelfKiB     int64 // the checker's peak RSS (ru_maxrss, KiB on Linux)
	ChildrenKiB int64 // the largest peak RSS of its descendants: the reaper and the tests
}

// TestCheckSkippable: a skip counts as a pass only for a test the kata declares skippable.
func TestCheckSkippable(t *testing.T) {
	t.Parallel()
	k := *fixtureKata(t)
	k.Skippable = map[string]string{"TestOutput": "a stand-in for a missing feature"}
	ws := workspaceWith(t, &k, "skip")
	res, err := Check(context.Background(), ws, &k, CheckOptions{CacheDir: t.TempDir()})
	if err != nil || res.Status != StatusPass || res.Passed != 2 {
		t.Errorf("Check(skip, TestOutput skippable) = %+v, %v; want pass 2/2", res, err)
	}
}

// TestCheckIgnoresGoEnv: the user's go settings (a go env file, GOFLAGS, GOOS) never reach
// the build. A file that only builds with the tag "procdojoforged" declares Add a second
// time, so honouring any of these settings would fail the build.
func TestCheckIgnoresGoEnv(t *testing.T) {
	k := fixtureKata(t)
	ws := workspaceWith(t, k, "pass")
	writeFile(t, filepath.Join(ws.KataDir(k), "tagged.go"), "//go:build procdojoforged\n\npackage fixture\n\nfunc Add(a, b int) int { return 0 }\n")
	goenv := filepath.Join(t.TempDir(), "goenv")
	writeFile(t, goenv, "GOFLAGS=-tags=procdojoforged -exec=/bin/false\n")
	for _, env := range [][2]string{
		{"GOENV", goenv},
		{"GOFLAGS", "-tags=procdojoforged"},
		{"GOOS", "windows"},
	} {
		t.Run(env[0], func(t *testing.T) {
			t.Setenv(env[0], env[1])
			res, err := Check(context.Background(), ws, k, CheckOptions{NoCache: true})
			if err != nil || res.Status != StatusPass {
				t.Errorf("Check(pass) with %s=%s = %+v, %v; want pass: the user's go settings must not reach the check", env[0], env[1], res, err)
			}
		})
	}
}

// TestCheckNothingSurvives runs a correct solution that leaves three processes behind, out
// of the test binary's process group, one of them holding its stdout: the check passes
// without waiting for them, and none of them is alive afterwards.
func TestCheckNothingSurvives(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux has child subreapers; elsewhere such processes escape (README)")
	}
	t.Parallel()
	k := fixtureKata(t)
	ws := workspaceWith(t, k, "escape")
	res, err := Check(context.Background(), ws, k, CheckOptions{CacheDir: t.TempDir()})
	if err != nil || res.Status != StatusPass {
		t.Fatalf("Check(escape) = %+v, %v; want pass", res, err)
	}
	if res.Leftovers < 3 {
		t.Errorf("Check(escape) leftovers = %d; want at least the 3 escaped sleeps", res.Leftovers)
	}
	for _, tag := range []string{"setsid", "setpgid", "orphan"} {
		b, err := os.ReadFile(filepath.Join(ws.KataDir(k), "escapees", tag))
		if err != nil {
			t.Errorf("the %s escapee never started: %v", tag, err)
			continue
		}
		pid, _ := strconv.Atoi(string(b))
		if alive(pid) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("the %s escapee (pid %d) is alive after the check; want every process of the check killed", tag, pid)
		}
	}
}

// TestCheckEndlessOutputMemory runs a whole check of a solution that prints without end, in
// a child process, and bounds the peak RSS of every process of the tree: the checker's own
// (RUSAGE_SELF) and its descendants' (RUSAGE_CHILDREN: the largest of those waited for).
func TestCheckEndlessOutputMemory(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("ru_maxrss is in KiB on Linux only")
	}
	k := fixtureKata(t)
	ws := workspaceWith(t, k, "endless")
	cache := t.TempDir()
	// Build first, outside the measure: the compiler and linker are not the solution's.
	if _, err := Check(context.Background(), ws, k, CheckOptions{CacheDir: cache, Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), checkerEnv+"="+ws.Dir+"|"+cache+"|5s")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the checker child failed: %v\n%s", err, out)
	}
	var rep struct {
		Result               Result
		SelfKiB, ChildrenKiB int64
	}
	if err := json.Unmarshal(out, &rep); err != nil || rep.Result.Status != StatusFail || !rep.Result.TimedOut {
		t.Fatalf("Check(endless) = %s, %v; want a time-out", out, err)
	}
	const limitKiB = 200 << 10
	if rep.SelfKiB > limitKiB || rep.ChildrenKiB > limitKiB {
		t.Errorf("peak RSS: checker %d MiB, largest descendant %d MiB; want each under 200 MiB", rep.SelfKiB>>10, rep.ChildrenKiB>>10)
	}
	t.Logf("peak RSS: checker %d MiB, largest descendant %d MiB", rep.SelfKiB>>10, rep.ChildrenKiB>>10)
}

// TestCheckColdBuildCache: on an empty build cache, the build may take far longer than the
// tests' time limit; the reference still passes, because the limit times the tests alone.
func TestCheckColdBuildCache(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the standard library: not with -short")
	}
	k := fixtureKata(t)
	ws := workspaceWith(t, k, "pass")
	t.Setenv("GOCACHE", t.TempDir())
	built := 0
	// The build's own deadline plays no part here: only the tests' 3s must not cover the
	// build. Compiling the standard library on a loaded machine can take minutes.
	res, err := Check(context.Background(), ws, k, CheckOptions{NoCache: true, Timeout: 3 * time.Second,
		BuildTimeout: 30 * time.Minute, OnBuild: func() { built++ }})
	if err != nil || res.Status != StatusPass || built != 1 {
		t.Fatalf("Check(pass, empty build cache, 3s) = %+v, %v, built %d times; want pass, built once", res, err, built)
	}
	t.Logf("build on an empty cache: %s; tests: %s", res.BuildDuration.Round(time.Millisecond), res.Duration.Round(time.Millisecond))
}

// TestCheckCachesBinaries: a re-check of an unchanged file builds nothing; an edit builds.
func TestCheckCachesBinaries(t *testing.T) {
	t.Parallel()
	k := fixtureKata(t)
	ws := workspaceWith(t, k, "pass")
	cache := t.TempDir()
	check := func() (*Result, int) {
		t.Helper()
		built := 0
		res, err := Check(context.Background(), ws, k, CheckOptions{CacheDir: cache, OnBuild: func() { built++ }})
		if err != nil || res.Status != StatusPass {
			t.Fatalf("Check(pass) = %+v, %v", res, err)
		}
		return res, built
	}
	if res, built := check(); built != 1 || res.Cached {
		t.Errorf("first check: built %d times, cached %v; want 1, false", built, res.Cached)
	}
	if res, built := check(); built != 0 || !res.Cached {
		t.Errorf("re-check: built %d times, cached %v; want 0, true", built, res.Cached)
	}
	f, err := os.OpenFile(ws.File(k), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n// edited\n")
	f.Close()
	if res, built := check(); built != 1 || res.Cached {
		t.Errorf("check after an edit: built %d times, cached %v; want 1, false", built, res.Cached)
	}
	entries, _ := os.ReadDir(cache)
	if len(entries) != 2 {
		t.Errorf("the cache holds %d entries; want 2 binaries", len(entries))
	}
}

// TestCheckRemovesTemporaryFiles: a timed-out and an interrupted check leave nothing in
// TMPDIR (neither go's work folders nor the tests' temporary folders).
func TestCheckRemovesTemporaryFiles(t *testing.T) {
	k := fixtureKata(t)
	ws := workspaceWith(t, k, "hang")
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cache := t.TempDir()
	res, err := Check(context.Background(), ws, k, CheckOptions{CacheDir: cache, Timeout: 3 * time.Second})
	if err != nil || !res.TimedOut {
		t.Fatalf("Check(hang, 3s) = %+v, %v; want a time-out", res, err)
	}
	assertEmpty(t, tmp, "after a timed-out check")

	ctx, cancel := context.WithCancel(context.Background())
	pidFile := filepath.Join(ws.KataDir(k), "grandchild.pid")
	os.Remove(pidFile)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			if _, err := os.Stat(pidFile); err == nil {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	_, err = Check(ctx, ws, k, CheckOptions{CacheDir: cache, Timeout: time.Minute})
	cancel()
	<-done
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("Check(hang, interrupted) error = %v; want ErrInterrupted", err)
	}
	assertEmpty(t, tmp, "after an interrupted check")
}

func assertEmpty(t *testing.T, dir, when string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) > 0 {
		t.Errorf("TMPDIR holds %q %s; want it empty", names, when)
	}
}

// TestVerifyNodeFixture verifies the Node fixture kata: one test binary serves the
// reference, the starter and both variants.
func TestVerifyNodeFixture(t *testing.T) {
	t.Parallel()
	if _, err := FindNode(""); err != nil {
		t.Skipf("node is not installed: %v", err)
	}
	c, err := Load(os.DirFS(fixtureDir), fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	k, err := c.Get("nodefix")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := VerifyKata(context.Background(), k, VerifyOptions{})
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("VerifyKata(nodefix) = %v, %v; want no problems", rep.Problems, err)
	}
	built := 0
	for _, r := range rep.Runs {
		if !r.Result.Cached {
			built++
		}
	}
	if built != 1 {
		t.Errorf("VerifyKata(nodefix) built %d test binaries for %d runs; want 1: a Node kata's binary does not depend on the user's file", built, len(rep.Runs))
	}
}

// TestCheckNodeDetachedChild checks a Node solution that starts a detached child and never
// settles: when the check is interrupted, the child is gone.
func TestCheckNodeDetachedChild(t *testing.T) {
	t.Parallel()
	if _, err := FindNode(""); err != nil {
		t.Skipf("node is not installed: %v", err)
	}
	c, err := Load(os.DirFS(fixtureDir), fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := c.Get("nodefix")
	ws, err := InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "solutions", "node", "detached.js"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws.File(k), string(src))
	pidFile := filepath.Join(ws.KataDir(k), "grandchild.pid")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for ctx.Err() == nil {
			if _, err := os.Stat(pidFile); err == nil {
				cancel()
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	res, err := Check(ctx, ws, k, CheckOptions{CacheDir: t.TempDir(), Timeout: 2 * time.Minute})
	if !errors.Is(err, ErrInterrupted) || res == nil {
		t.Fatalf("Check(detached, interrupted once the child runs) = %+v, %v; want ErrInterrupted", res, err)
	}
	if runtime.GOOS == "linux" {
		assertGone(t, pidFile)
	}
}

// TestCheckNeedsNode: a Node kata without node is an error naming the version needed.
func TestCheckNeedsNode(t *testing.T) {
	c, err := Load(os.DirFS(fixtureDir), fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := c.Get("nodefix")
	ws, err := InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws.File(k), "module.exports = {};\n")
	_, err = Check(context.Background(), ws, k, CheckOptions{Node: filepath.Join(t.TempDir(), "node")})
	if !errors.Is(err, ErrNoNode) || !strings.Contains(err.Error(), "Node.js 18 or newer") {
		t.Errorf("Check(no node) error = %v; want ErrNoNode naming Node.js 18 or newer", err)
	}
}

// TestCheckerKilled kills the process that runs a check (SIGKILL, no chance to clean up)
// while the tests run: the reaper, told by Pdeathsig, still kills the tests' processes and
// removes the check's folder.
func TestCheckerKilled(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Pdeathsig is Linux's")
	}
	k := fixtureKata(t)
	ws := workspaceWith(t, k, "hang")
	cache := t.TempDir()
	// Build first, so that the kill lands while the tests run.
	if _, err := Check(context.Background(), ws, k, CheckOptions{CacheDir: cache, Timeout: time.Second}); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(ws.KataDir(k), "grandchild.pid")
	os.Remove(pidFile)
	tmp := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), checkerEnv+"="+ws.Dir+"|"+cache+"|2m", "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Minute)
	for {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the hanging solution never started its grandchild")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	assertGone(t, pidFile)
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if entries, _ := os.ReadDir(tmp); len(entries) == 0 {
			break
		}
		if time.Now().After(deadline) {
			assertEmpty(t, tmp, "20s after the checker was killed")
			break
		}
	}
}
