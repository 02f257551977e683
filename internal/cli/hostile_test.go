package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// runMain runs procdojo in this process over buffers, with stdin, and returns the exit
// status and what it wrote.
func runMain(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ios, in, out, errOut := iostreams.Test()
	in.WriteString(stdin)
	code = Main(ios, append([]string{"procdojo"}, args...))
	return code, out.String(), errOut.String()
}

// TestExitStatusesAgree checks that each fault gives the status the README's table gives
// it, whichever command meets it.
func TestExitStatusesAgree(t *testing.T) {
	t.Parallel()
	type fault struct {
		name  string
		setup func(t *testing.T) string // returns the data directory
		code  int
		say   string
	}
	fileDir := func(t *testing.T) string { // a file where the data directory should be
		p := filepath.Join(t.TempDir(), "state")
		os.WriteFile(p, nil, 0o600)
		return p
	}
	logDir := func(t *testing.T) string { // history.jsonl is a folder
		d := t.TempDir()
		os.Mkdir(filepath.Join(d, progress.FileName), 0o700)
		return d
	}
	linkLog := func(t *testing.T) string { // history.jsonl is a link to another file
		d := t.TempDir()
		os.WriteFile(filepath.Join(d, "target"), []byte("keep\n"), 0o600)
		os.Symlink(filepath.Join(d, "target"), filepath.Join(d, progress.FileName))
		return d
	}
	faults := []fault{
		{"a data directory that cannot be written", fileDir, ExitFailure, "progress: "},
		{"history.jsonl is a folder", logDir, ExitFailure, "is a folder, not a regular file"},
		{"history.jsonl is a symbolic link", linkLog, ExitFailure, "is a symbolic link; procdojo does not follow it"},
	}
	commands := [][]string{
		{"quiz", "--bank", "testdata/three.toml"},
		{"review", "--bank", "testdata/three.toml"},
		{"score", "--bank", "testdata/three.toml"},
		{"next", "--bank", "testdata/three.toml"},
		{"next", "--json", "--bank", "testdata/three.toml"},
	}
	if kata.Supported {
		commands = append(commands, []string{"kata", "list"})
	}
	for _, f := range faults {
		for _, cmd := range commands {
			t.Run(f.name+"/"+strings.Join(cmd, " "), func(t *testing.T) {
				t.Parallel()
				dir := f.setup(t)
				code, out, errOut := runMain(t, "1\n", append([]string{"--data-dir", dir}, cmd...)...)
				if code != f.code || !strings.Contains(errOut, f.say) {
					t.Errorf("procdojo %s with %s = exit %d, stderr %q; want %d and %q\nstdout:\n%s", strings.Join(cmd, " "), f.name, code, errOut, f.code, f.say, out)
				}
				if data, err := os.ReadFile(filepath.Join(dir, "target")); err == nil && string(data) != "keep\n" {
					t.Errorf("the link's target was written: %q", data)
				}
			})
		}
	}
	usage := []struct {
		args []string
		say  string
	}{
		{[]string{"quiz", "--topic", "nope"}, `quiz: unknown topic "nope" (procdojo questions list shows the topics in use)`},
		{[]string{"quiz", "--level", "expert"}, `quiz: unknown level "expert" (use junior, mid, senior)`},
		{[]string{"score", "--since", "999999999d"}, `--since "999999999d" reaches back more than 100 years`},
		{[]string{"questions", "lint", "testdata/no-such.toml"}, `cannot read bank "testdata/no-such.toml": no such file or directory`},
	}
	for _, u := range usage {
		t.Run(strings.Join(u.args, " "), func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runMain(t, "", append([]string{"--data-dir", t.TempDir()}, u.args...)...)
			if code != ExitUsage || !strings.Contains(errOut, u.say) {
				t.Errorf("procdojo %s = exit %d, stderr %q; want %d and %q", strings.Join(u.args, " "), code, errOut, ExitUsage, u.say)
			}
			if strings.Count(errOut, "procdojo questions list") > 1 {
				t.Errorf("the hint is repeated: %q", errOut)
			}
		})
	}
}

