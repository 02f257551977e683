package safeexec

// The tests call convert() in node with a real converter: the test binary, run through a
// symlink called "converter" (helperLink), which logs every call it gets next to that
// symlink. So a test can tell exactly which arguments reached the converter, in which
// directory, and whether it ran at all.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	helpers["converter"] = converter
}

// callsLog is the file, next to the converter's symlink, where it logs each call.
const callsLog = "calls.log"

// call is one run of the converter, as it logged it.
type call struct {
	Args []string `json:"args"`
	Cwd  string   `json:"cwd"`
}

// converter stands in for an image converter. It appends {args, cwd} as a JSON line to
// calls.log next to its symlink, then parses its arguments as GNU tools do:
//
//	--to FORMAT, --to=FORMAT  the output format (required)
//	--                        the end of the options
//	any other "-..." before "--" is an unknown option: exit 2
//
// It takes exactly one input file, relative to its working directory, and writes
// FORMAT + ":" + the file's content to stdout. A file whose content starts with "corrupt"
// makes it write "converter: NAME: corrupt input at byte 0" to stderr and exit 1.
func converter(args []string) int {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) }) // nobody waits that long
	cwd, _ := os.Getwd()
	line, _ := json.Marshal(call{Args: args, Cwd: cwd})
	f, err := os.OpenFile(filepath.Join(filepath.Dir(os.Args[0]), callsLog), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, "converter:", err)
		return 4
	}
	f.Write(append(line, '\n'))
	f.Close()

	var format string
	var files []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			files = append(files, args[i+1:]...)
			i = len(args)
		case a == "--to" && i+1 < len(args):
			format = args[i+1]
			i++
		case strings.HasPrefix(a, "--to="):
			format = strings.TrimPrefix(a, "--to=")
		case strings.HasPrefix(a, "-") && a != "-":
			fmt.Fprintf(os.Stderr, "converter: unknown option %q\n", a)
			return 2
		default:
			files = append(files, a)
		}
	}
	if format == "" || len(files) != 1 {
		fmt.Fprintln(os.Stderr, "usage: converter --to FORMAT [--] FILE")
		return 2
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "converter: %v\n", err)
		return 1
	}
	if bytes.HasPrefix(data, []byte("corrupt")) {
		fmt.Fprintf(os.Stderr, "converter: %s: corrupt input at byte 0\n", files[0])
		return 1
	}
	fmt.Printf("%s:%s", format, data)
	return 0
}

// uploads is the test's upload directory and what lies around it:
//
//	ROOT/secret.txt             outside
//	ROOT/uploads-evil/x.png     outside, with a name that starts like the upload directory's
//	ROOT/uploads/               the upload directory, with files
type uploads struct {
	root, dir string
}

func newUploads(t *testing.T, files map[string]string) uploads {
	t.Helper()
	root := t.TempDir()
	if r, err := filepath.EvalSymlinks(root); err == nil {
		root = r
	}
	u := uploads{root: root, dir: filepath.Join(root, "uploads")}
	all := map[string]string{
		"../secret.txt":           "secret",
		"../uploads-evil/x.png":   "evil",
		"photo.png":               "photo",
		"2024/06/cat.png":         "cat",
		"-rf":                     "dash",
		"--help":                  "dash",
		"-o..%2fout.png":          "dash",
		"|cat":                    "pipe",
		"@args":                   "--delete-input",
		"corrupt.png":             "corrupt data",
		"a\nb.png":                "newline",
		"tab\there.png":           "tab",
		"\x1b[31mred.png":         "escape",
		"del\x7f.png":             "delete",
		"2024/06/dash-inside.png": "inside",
	}
	for name, content := range files {
		all[name] = content
	}
	for name, content := range all {
		p := filepath.Join(u.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "secret.txt"), filepath.Join(u.dir, "link-out.png")); err != nil {
		t.Fatal(err)
	}
	return u
}

// attempt is one call of convert(converter, dir, name, format) and what it did.
type attempt struct {
	Name, Format string
	converter    string // the converter's symlink; its calls.log is next to it

	OK  *string `json:"ok"`
	Err *struct {
		Code     any    `json:"code"`
		Message  string `json:"message"`
		ExitCode *int   `json:"exitCode"`
	} `json:"err"`
}

func (a *attempt) String() string {
	call := fmt.Sprintf("convert(converter, dir, %q, %q)", a.Name, a.Format)
	switch {
	case a.OK != nil:
		return fmt.Sprintf("%s resolved with %q", call, capText(*a.OK, 200))
	case a.Err != nil && a.Err.Code == nil:
		return fmt.Sprintf("%s rejected without a code: %s", call, capText(a.Err.Message, 200))
	case a.Err != nil:
		return fmt.Sprintf("%s rejected with code %v: %s", call, a.Err.Code, capText(a.Err.Message, 200))
	}
	return call + " did not settle"
}

