package envcwd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	helpers["envreport"] = envReport
}

// envReport is the child: it prints its working directory as "cwd\t<dir>" and then each
// environment variable as "env\tKEY=VALUE". With the arguments "exit N" it then exits N.
func envReport(args []string) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "envreport:", err)
		return 1
	}
	fmt.Printf("cwd\t%s\n", wd)
	for _, kv := range os.Environ() {
		fmt.Printf("env\t%s\n", kv)
	}
	if len(args) == 2 && args[0] == "exit" {
		code, _ := strconv.Atoi(args[1])
		return code
	}
	return 0
}

// report is what envreport printed.
type report struct {
	cwd string
	env []string // sorted
}

func parseReport(t *testing.T, out []byte) report {
	t.Helper()
	var r report
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		kind, value, _ := strings.Cut(sc.Text(), "\t")
		switch kind {
		case "cwd":
			r.cwd = value
		case "env":
			r.env = append(r.env, value)
		}
	}
	if r.cwd == "" {
		t.Fatalf("Run returned %q; want the child's report (did Run return its stdout?)", out)
	}
	slices.Sort(r.env)
	return r
}

// testContext gives each call a deadline so that a hanging Run fails with a message.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// sameDir reports whether a and b name the same directory (on macOS, /var is a symlink to
// /private/var, so comparing strings is not enough).
func sameDir(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// envDiff describes how the child's environment got differs from want, or returns "".
// Extra variables are named without their values: they come from the user's environment.
func envDiff(got, want []string) string {
	var extra, wrong, missing []string
	for _, kv := range got {
		key, _, _ := strings.Cut(kv, "=")
		switch {
		case slices.Contains(want, kv):
		case slices.ContainsFunc(want, func(w string) bool { return strings.HasPrefix(w, key+"=") }):
			wrong = append(wrong, kv)
		default:
			extra = append(extra, key)
		}
	}
	for _, kv := range want {
		key, _, _ := strings.Cut(kv, "=")
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, key+"=") }) {
			missing = append(missing, kv)
		}
	}
	var parts []string
	if len(extra) > 0 {
		if slices.Contains(extra, "PROCDOJO_SECRET") {
			parts = append(parts, fmt.Sprintf("has %d extra variables, PROCDOJO_SECRET among them"+
				" (it inherited this process's environment: give cmd.Env a new list)", len(extra)))
		} else {
			parts = append(parts, fmt.Sprintf("has extra variables %q", extra))
		}
	}
	if len(wrong) > 0 {
		parts = append(parts, fmt.Sprintf("has wrong values %q", wrong))
	}
	if len(missing) > 0 {
		parts = append(parts, fmt.Sprintf("lacks %q", missing))
	}
	return strings.Join(parts, " and ")
}

func TestRunEnvironment(t *testing.T) {
	t.Setenv("PROCDOJO_SECRET", "hunter2")
	t.Setenv("PROCDOJO_ALLOWED", "yes please")
	t.Setenv("PROCDOJO_ALSO", "a=b")
	t.Setenv("PROCDOJO_EMPTY", "")
	t.Setenv("PROCDOJO_UNSET", "")
	os.Unsetenv("PROCDOJO_UNSET")

	tests := []struct {
		name  string
		allow []string
		want  []string
	}{
		{"nothing allowed", nil, []string{"PATH=" + SafePath}},
		{"allowed variables are copied", []string{"PROCDOJO_ALLOWED", "PROCDOJO_ALSO"},
			[]string{"PATH=" + SafePath, "PROCDOJO_ALLOWED=yes please", "PROCDOJO_ALSO=a=b"}},
		{"allowed but unset is left out", []string{"PROCDOJO_UNSET", "PROCDOJO_ALLOWED"},
			[]string{"PATH=" + SafePath, "PROCDOJO_ALLOWED=yes please"}},
		{"allowed and set to nothing is copied", []string{"PROCDOJO_EMPTY"},
			[]string{"PATH=" + SafePath, "PROCDOJO_EMPTY="}},
		{"PATH stays fixed even if allowed", []string{"PATH", "PROCDOJO_ALLOWED"},
			[]string{"PATH=" + SafePath, "PROCDOJO_ALLOWED=yes please"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// An absolute program path: no PATH lookup involved here.
			out, err := Run(testContext(t), helperPath(t), helperArgs("envreport"),
				Options{Dir: t.TempDir(), Allow: tt.allow})
			if err != nil {
				t.Fatalf("Run(allow %q) error: %v", tt.allow, err)
			}
			if diff := envDiff(parseReport(t, out).env, tt.want); diff != "" {
				why := ""
				if slices.Contains(tt.want, "PROCDOJO_EMPTY=") {
					why = " (a variable set to \"\" is set: os.LookupEnv tells it from an unset one)"
				}
				t.Errorf("Run(allow %q): child's environment %s; want exactly %q%s", tt.allow, diff, tt.want, why)
			}
		})
	}
}

