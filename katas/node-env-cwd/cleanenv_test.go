package cleanenv

// The tests call run() in node with a real program: the test binary, run through a symlink
// called "procdojo-probe" (helperLink). The probe prints its working directory and its
// whole environment, and notes that it ran in a file next to its symlink, so a test can tell
// whether it started at all.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

const probeName = "procdojo-probe"

func init() {
	helpers[probeName] = probe
}

// safePath is SAFE_PATH, the PATH every child gets.
const safePath = "/usr/bin:/bin"

// probe writes {cwd, env} as JSON to stdout, env sorted, after creating the file "ran" next
// to its symlink. With the argument exit=N, it then exits with status N.
func probe(args []string) int {
	self := os.Args[0]
	if !strings.Contains(self, "/") { // found in PATH, the one it got
		self, _ = exec.LookPath(self)
	}
	os.WriteFile(filepath.Join(filepath.Dir(self), "ran"), nil, 0o644)
	cwd, err := os.Getwd()
	if err != nil {
		cwd = "error: " + err.Error()
	}
	env := os.Environ()
	slices.Sort(env)
	json.NewEncoder(os.Stdout).Encode(probeOutput{Cwd: cwd, Env: env})
	for _, a := range args {
		if n, ok := strings.CutPrefix(a, "exit="); ok {
			code, _ := strconv.Atoi(n)
			return code
		}
	}
	return 0
}

type probeOutput struct {
	Cwd string   `json:"cwd"`
	Env []string `json:"env"`
}

// call is one run(file, args, options) and what it did.
type call struct {
	File    string         `json:"file"`
	Args    []string       `json:"args"`
	Options map[string]any `json:"options"`

	OK *struct {
		Code   *int   `json:"code"`
		Stdout string `json:"stdout"`
	} `json:"ok"`
	Err *struct {
		Code    any    `json:"code"`
		Message string `json:"message"`
	} `json:"err"`

	short *strings.Replacer // shortens the test's temporary paths in messages
}

func (c *call) String() string {
	opts, _ := json.Marshal(c.Options)
	s := fmt.Sprintf("run(%q, %q, %s)", c.File, c.Args, opts)
	switch {
	case c.OK != nil:
		code := "null"
		if c.OK.Code != nil {
			code = strconv.Itoa(*c.OK.Code)
		}
		s = fmt.Sprintf("%s resolved with code %s, stdout %q", s, code, capText(c.OK.Stdout, 100))
	case c.Err != nil && c.Err.Code == nil:
		s = fmt.Sprintf("%s rejected without a code: %s", s, capText(c.Err.Message, 200))
	case c.Err != nil:
		s = fmt.Sprintf("%s rejected with code %v: %s", s, c.Err.Code, capText(c.Err.Message, 200))
	default:
		s += " did not settle"
	}
	if c.short != nil {
		s = c.short.Replace(s)
	}
	return s
}

// shorten makes the calls' messages name these directories $WORK, $PROBE1, $PROBE2...
// instead of their long temporary paths.
func shorten(work string, calls []*call) {
	pairs := []string{work, "$WORK"}
	for i, c := range calls {
		if filepath.Base(c.File) == probeName && filepath.IsAbs(c.File) {
			pairs = append([]string{filepath.Dir(c.File), fmt.Sprintf("$PROBE%d", i+1)}, pairs...)
		}
	}
	r := strings.NewReplacer(pairs...)
	for _, c := range calls {
		c.short = r
	}
}

// envDiff describes how env differs from want: the variables it has too many and too few.
func envDiff(env, want []string) string {
	var extra, missing []string
	for _, kv := range env {
		if strings.HasPrefix(kv, "PROCDOJO_SECRET_TOKEN=") {
			extra = append([]string{kv + " (a secret!)"}, extra...)
		} else if !slices.Contains(want, kv) {
			extra = append(extra, kv)
		}
	}
	for _, kv := range want {
		if !slices.Contains(env, kv) {
			missing = append(missing, kv)
		}
	}
	list := func(l []string) string {
		if len(l) > 6 {
			return fmt.Sprintf("%q and %d more", l[:6], len(l)-6)
		}
		return fmt.Sprintf("%q", l)
	}
	return fmt.Sprintf("the probe's environment has %s too many and lacks %s", list(extra), list(missing))
}

