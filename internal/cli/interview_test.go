package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/procdojo/procdojo/internal/interview"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// interviewEnv is a workspace, a progress log, the built-in katas and test streams.
type interviewEnv struct {
	cat *kata.Catalog
	ws  *kata.Workspace
	log *progress.Log
}

func newInterviewEnv(t *testing.T) *interviewEnv {
	t.Helper()
	if !kata.Supported {
		t.Skip("katas need a Unix-like OS")
	}
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ws, err := kata.InitWorkspace(filepath.Join(t.TempDir(), "ws"))
	if err != nil {
		t.Fatal(err)
	}
	return &interviewEnv{cat: cat, ws: ws, log: progress.Open(t.TempDir())}
}

func (e *interviewEnv) opts(ios *iostreams.IOStreams) *interviewOptions {
	return &interviewOptions{IO: ios, Level: "junior", Questions: 4, Seed: 42, SeedSet: true, Plain: true,
		Log: e.log, WS: wsLocator{Flag: e.ws.Dir}, Catalog: e.cat}
}

func (e *interviewEnv) records(t *testing.T) []progress.Record {
	t.Helper()
	recs, warns, err := e.log.Read()
	if err != nil || len(warns) > 0 {
		t.Fatalf("reading the history: %v %v", warns, err)
	}
	return recs
}

// countTypes counts records by type; answers must be interview answers of one session.
func countTypes(t *testing.T, recs []progress.Record) map[string]int {
	t.Helper()
	n := map[string]int{}
	session := ""
	for _, r := range recs {
		n[r.Type]++
		if r.Type == progress.TypeAnswer || r.Type == progress.TypeInterview {
			if session == "" {
				session = r.Session
			}
			if r.Session != session || r.Type == progress.TypeAnswer && r.Mode != "interview" {
				t.Errorf("record %+v: want mode interview and session %s", r, session)
			}
		}
	}
	return n
}