// calls returns the calls the converter of a logged.
func (a *attempt) calls(t *testing.T) []call {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(filepath.Dir(a.converter), callsLog))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var calls []call
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var c call
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatalf("converter log %q: %v", line, err)
		}
		calls = append(calls, c)
	}
	return calls
}

// convertAll calls convert for each attempt, one after the other, in one node process, each
// with a converter of its own, and fills in what each did.
func convertAll(t *testing.T, u uploads, attempts []*attempt) {
	t.Helper()
	type job struct {
		Converter, Name, Format string
	}
	jobs := make([]job, len(attempts))
	for i, a := range attempts {
		a.converter = filepath.Join(helperLink(t, "converter"), "converter")
		jobs[i] = job{a.converter, a.Name, a.Format}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := runNode(t, ctx, `for (const j of jobs) {
  try {
    report({ ok: await mod.convert(j.Converter, dir, j.Name, j.Format) });
  } catch (e) {
    report({ err: { code: e.code ?? null, message: String(e.message), exitCode: typeof e.exitCode === 'number' ? e.exitCode : null } });
  }
}`, nodeVars{"jobs": jobs, "dir": u.dir})
	if r.TimedOut {
		t.Errorf("convert did not settle within 60s (%d of %d calls did); want every call to settle", len(r.Reports), len(attempts))
	}
	if r.Err != nil {
		t.Fatalf("node failed after %d of %d calls: %v", len(r.Reports), len(attempts), r.Err)
	}
	for i := range min(len(r.Reports), len(attempts)) {
		r.Report(t, i, attempts[i])
	}
}

// failures reports at most maxFailures failures of one test, then how many more there were.
type failures struct {
	t *testing.T
	n int
}

const maxFailures = 6

func (f *failures) Errorf(format string, args ...any) {
	f.t.Helper()
	f.n++
	if f.n <= maxFailures {
		f.t.Errorf(format, args...)
	}
}

func (f *failures) done() {
	f.t.Helper()
	if f.n > maxFailures {
		f.t.Errorf("... and %d more failures like these", f.n-maxFailures)
	}
}

func TestConvertRunsTheConverter(t *testing.T) {
	t.Parallel()
	f := &failures{t: t}
	defer f.done()
	u := newUploads(t, nil)
	attempts := []*attempt{
		{Name: "photo.png", Format: "png"},
		{Name: "2024/06/cat.png", Format: "webp"},
		{Name: "2024/06/dash-inside.png", Format: "jpeg"},
	}
	convertAll(t, u, attempts)
	for _, a := range attempts {
		content, _ := os.ReadFile(filepath.Join(u.dir, a.Name))
		want := a.Format + ":" + string(content)
		if a.OK == nil || *a.OK != want {
			f.Errorf("%v; want it to resolve with the converter's stdout %q", a, want)
			continue
		}
		wantCall := call{Args: []string{"--to", a.Format, "--", a.Name}, Cwd: u.dir}
		if calls := a.calls(t); len(calls) != 1 || !slices.Equal(calls[0].Args, wantCall.Args) || calls[0].Cwd != wantCall.Cwd {
			f.Errorf("%v; the converter got %+v; want one call %+v (arguments as an array, cwd the upload directory)", a, calls, wantCall)
		}
	}
}

func TestConvertNoShell(t *testing.T) {
	t.Parallel()
	f := &failures{t: t}
	defer f.done()
	names := []string{
		"$(touch pwned).png", "`touch pwned`.png", "a;touch pwned.png", "x && touch pwned.png",
		"it's.png", `say "hi".png`, "two  spaces.png", "*.png", "$HOME.png", "100%.png",
		"a|b.png", "x@y.png", "café ☕.png", `back\slash.png`, "#hash.png", "~tilde.png",
	}
	files := map[string]string{}
	for i, n := range names {
		files[n] = "file " + strconv.Itoa(i)
	}
	u := newUploads(t, files)
	attempts := make([]*attempt, len(names))
	for i, n := range names {
		attempts[i] = &attempt{Name: n, Format: "png"}
	}
	convertAll(t, u, attempts)
	for _, a := range attempts {
		want := "png:" + files[a.Name]
		if a.OK == nil || *a.OK != want {
			f.Errorf("%v; want it to resolve with %q: without a shell, every character of a name is just a character", a, want)
			continue
		}
		wantArgs := []string{"--to", "png", "--", a.Name}
		if calls := a.calls(t); len(calls) != 1 || !slices.Equal(calls[0].Args, wantArgs) {
			f.Errorf("%v; the converter got %+v; want one call with arguments %q", a, calls, wantArgs)
		}
	}
	filepath.WalkDir(u.root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == "pwned" {
			f.Errorf("%s exists: a shell ran a command hidden in a file name; use execFile (or spawn) with an argument array, never exec or shell: true", p)
		}
		return nil
	})
}