// probed decodes what the probe printed, or returns false.
func (c *call) probed() (probeOutput, bool) {
	var out probeOutput
	if c.OK == nil || json.Unmarshal([]byte(c.OK.Stdout), &out) != nil {
		return out, false
	}
	return out, true
}

// newProbe returns the path of a fresh probe symlink, in a directory of its own, and a
// function that reports whether that probe ran.
func newProbe(t *testing.T) (string, func() bool) {
	t.Helper()
	dir := helperLink(t, probeName)
	return filepath.Join(dir, probeName), func() bool {
		_, err := os.Stat(filepath.Join(dir, "ran"))
		return !errors.Is(err, fs.ErrNotExist)
	}
}

// runAll makes these changes to node's own environment, then makes the calls one after the
// other:
//
//	PROCDOJO_SECRET_TOKEN=hunter2    a secret that must not leak
//	PROCDOJO_LANG=fr_FR.UTF-8        a variable some tests allow
//	PROCDOJO_EMPTY=                  set, to the empty string
//	PROCDOJO_UNSET                   not set
//	PATH=<pathDir>:$PATH             pathDir holds a probe, when not ""
func runAll(t *testing.T, pathDir string, calls []*call) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := runNode(t, ctx, `process.env.PROCDOJO_SECRET_TOKEN = 'hunter2';
process.env.PROCDOJO_LANG = 'fr_FR.UTF-8';
process.env.PROCDOJO_EMPTY = '';
delete process.env.PROCDOJO_UNSET;
if (pathDir !== '') process.env.PATH = pathDir + ':' + process.env.PATH;
for (const c of calls) {
  try {
    const r = await mod.run(c.file, c.args, c.options ?? undefined);
    report({ ok: { code: r.code, stdout: r.stdout } });
  } catch (e) {
    report({ err: { code: e.code ?? null, message: String(e.message) } });
  }
}`, nodeVars{"calls": calls, "pathDir": pathDir})
	if r.TimedOut {
		t.Errorf("run did not settle within 60s (%d of %d calls did); want every call to settle", len(r.Reports), len(calls))
	}
	if r.Err != nil {
		t.Fatalf("node failed after %d of %d calls: %v", len(r.Reports), len(calls), r.Err)
	}
	for i := range min(len(r.Reports), len(calls)) {
		r.Report(t, i, calls[i])
	}
}

func workDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRunEnvironment(t *testing.T) {
	t.Parallel()
	p1, _ := newProbe(t)
	p2, _ := newProbe(t)
	work := workDir(t)
	calls := []*call{
		{File: p1, Args: []string{}, Options: map[string]any{"cwd": work, "allow": []string{"PROCDOJO_LANG", "PROCDOJO_EMPTY", "PROCDOJO_UNSET", "PATH"}}},
		{File: p2, Args: []string{}, Options: map[string]any{"cwd": work}},
	}
	shorten(work, calls)
	runAll(t, filepath.Dir(p2), calls)
	wants := [][]string{
		{"PATH=" + safePath, "PROCDOJO_EMPTY=", "PROCDOJO_LANG=fr_FR.UTF-8"},
		{"PATH=" + safePath},
	}
	for i, c := range calls {
		out, ok := c.probed()
		if !ok {
			t.Errorf("%v; want the probe to run", c)
		} else if !slices.Equal(out.Env, wants[i]) {
			opts, _ := json.Marshal(c.Options)
			t.Errorf("run(%q, [], %s): %s; want exactly %q: PATH=%s and the allowed variables that are set here (even to ''), never PROCDOJO_SECRET_TOKEN or another variable of this process, and PATH never from here", c.short.Replace(c.File), c.short.Replace(string(opts)), c.short.Replace(envDiff(out.Env, wants[i])), wants[i], safePath)
		}
	}
}