func TestRunDir(t *testing.T) {
	t.Parallel()

	t.Run("child runs in Dir", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		out, err := Run(testContext(t), helperPath(t), helperArgs("envreport"), Options{Dir: dir})
		if err != nil {
			t.Fatalf("Run(Dir %q) error: %v", dir, err)
		}
		if cwd := parseReport(t, out).cwd; !sameDir(cwd, dir) {
			t.Errorf("Run(Dir %q): child's working directory = %q; want %q (set cmd.Dir)", dir, cwd, dir)
		}
	})

	t.Run("empty Dir is refused", func(t *testing.T) {
		t.Parallel()
		out, err := Run(testContext(t), helperPath(t), helperArgs("envreport"), Options{})
		if !errors.Is(err, ErrNoDir) {
			t.Errorf("Run(Dir \"\") error = %v; want ErrNoDir", err)
		}
		if len(out) > 0 {
			t.Errorf("Run(Dir \"\") started the program (it printed %d bytes); want it refused before starting", len(out))
		}
	})

	t.Run("missing Dir is an error", func(t *testing.T) {
		t.Parallel()
		dir := filepath.Join(t.TempDir(), "no-such-dir")
		if _, err := Run(testContext(t), helperPath(t), helperArgs("envreport"), Options{Dir: dir}); err == nil {
			t.Errorf("Run(Dir %q) error = nil; want an error (the directory does not exist)", dir)
		}
	})
}

func TestRunExitStatus(t *testing.T) {
	t.Parallel()
	_, err := Run(testContext(t), helperPath(t), helperArgs("envreport", "exit", "3"), Options{Dir: t.TempDir()})
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Errorf("Run(child exiting 3) error = %v; want one wrapping *exec.ExitError with code 3", err)
	}
}

// TestRunLooksUpPATH changes PATH, so it cannot run in parallel with other tests.
func TestRunLooksUpPATH(t *testing.T) {
	linkDir := helperLink(t, "envreport")
	t.Setenv("PATH", t.TempDir()+string(os.PathListSeparator)+linkDir)

	t.Run("found on PATH", func(t *testing.T) {
		dir := t.TempDir()
		out, err := Run(testContext(t), "envreport", nil, Options{Dir: dir})
		if err != nil {
			t.Fatalf("Run(%q) with %q on PATH: error %v; want the program found and run", "envreport", linkDir, err)
		}
		r := parseReport(t, out)
		if diff := envDiff(r.env, []string{"PATH=" + SafePath}); diff != "" {
			t.Errorf("Run(%q): child's environment %s; want exactly [PATH=%s]", "envreport", diff, SafePath)
		}
		if !sameDir(r.cwd, dir) {
			t.Errorf("Run(%q, Dir %q): child's working directory = %q; want %q", "envreport", dir, r.cwd, dir)
		}
	})

	t.Run("not found", func(t *testing.T) {
		_, err := Run(testContext(t), "procdojo-no-such-tool", nil, Options{Dir: t.TempDir()})
		if !errors.Is(err, exec.ErrNotFound) {
			t.Errorf("Run(%q) error = %v; want one wrapping exec.ErrNotFound", "procdojo-no-such-tool", err)
		}
	})
}

// TestRunRefusesDot puts the program in the current directory and only a relative entry on
// PATH: exec.LookPath finds it there and reports exec.ErrDot, which Run must not clear.
// It changes PATH and the working directory, so it cannot run in parallel.
func TestRunRefusesDot(t *testing.T) {
	linkDir := helperLink(t, "envreport")
	if err := os.Mkdir(filepath.Join(linkDir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(helperPath(t), filepath.Join(linkDir, "bin", "envreport")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(linkDir)

	for _, path := range []string{".", ":", "bin"} {
		t.Run(fmt.Sprintf("PATH=%q", path), func(t *testing.T) {
			t.Setenv("PATH", path)
			out, err := Run(testContext(t), "envreport", nil, Options{Dir: linkDir})
			if !errors.Is(err, exec.ErrDot) {
				ran := ""
				if len(out) > 0 {
					ran = "; it ran the program found in the current directory"
				}
				t.Errorf("Run(%q) with PATH=%q error = %v; want one wrapping exec.ErrDot%s (keep cmd.Err, do not clear it)",
					"envreport", path, err, ran)
			}
		})
	}
}
