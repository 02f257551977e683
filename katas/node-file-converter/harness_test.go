// Code generated from internal/kata/harness.go.tmpl by "go generate ./katas"; DO NOT EDIT.

package converter

// This file is the kata test harness. procdojo adds it, with the kata's reference tests, to
// the package it checks, so a kata's tests need nothing outside the standard library.
//
// Child processes in the tests are real: the test binary runs itself as the child. A test
// registers helper behaviours in the helpers map (from an init function) and starts one with
// helperCommand or helperArgs; TestMain notices the marker argument and runs the helper
// instead of the tests. A helper that no test started fails a full run, so dead helpers
// cannot hide.
//
// procdojo's checker hands TestMain a nonce in PROCDOJO_CHECK_NONCE. After the tests,
// TestMain prints a framing line with it and the exit status: a test binary that ends without
// that line (a solution that calls os.Exit or syscall.Exit early, say) has not passed,
// whatever test results it printed.

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// helpers maps a helper name to the behaviour the test binary runs as a child process. The
// function receives the arguments after the helper marker and returns the exit status.
// Register helpers from init functions in the kata's test files.
var helpers = map[string]func(args []string) int{}

// helperMarker, followed by a helper name, is the first argument of a helper child.
const helperMarker = "-procdojo.helper="

var helpersUsed sync.Map // helper name -> true once a test asked for it

func TestMain(m *testing.M) {
	nonce := os.Getenv("PROCDOJO_CHECK_NONCE")
	os.Unsetenv("PROCDOJO_CHECK_NONCE") // helpers and the programs the tests start never see it
	stdout := os.Stdout
	if name, args, ok := helperInvocation(os.Args); ok {
		h := helpers[name]
		if h == nil {
			fmt.Fprintf(os.Stderr, "harness: no helper %q\n", name)
			os.Exit(2)
		}
		os.Exit(h(args))
	}
	code := m.Run()
	if code == 0 && fullRun() {
		var unused []string
		for name := range helpers {
			if _, ok := helpersUsed.Load(name); !ok {
				unused = append(unused, name)
			}
		}
		if len(unused) > 0 {
			sort.Strings(unused)
			fmt.Fprintf(os.Stderr, "harness: helpers no test used: %s\n", strings.Join(unused, ", "))
			code = 1
		}
	}
	if nonce != "" {
		fmt.Fprintf(stdout, "\x16procdojo-harness: end %s status %d\n", nonce, code)
	}
	os.Exit(code)
}

// helperInvocation reports whether argv asks for a helper: either argv[1] is the marker, or
// the program was started under a helper's name (a symlink to the test binary, for tests that
// need a program found on PATH).
func helperInvocation(argv []string) (name string, args []string, ok bool) {
	if len(argv) > 1 && strings.HasPrefix(argv[1], helperMarker) {
		return strings.TrimPrefix(argv[1], helperMarker), argv[2:], true
	}
	if len(argv) > 0 {
		if _, found := helpers[filepath.Base(argv[0])]; found {
			return filepath.Base(argv[0]), argv[1:], true
		}
	}
	return "", nil, false
}

// fullRun reports whether every test was selected, the only case where unused helpers mean
// something.
func fullRun() bool {
	for _, name := range []string{"test.run", "test.skip"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

// helperPath returns the path of the running test binary, the program every helper runs as.
func helperPath(t testing.TB) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("harness: finding the test binary: %v", err)
	}
	return exe
}

// helperArgs returns the arguments that make the test binary run helper name with args, and
// marks the helper used. It panics on a name that no test registered.
func helperArgs(name string, args ...string) []string {
	if _, ok := helpers[name]; !ok {
		panic(fmt.Sprintf("harness: helperArgs: no helper %q", name))
	}
	helpersUsed.Store(name, true)
	return append([]string{helperMarker + name}, args...)
}

// helperCommand returns an unstarted command that runs helper name with args.
func helperCommand(t testing.TB, name string, args ...string) *exec.Cmd {
	t.Helper()
	return exec.Command(helperPath(t), helperArgs(name, args...)...)
}

// helperLink makes a symlink called name, in a new temporary directory, to the test binary,
// so that running that directory's "name" runs helper name. It returns the directory (for
// PATH) and marks the helper used.
func helperLink(t testing.TB, name string) string {
	t.Helper()
	if _, ok := helpers[name]; !ok {
		t.Fatalf("harness: helperLink: no helper %q", name)
	}
	helpersUsed.Store(name, true)
	dir := t.TempDir()
	if err := os.Symlink(helperPath(t), filepath.Join(dir, name)); err != nil {
		t.Fatalf("harness: %v", err)
	}
	return dir
}