func TestRunLookup(t *testing.T) {
	t.Parallel()
	probe, ran := newProbe(t)
	work := workDir(t)
	calls := []*call{
		{File: "env", Args: []string{}, Options: map[string]any{"cwd": work}},
		{File: probeName, Args: []string{}, Options: map[string]any{"cwd": work}},
	}
	shorten(work, calls)
	runAll(t, filepath.Dir(probe), calls)
	if c := calls[0]; c.OK == nil || c.OK.Code == nil || *c.OK.Code != 0 || c.OK.Stdout != "PATH="+safePath+"\n" {
		t.Errorf("%v; want code 0 and stdout %q: env is in %s, and it prints the environment it got", c, "PATH="+safePath+"\n", safePath)
	}
	if c := calls[1]; c.Err == nil || c.Err.Code != "ENOENT" || ran() {
		t.Errorf("%v (the probe ran: %v); want a rejection with code 'ENOENT' and the probe not run: %s is only on this process's PATH, and a name is looked up in the child's PATH, %s", c, ran(), probeName, safePath)
	}
}

func TestRunCwd(t *testing.T) {
	t.Parallel()
	work := workDir(t)
	file := filepath.Join(work, "notes.txt")
	if err := os.WriteFile(file, []byte("a file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(work, "no-such-dir")
	tests := []struct {
		options map[string]any
		code    string // "" for a call that runs the probe in work
		why     string
	}{
		{map[string]any{"cwd": work}, "", "the probe runs in cwd"},
		{map[string]any{"cwd": missing}, "ERR_CWD_NOT_FOUND", "Node itself says ENOENT, blaming the program, when cwd does not exist"},
		{map[string]any{"cwd": file}, "ERR_CWD_NOT_FOUND", "cwd is a file"},
		{map[string]any{"allow": []string{"PROCDOJO_LANG"}}, "ERR_NO_CWD", "without cwd the program would run in this process's directory"},
		{map[string]any{"cwd": ""}, "ERR_NO_CWD", "Node treats cwd '' as no cwd at all"},
	}
	calls := make([]*call, len(tests))
	ran := make([]func() bool, len(tests))
	for i, tc := range tests {
		var probe string
		probe, ran[i] = newProbe(t)
		calls[i] = &call{File: probe, Args: []string{}, Options: tc.options}
	}
	// The program is missing too: cwd is still the problem to report.
	calls = append(calls, &call{File: filepath.Join(work, "missing-program"), Args: []string{}, Options: map[string]any{"cwd": missing}})
	shorten(work, calls)
	runAll(t, "", calls)
	for i, tc := range tests {
		c := calls[i]
		if tc.code == "" {
			if out, ok := c.probed(); !ok || out.Cwd != work {
				t.Errorf("%v; want the probe to run in $WORK", c)
			}
			continue
		}
		if c.Err == nil || c.Err.Code != tc.code || ran[i]() {
			t.Errorf("%v (the probe ran: %v); want a rejection with code %q and nothing started: %s", c, ran[i](), tc.code, tc.why)
		}
		if cwd, _ := tc.options["cwd"].(string); cwd != "" && c.Err != nil && !strings.Contains(c.Err.Message, cwd) {
			t.Errorf("%v; want the message to name the directory, %s", c, c.short.Replace(cwd))
		}
	}
	if c := calls[len(tests)]; c.Err == nil || c.Err.Code != "ERR_CWD_NOT_FOUND" {
		t.Errorf("%v; want a rejection with code 'ERR_CWD_NOT_FOUND': the directory is missing, whether the program is or not", c)
	}
}

func TestRunMissingProgram(t *testing.T) {
	t.Parallel()
	work := workDir(t)
	calls := []*call{
		{File: filepath.Join(work, "missing-program"), Args: []string{}, Options: map[string]any{"cwd": work}},
		{File: "procdojo-no-such-program", Args: []string{}, Options: map[string]any{"cwd": work}},
	}
	shorten(work, calls)
	runAll(t, "", calls)
	for _, c := range calls {
		if c.Err == nil || c.Err.Code != "ENOENT" {
			t.Errorf("%v; want a rejection with code 'ENOENT': the directory exists, the program does not", c)
		}
	}
}

func TestRunExitStatus(t *testing.T) {
	t.Parallel()
	probe, _ := newProbe(t)
	work := workDir(t)
	c := &call{File: probe, Args: []string{"exit=3"}, Options: map[string]any{"cwd": work}}
	shorten(work, []*call{c})
	runAll(t, "", []*call{c})
	if _, ok := c.probed(); !ok || c.OK.Code == nil || *c.OK.Code != 3 {
		t.Errorf("%v; want it to resolve with code 3 and the probe's output: a non-zero exit is an answer, not an error", c)
	}
}