// writeHistory writes lines as the history of a new data directory and returns it.
func writeHistory(t *testing.T, data string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, progress.FileName), []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func answerLine(at time.Time, q string, score float64) string {
	b, _ := json.Marshal(progress.Record{Time: at, Type: progress.TypeAnswer, Question: q, Level: "junior", Kind: "single", Score: score, Max: 1, ElapsedMS: 5000, Mode: "quiz"})
	return string(b) + "\n"
}

// TestHostileHistory runs the commands that read history.jsonl on damaged and misdated logs.
func TestHostileHistory(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC()
	past := now.Add(-48 * time.Hour)
	y9999 := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	y2099 := time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	future := "warning: history.jsonl holds 1 record(s) dated in the future (up to 9999-12-31); they are left out. Is the system clock right?"
	tests := []struct {
		name    string
		history string
		args    []string
		stdin   string
		warn    string // in stderr, exactly once
		warns   int    // lines of stderr that start with "warning:"
		check   func(t *testing.T, stdout string)
	}{
		{name: "year 9999, next --json", history: answerLine(past, "e2e-one", 1) + answerLine(y9999, "e2e-two", 0),
			args: []string{"next", "--json"}, warn: future, warns: 1, check: func(t *testing.T, out string) {
				var st struct{ Answers int }
				if err := json.Unmarshal([]byte(out), &st); err != nil || st.Answers != 1 {
					t.Errorf("next --json = %v, answers %d; want JSON counting the one answer of the past\n%s", err, st.Answers, out)
				}
			}},
		{name: "year 9999, review --json", history: answerLine(past, "e2e-one", 1) + answerLine(y9999, "e2e-two", 0),
			args: []string{"review", "--json", "-n", "1"}, stdin: "1\n", warn: future, warns: 1, check: func(t *testing.T, out string) {
				if !json.Valid([]byte(out)) {
					t.Errorf("review --json printed no JSON:\n%s", out)
				}
			}},
		{name: "year 9999, score --json", history: answerLine(y9999, "e2e-two", 0),
			args: []string{"score", "--json"}, warn: future, warns: 1, check: func(t *testing.T, out string) {
				if !json.Valid([]byte(out)) {
					t.Errorf("score --json printed no JSON:\n%s", out)
				}
			}},
		{name: "a wrong answer dated 2099 does not pin mastery",
			history: answerLine(y2099, "e2e-one", 0) + answerLine(past, "e2e-one", 1) + answerLine(y2099.Add(time.Hour), "e2e-two", 0),
			args:    []string{"score", "--json"},
			warn:    "warning: history.jsonl holds 2 record(s) dated in the future (up to 2099-01-01); they are left out.", warns: 1,
			check: func(t *testing.T, out string) {
				var rep struct {
					Answers int
					Levels  []struct{ Accuracy *float64 }
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Answers != 1 || rep.Levels[0].Accuracy == nil || *rep.Levels[0].Accuracy != 100 {
					t.Errorf("score --json = %v; want 1 answer, junior accuracy 100 (the right answer of the past)\n%s", err, out)
				}
			}},
		{name: "a million damaged lines", history: strings.Repeat("garbage\n", 1_000_000) + answerLine(past, "e2e-one", 1),
			args: []string{"score"}, warn: "warning: history.jsonl: 999995 more damaged lines skipped, the last at line 1000000", warns: 6},
		{name: "byte order mark", history: "\ufeff" + answerLine(past, "e2e-one", 1),
			args: []string{"score", "--json"}, warns: 0, check: func(t *testing.T, out string) {
				var rep struct{ Answers int }
				if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Answers != 1 {
					t.Errorf("score --json = %v, %d answers; want the first record counted", err, rep.Answers)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeHistory(t, tt.history)
			args := append([]string{"--data-dir", dir}, tt.args...)
			code, out, errOut := runMain(t, tt.stdin, append(args, "--bank", "testdata/three.toml")...)
			if code != 0 {
				t.Fatalf("procdojo %s = exit %d; want 0\nstderr:\n%s", strings.Join(tt.args, " "), code, errOut)
			}
			if tt.warn != "" && strings.Count(errOut, tt.warn) != 1 {
				t.Errorf("stderr = %q; want %q once", errOut, tt.warn)
			}
			if n := strings.Count("\n"+errOut, "\nwarning:"); n != tt.warns {
				t.Errorf("stderr has %d warnings; want %d:\n%.2000s", n, tt.warns, errOut)
			}
			if tt.check != nil {
				tt.check(t, out)
			}
		})
	}
}

// TestQuizBadAnswerReport checks what a bad answer in a script says and prints: whether
// anything was saved, and a JSON report that says stopped, with lists and not nulls.
func TestQuizBadAnswerReport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		stdin  string
		say    string
		notSay string
	}{
		{"no-save", []string{"--no-save"}, "7\n", "bad answer: \"7\" is not a choice number from 1 to 3 (nothing was saved: --no-save)", "are saved"},
		{"nothing answered yet", nil, "7\n", "bad answer: \"7\" is not a choice number from 1 to 3\n", "saved"},
		{"one answered", nil, "2\n7\n", "(the 1 answer(s) before it are saved)", "nothing was saved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := append([]string{"--data-dir", t.TempDir(), "quiz", "--bank", "testdata/three.toml", "--no-shuffle", "--json"}, tt.args...)
			code, out, errOut := runMain(t, tt.stdin, args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.say) || strings.Contains(errOut, tt.notSay) {
				t.Errorf("quiz = exit %d, stderr:\n%s\nwant %d, %q and not %q", code, errOut, ExitUsage, tt.say, tt.notSay)
			}
			var rep struct {
				Stopped bool
				Levels  []any
				Topics  []any
			}
			if err := json.Unmarshal([]byte(out), &rep); err != nil || !rep.Stopped || rep.Levels == nil || rep.Topics == nil {
				t.Errorf("quiz --json = %+v, %v; want stopped true, levels and topics lists\n%s", rep, err, out)
			}
		})
	}
}