// TestRunInterviewPlainSkip is the scripted interview of the README: four answers in plain
// mode, then skip in the kata section, with the scorecard as JSON on stdout.
func TestRunInterviewPlainSkip(t *testing.T) {
	t.Parallel()
	e := newInterviewEnv(t)
	ios, in, out, errOut := iostreams.Test()
	in.WriteString("1\n1\n1\n1\nskip\n")
	opts := e.opts(ios)
	opts.JSON = true
	if err := runInterview(context.Background(), opts); err != nil {
		t.Fatalf("runInterview() = %v\nstderr:\n%s", err, errOut)
	}
	var card interview.Scorecard
	if err := json.Unmarshal(out.Bytes(), &card); err != nil {
		t.Fatalf("stdout is not one JSON scorecard: %v\n%s", err, out)
	}
	if card.Level != "junior" || card.Seed != 42 || card.Outcome != interview.Finished || len(card.Sections) != 4 {
		t.Fatalf("scorecard = %s, seed %d, %s, %d sections; want junior, 42, finished, 4", card.Level, card.Seed, card.Outcome, len(card.Sections))
	}
	k := card.Sections[3].Kata
	if k == nil || k.Outcome != interview.KataGaveUp || k.Checks != 0 || k.Level != "junior" {
		t.Fatalf("kata section = %+v; want a junior kata given up without a check", k)
	}
	if _, err := os.Stat(k.File); err != nil || !strings.HasPrefix(k.File, e.ws.Dir) {
		t.Errorf("the kata's file %q was not started in the workspace: %v", k.File, err)
	}
	for _, want := range []string{"Section 1 of 4: screening", "Section 4 of 4: kata", "Time left: ", "> skip", "You gave up"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	n := countTypes(t, e.records(t))
	if n[progress.TypeAnswer] != 4 || n[progress.TypeInterview] != 1 || n[progress.TypeKataCheck] != 0 {
		t.Errorf("history = %v; want 4 answers, 1 interview, no check", n)
	}
	// The interview shows in score, text and JSON.
	sios, _, sout, _ := iostreams.Test()
	src := standingSource{Log: e.log}
	if err := runScore(context.Background(), &scoreOptions{IO: sios, Source: src}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sout.String(), "Mock interviews") || !strings.Contains(sout.String(), "junior: 1 interview") {
		t.Errorf("score does not show the interview:\n%s", sout)
	}
	sout.Reset()
	if err := runScore(context.Background(), &scoreOptions{IO: sios, Source: src, JSON: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sout.String(), `"interviews"`) || !strings.Contains(sout.String(), `"kata_result": "gave up"`) {
		t.Errorf("score --json does not include the interview:\n%s", sout)
	}
}

// TestRunInterviewPlainPass checks a real kata: run-capture, the only junior kata not passed
// in the history, holds its reference solution, so the kata section checks it at once with
// go test and passes, though the input ends right after the answers.
func TestRunInterviewPlainPass(t *testing.T) {
	t.Parallel()
	e := newInterviewEnv(t)
	k, err := e.cat.Get("run-capture")
	if err != nil {
		t.Fatal(err)
	}
	for _, other := range e.cat.All() {
		if other.Level == "junior" && other.ID != k.ID {
			if err := e.log.Append(progress.Record{Type: progress.TypeKataCheck, Kata: other.ID, Verdict: "pass", Passed: 1, Total: 1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	src, err := k.Solution()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(e.ws.KataDir(k), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.ws.File(k), src, 0o644); err != nil {
		t.Fatal(err)
	}
	ios, in, out, errOut := iostreams.Test()
	in.WriteString("1\n1\n1\n1\n")
	if err := runInterview(context.Background(), e.opts(ios)); err != nil {
		t.Fatalf("runInterview() = %v\nstdout:\n%s\nstderr:\n%s", err, out, errOut)
	}
	for _, want := range []string{"your file, kept as it was", "PASS run-capture (", "run-capture: passed, 1 check(s)", "Scorecard: mock interview, junior level"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if got, _ := os.ReadFile(e.ws.File(k)); string(got) != string(src) {
		t.Error("the interview changed the existing kata file")
	}
	recs := e.records(t)
	n := countTypes(t, recs)
	if n[progress.TypeAnswer] != 4 || n[progress.TypeInterview] != 1 {
		t.Errorf("history = %v; want 4 answers and 1 interview", n)
	}
	last := recs[len(recs)-1]
	check := recs[len(recs)-2]
	if check.Type != progress.TypeKataCheck || check.Kata != k.ID || check.Verdict != "pass" {
		t.Errorf("the record before the interview = %+v; want a passing check of %s", check, k.ID)
	}
	if iv := last.Interview; iv == nil || iv.Seed != 42 || len(iv.Sections) != 4 || iv.Sections[3].Kata != k.ID || iv.Sections[3].Outcome != interview.KataPassed {
		t.Errorf("the interview record = %+v; want seed 42 and %s passed", last.Interview, k.ID)
	}
}

// TestRunInterviewPlainKataCommands: the kata alone in plain mode; a hint is shown and
// recorded, a line that is not a command is explained, skip gives up.
func TestRunInterviewPlainKataCommands(t *testing.T) {
	t.Parallel()
	e := newInterviewEnv(t)
	ios, in, out, _ := iostreams.Test()
	in.WriteString("hint\nnext please\n\nskip\n")
	opts := e.opts(ios)
	opts.Questions = 0
	if err := runInterview(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hint 1 of", `"next please" is not a command`, "You gave up", "1 hint(s)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if n := countTypes(t, e.records(t)); n[progress.TypeHint] != 1 || n[progress.TypeInterview] != 1 {
		t.Errorf("history = %v; want 1 hint and 1 interview", n)
	}
}

func TestRunInterviewErrors(t *testing.T) {
	t.Parallel()
	e := newInterviewEnv(t)
	for _, tc := range []struct {
		name   string
		change func(o *interviewOptions)
		code   int
		want   string
	}{
		{"no node kata", func(o *interviewOptions) {
			o.Catalog, o.Level, o.Lang = fixtureCatalog(t), "mid", "node"
		}, ExitUsage, "no kata of level mid in node"},
		{"unknown lang", func(o *interviewOptions) { o.Lang = "rust" }, ExitUsage, `--lang "rust"`},
		{"unknown level", func(o *interviewOptions) { o.Level = "expert" }, ExitUsage, `unknown level "expert"`},
		{"no workspace", func(o *interviewOptions) { o.WS = wsLocator{Cwd: t.TempDir()} }, ExitFailure, "procdojo kata init DIR"},
		{"a bad answer", func(o *interviewOptions) {}, ExitUsage, "bad answer"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ios, in, _, errOut := iostreams.Test()
			in.WriteString("9\n")
			o := e.opts(ios)
			tc.change(o)
			err := runInterview(context.Background(), o)
			if code := exitStatus(ios, err); code != tc.code || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("runInterview() exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}
