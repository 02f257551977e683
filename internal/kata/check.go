package kata

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Errors of Check; test with errors.Is.
var (
	// ErrInterrupted is returned when the caller's context ended the check (Ctrl-C).
	ErrInterrupted = errors.New("check interrupted")
	// ErrUnsupported is returned on an OS without process groups (Windows).
	ErrUnsupported = errors.New("katas need a Unix-like OS (Linux or macOS)")
	// ErrNoGo is returned when the go command cannot be found.
	ErrNoGo = errors.New("the go command was not found")
)

// CheckOptions adjusts Check. The zero value checks with the kata's time limit, the go
// command found on PATH and the user's cache of test binaries.
type CheckOptions struct {
	Timeout      time.Duration // the deadline of the tests; 0 means the kata's TimeLimit
	BuildTimeout time.Duration // the deadline of the build; 0 means DefaultBuildTimeout
	Go           string        // the go command; "" looks "go" up on PATH
	Node         string        // the node command, for Node katas; "" looks "node" up on PATH
	Env          []string      // more environment entries for the test binary

	// CacheDir is the folder of cached test binaries; "" means the user's cache folder
	// (<cache>/procdojo/test-binaries). NoCache builds every time and keeps nothing.
	CacheDir string
	NoCache  bool

	// FailFast stops at the first failing test (-test.failfast): enough to know that a
	// solution fails, as Verify needs for starters and broken variants. Tests not started
	// then count as never run.
	FailFast bool

	// NoVet leaves out the checks of go vet that go test runs before the tests. Verify
	// sets it: the catalogue is vetted as part of the module, and vet's findings in a broken
	// variant would hide whether its tests fail.
	NoVet bool

	// OnBuild, when set, is called before the test binary is compiled, which happens when
	// no cached binary fits (the first check of a kata, or after an edit). A user interface
	// says so: the first build compiles the testing framework and takes a while.
	OnBuild func()

	// OnEvent, when set, sees each event of the tests as it arrives (go test -json's
	// format), from another goroutine, one event at a time.
	OnEvent func(Event)
}