// TestQuizWrapsAtTheTerminalWidth runs a plain quiz whose output is a terminal 40 columns
// wide: lines are broken at spaces, never inside a word, and code is left alone; the same
// quiz into a pipe is not wrapped.
func TestQuizWrapsAtTheTerminalWidth(t *testing.T) {
	t.Parallel()
	bank := filepath.Join(t.TempDir(), "wide.toml")
	prompt := "When a Node.js parent process spawns a child with stdio set to pipe and never reads the child's standard output, what eventually happens?"
	os.WriteFile(bank, []byte(`level = "junior"
[[questions]]
id = "wide"
kind = "single"
topic = "streams"
lang = "node"
prompt = "`+prompt+`"
code = "const child = spawn('yes', [], { stdio: ['ignore', 'pipe', 'inherit'] }); // a long line of code stays whole"
choices = ["The child blocks once the pipe buffer is full, because nobody drains it", "Nothing"]
answer = 1
explanation = "A pipe has a fixed capacity; a writer to a full pipe blocks until the reader drains it, here never."
source = "https://nodejs.org/api/child_process.html#optionsstdio"
`), 0o600)
	for _, width := range []int{40, 0} {
		ios, in, out, errOut := iostreams.Test()
		ios.OutWidth = width
		in.WriteString("1\n")
		code := Main(ios, []string{"procdojo", "--data-dir", t.TempDir(), "quiz", "--plain", "--bank", bank})
		if code != 0 {
			t.Fatalf("quiz = exit %d\n%s", code, errOut)
		}
		text := out.String()
		var words []string
		for _, l := range strings.Split(text, "\n") {
			if strings.HasPrefix(l, "    const child") {
				continue // code
			}
			if width > 0 && len([]rune(l)) > width && strings.Contains(strings.TrimSpace(l), " ") {
				t.Errorf("width %d: line %q is wider and could be broken", width, l)
			}
			words = append(words, strings.Fields(l)...)
		}
		joined := strings.Join(words, " ")
		for _, want := range []string{prompt, "The child blocks once the pipe buffer is full, because nobody drains it", "a writer to a full pipe blocks until the reader drains it, here never."} {
			if !strings.Contains(joined, want) {
				t.Errorf("width %d: a word was cut or lost in %q:\n%s", width, want, text)
			}
		}
		if !strings.Contains(text, "a long line of code stays whole") {
			t.Errorf("width %d: the code was wrapped:\n%s", width, text)
		}
		if wrapped := !strings.Contains(text, prompt); wrapped != (width > 0) {
			t.Errorf("width %d: prompt wrapped = %v; want %v\n%s", width, wrapped, width > 0, text)
		}
	}
}