func TestConvertRejectsNames(t *testing.T) {
	t.Parallel()
	f := &failures{t: t}
	defer f.done()
	u := newUploads(t, nil)
	tests := []struct{ name, why string }{
		{"", "an empty name"},
		{"-rf", "a name starting with '-' reads as an option"},
		{"--help", "a name starting with '-' reads as an option"},
		{"-o..%2fout.png", "a name starting with '-' reads as an option"},
		{"|cat", "a name starting with '|' runs a command in some tools (Perl's two-argument open)"},
		{"@args", "a name starting with '@' is a file of more arguments for some tools (gcc, javac)"},
		{"a\nb.png", "a control character"},
		{"tab\there.png", "a control character"},
		{"\x1b[31mred.png", "a control character"},
		{"del\x7f.png", "a control character"},
		{"../secret.txt", "outside the upload directory"},
		{"2024/../../secret.txt", "outside the upload directory"},
		{"../uploads-evil/x.png", "outside the upload directory (its path starts like the directory's: compare whole path segments)"},
		{"link-out.png", "a symbolic link to a file outside the upload directory (resolve it with fs.promises.realpath)"},
		{"/etc/passwd", "an absolute path outside the upload directory"},
		{".", "the upload directory itself"},
		{"2024/..", "the upload directory itself"},
	}
	attempts := make([]*attempt, len(tests))
	for i, tc := range tests {
		attempts[i] = &attempt{Name: tc.name, Format: "png"}
	}
	convertAll(t, u, attempts)
	for i, a := range attempts {
		if a.Err == nil || a.Err.Code != "ERR_INVALID_NAME" {
			f.Errorf("%v; want a rejection with code 'ERR_INVALID_NAME': %s", a, tests[i].why)
		}
		if calls := a.calls(t); len(calls) > 0 {
			f.Errorf("%v; the converter ran with %q; want nothing started for an invalid name", a, calls[0].Args)
		}
	}
}

func TestConvertRejectsFormats(t *testing.T) {
	t.Parallel()
	f := &failures{t: t}
	defer f.done()
	u := newUploads(t, nil)
	formats := []string{"", "PNG", "png ", " png", "gif", "png;touch pwned", "--help", "-o/tmp/x", "constructor", "toString", "__proto__"}
	attempts := make([]*attempt, len(formats))
	for i, f := range formats {
		attempts[i] = &attempt{Name: "photo.png", Format: f}
	}
	convertAll(t, u, attempts)
	for _, a := range attempts {
		if a.Err == nil || a.Err.Code != "ERR_INVALID_FORMAT" {
			f.Errorf("%v; want a rejection with code 'ERR_INVALID_FORMAT': only 'png', 'jpeg' and 'webp', exactly", a)
		}
		if calls := a.calls(t); len(calls) > 0 {
			f.Errorf("%v; the converter ran with %q; want nothing started for an invalid format", a, calls[0].Args)
		}
	}
}

func TestConvertMissingFile(t *testing.T) {
	t.Parallel()
	f := &failures{t: t}
	defer f.done()
	u := newUploads(t, nil)
	attempts := []*attempt{{Name: "missing.png", Format: "png"}, {Name: "2024/07/missing.png", Format: "jpeg"}}
	convertAll(t, u, attempts)
	for _, a := range attempts {
		if a.Err == nil || a.Err.Code != "ENOENT" {
			f.Errorf("%v; want a rejection with code 'ENOENT'", a)
		}
		if calls := a.calls(t); len(calls) > 0 {
			f.Errorf("%v; the converter ran with %q; want nothing started for a missing file", a, calls[0].Args)
		}
	}
}

func TestConvertConverterFails(t *testing.T) {
	t.Parallel()
	u := newUploads(t, nil)
	a := &attempt{Name: "corrupt.png", Format: "png"}
	convertAll(t, u, []*attempt{a})
	const quote = "corrupt input at byte 0"
	if a.Err == nil || a.Err.Code != "ERR_CONVERTER_FAILED" || a.Err.ExitCode == nil || *a.Err.ExitCode != 1 || !strings.Contains(a.Err.Message, quote) {
		exit := "none"
		if a.Err != nil && a.Err.ExitCode != nil {
			exit = strconv.Itoa(*a.Err.ExitCode)
		}
		t.Errorf("%v (exitCode %s); want a rejection with code 'ERR_CONVERTER_FAILED', exitCode 1 and a message that quotes the converter's stderr (%q)", a, exit, quote)
	}
}