// Check runs k's reference tests against the user's file in ws and judges the result, in
// two phases:
//
//   - Build: "go test -c" compiles the test binary in the user's folder, with the pristine
//     reference tests laid over it ("go test -overlay"; the user's own *_test.go files are
//     left out), in a controlled environment (no go env file, no GOFLAGS, no GOOS), with a
//     deadline of its own (opts.BuildTimeout). A binary built from the same files before is
//     taken from the cache instead.
//   - Run: the test binary runs directly, under a reaper (see reaper_unix.go), with the
//     kata's time limit (opts.Timeout, else k.TimeLimit) timing the tests alone. Its framed
//     output is read as it comes and capped. When the tests end, when the deadline passes or
//     when ctx ends, the reaper kills every process the tests started, including those
//     that left the process group (Linux).
//
// The check's temporary files (go's work folder, the tests' TMPDIR) live in one folder that
// is removed before Check returns.
//
// The verdict is in the Result: pass only when every reference test passed, framed by the
// testing package and confirmed by the harness's end line (see judge). Check returns an
// error only when it could not judge: the kata is not started (ErrNotStarted), go or node is
// missing (ErrNoGo, ErrNoNode), the OS is unsupported (ErrUnsupported), or ctx ended first
// (ErrInterrupted, with a Result of status error).
func Check(ctx context.Context, ws *Workspace, k *Kata, opts CheckOptions) (*Result, error) {
	if !Supported {
		return nil, fmt.Errorf("kata: %w", ErrUnsupported)
	}
	if !ws.Started(k) {
		return nil, fmt.Errorf("kata: %w: %s does not exist; start with \"procdojo kata start %s\"", ErrNotStarted, ws.File(k), k.ID)
	}
	tests, err := k.Tests()
	if err != nil {
		return nil, fmt.Errorf("kata: the reference tests of %s: %w", k.ID, err)
	}
	goCmd := opts.Go
	if goCmd == "" {
		p, err := exec.LookPath("go")
		if err != nil {
			return nil, fmt.Errorf("kata: %w on PATH; katas are checked with \"go test\", so install Go (https://go.dev/dl/): %v", ErrNoGo, err)
		}
		goCmd = p
	}
	var extraEnv []string
	if k.Lang == LangNode {
		node, err := FindNode(opts.Node)
		if err != nil {
			return nil, err
		}
		extraEnv = append(extraEnv, NodeEnv+"="+node)
	}
	limit := opts.Timeout
	if limit <= 0 {
		limit = k.TimeLimit
	}
	buildLimit := opts.BuildTimeout
	if buildLimit <= 0 {
		buildLimit = DefaultBuildTimeout
	}

	dir := ws.KataDir(k)
	tmp, err := os.MkdirTemp("", "procdojo-check-")
	if err != nil {
		return nil, fmt.Errorf("kata: %w", err)
	}
	defer removeAll(tmp)
	gotmp, testTmp := filepath.Join(tmp, "go"), filepath.Join(tmp, "tmp")
	for _, d := range []string{gotmp, testTmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return nil, fmt.Errorf("kata: %w", err)
		}
	}
	testFiles, err := k.TestFiles()
	if err != nil {
		return nil, err
	}
	overlay, err := writeOverlay(tmp, dir, ws, k, testFiles)
	if err != nil {
		return nil, err
	}
	fixPaths := func(out string) string {
		// Errors in the reference tests name the temporary copies: show the plain names.
		return absPaths(strings.ReplaceAll(out, tmp+string(filepath.Separator), ""), dir)
	}
	res := &Result{Kata: k.ID, Limit: limit}
	col := newCollector()
	interrupted := func() (*Result, error) {
		res.Status, res.Reason = StatusError, "interrupted"
		return res, fmt.Errorf("kata: %w: %w", ErrInterrupted, context.Cause(ctx))
	}

	// Build, unless the cache has the binary.
	cache := binaryCache{dir: opts.CacheDir}
	if cache.dir == "" && !opts.NoCache {
		cache.dir = defaultCacheDir()
	}
	if opts.NoCache {
		cache.dir = ""
	}
	key, err := binaryKey(ws, k, testFiles, goCmd, opts.NoVet)
	if err != nil {
		return nil, err
	}
	bin, cached := cache.lookup(key)
	res.Cached = cached
	if !cached {
		if opts.OnBuild != nil {
			opts.OnBuild()
		}
		out := filepath.Join(tmp, k.Package+".test")
		if cache.dir != "" {
			if out, err = cache.tempPath(key); err != nil {
				return nil, err
			}
			defer os.Remove(out) // after a failed build; a good one was renamed away
		}
		bctx, cancel := context.WithTimeout(ctx, buildLimit)
		start := time.Now()
		err := buildBinary(bctx, goCmd, dir, overlay, out, opts.NoVet, buildEnv(environ(), dir, gotmp), col)
		buildTimedOut := bctx.Err() != nil
		cancel()
		res.BuildDuration = time.Since(start)
		switch {
		case ctx.Err() != nil:
			return interrupted()
		case buildTimedOut:
			res.Status = StatusFail
			res.Reason = fmt.Sprintf("the build took longer than %s; try again (the next build reuses what this one compiled)", buildLimit)
			res.BuildOutput = fixPaths(col.buildOut.String())
			return res, nil
		case err != nil:
			return nil, err
		}
		if col.buildFailed {
			col.finish()
			judge(res, tests, col, k.Skippable, fixPaths)
			return res, nil
		}
		bin = out
		if cache.dir != "" {
			if bin, err = cache.store(key, out); err != nil {
				return nil, err
			}
		}
	}

	// Run the tests.
	nonce, err := newNonce()
	if err != nil {
		return nil, err
	}
	args := []string{"-test.v=test2json", "-test.paniconexit0", "-test.count=1"}
	if opts.FailFast {
		args = append(args, "-test.failfast")
	}
	env := append(runEnv(environ(), testTmp, nonce), extraEnv...)
	env = append(env, opts.Env...)
	stderr := newCappedWriter(MaxTestOutput)
	runCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := time.Now()
	rep, runErr := runReaped(runCtx, bin, args, dir, env, tmp, func(r io.Reader) error {
		return readFramed(r, nonce, func(ev Event) {
			if opts.OnEvent != nil {
				opts.OnEvent(ev)
			}
			col.add(ev)
		})
	}, stderr)
	col.finish()
	res.Duration = time.Since(start)
	if rep.exit != nil {
		res.Exit, res.ExitCode = rep.exit.Desc, rep.exit.Code
	}
	res.Leftovers = rep.leftovers
	res.Output = stderr.c.String()
	judge(res, tests, col, k.Skippable, fixPaths)
	switch {
	case ctx.Err() != nil:
		return interrupted()
	case runCtx.Err() != nil:
		res.TimedOut = true
		res.Status = StatusFail
		res.Reason = fmt.Sprintf("timed out after %s (the time limit%s)", limit, limitSource(opts.Timeout))
		if running := col.runningTests(); len(running) > 0 {
			res.Reason += "; still running: " + strings.Join(capList(running, 10), ", ")
		}
	case runErr != nil:
		return nil, fmt.Errorf("kata: running the tests: %w", runErr)
	}
	return res, nil
}

func limitSource(timeout time.Duration) string {
	if timeout > 0 {
		return " set by --timeout"
	}
	return " of the kata; --timeout changes it"
}

func newNonce() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("kata: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// removeAll removes dir and everything in it, even folders that tests left without write
// permission.
func removeAll(dir string) {
	if os.RemoveAll(dir) == nil {
		return
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			_ = os.Chmod(p, 0o700)
		}
		return nil
	})
	_ = os.RemoveAll(dir)
}

// writeOverlay writes the reference tests into tmp and an overlay file that places them in
// the user's folder dir and removes the user's own test files; it returns the overlay's path.
func writeOverlay(tmp, dir string, ws *Workspace, k *Kata, tests map[string][]byte) (string, error) {
	replace := map[string]string{}
	userTests, err := ws.userTestFiles(k)
	if err != nil {
		return "", err
	}
	for _, name := range userTests {
		replace[filepath.Join(dir, name)] = ""
	}
	for name, src := range tests {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return "", fmt.Errorf("kata: %w", err)
		}
		replace[filepath.Join(dir, name)] = p
	}
	b, err := json.Marshal(map[string]any{"Replace": replace})
	if err != nil {
		return "", fmt.Errorf("kata: %w", err)
	}
	p := filepath.Join(tmp, "overlay.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		return "", fmt.Errorf("kata: %w", err)
	}
	return p, nil
}
