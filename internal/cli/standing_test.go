// Refresh the golden files of the score, next and review tests with:
//
//	go test ./internal/cli -run 'TestRunScore|TestRunNext|TestRunReview' -update
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/progress"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// standingNow is the present of the standing fixtures.
var standingNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const standingBank = "testdata/standing/bank.toml"

var standingKatas = []assess.Kata{
	{ID: "env-cwd", Title: "Run a tool with a clean environment", Level: "junior", Topics: []string{"environment", "exec", "security"}},
	{ID: "no-shell", Title: "Never a shell", Level: "junior", Topics: []string{"exec", "security"}},
	{ID: "run-capture", Title: "Run a program and capture what it says", Level: "junior", Topics: []string{"execfile", "exit-codes"}},
	{ID: "large-file", Title: "Stream a large file through a child", Level: "mid", Topics: []string{"streams"}},
}

// fixtureLog returns a log in a temporary folder holding testdata/standing/history.jsonl,
// or an empty one.
func fixtureLog(t *testing.T, withHistory bool) *progress.Log {
	t.Helper()
	dir := t.TempDir()
	if withHistory {
		data, err := os.ReadFile("testdata/standing/history.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, progress.FileName), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return progress.Open(dir)
}

func fixtureSource(t *testing.T, withHistory bool) standingSource {
	return standingSource{Log: fixtureLog(t, withHistory), Banks: []string{standingBank}, Katas: standingKatas,
		Now: func() time.Time { return standingNow }}
}

// goldenFile compares got with testdata/golden/name, or rewrites it with -update.
func goldenFile(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (refresh with go test ./internal/cli -run 'TestRunScore|TestRunNext|TestRunReview' -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s\nwant:\n%s", name, got, want)
	}
}

func exitCode(err error) int {
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestRunScore(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, since string
		history     bool
		json        bool
	}{
		{name: "score.txt", history: true},
		{name: "score.json", history: true, json: true},
		{name: "score-since.txt", history: true, since: "7d"},
		{name: "score-empty.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, out, errOut := iostreams.Test()
			err := runScore(context.Background(), &scoreOptions{IO: ios, Source: fixtureSource(t, tc.history), Since: tc.since, JSON: tc.json})
			if err != nil {
				t.Fatalf("runScore() = %v; stderr:\n%s", err, errOut)
			}
			goldenFile(t, tc.name, out.Bytes())
			if tc.history && !strings.Contains(errOut.String(), "line 8: skipped a damaged record") {
				t.Errorf("stderr = %q; want a warning for the damaged line 8", errOut)
			}
			if tc.json && !json.Valid(out.Bytes()) {
				t.Error("--json output is not JSON")
			}
		})
	}
}

func TestRunScoreErrors(t *testing.T) {
	t.Parallel()
	ios, _, _, _ := iostreams.Test()
	err := runScore(context.Background(), &scoreOptions{IO: ios, Source: fixtureSource(t, false), Since: "last tuesday"})
	if exitCode(err) != ExitUsage || !strings.Contains(err.Error(), "30d") {
		t.Errorf("runScore(--since 'last tuesday') = %v; want a usage error with an example", err)
	}
	ios, _, _, _ = iostreams.Test()
	err = runScore(context.Background(), &scoreOptions{IO: ios, Source: standingSource{Banks: []string{"testdata/no-such-bank.toml"}, Katas: standingKatas}})
	if exitCode(err) != ExitUsage {
		t.Errorf("runScore(missing bank) = %v; want a usage error", err)
	}
}

func TestRunScoreColor(t *testing.T) {
	t.Parallel()
	for _, color := range []bool{false, true} {
		ios, _, out, _ := iostreams.Test()
		ios.Color = color
		if err := runScore(context.Background(), &scoreOptions{IO: ios, Source: fixtureSource(t, true)}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "\x1b["); got != color {
			t.Errorf("with Color %v, escape sequences in the output: %v", color, got)
		}
	}
}

func TestRunNext(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		history bool
		json    bool
		command string
	}{
		{"next.txt", true, false, "procdojo review"},
		{"next-empty.txt", false, false, "procdojo quiz --level junior"},
		{"next.json", true, true, "procdojo review"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, out, errOut := iostreams.Test()
			if err := runNext(context.Background(), &nextOptions{IO: ios, Source: fixtureSource(t, tc.history), JSON: tc.json}); err != nil {
				t.Fatalf("runNext() = %v; stderr:\n%s", err, errOut)
			}
			goldenFile(t, tc.name, out.Bytes())
			if tc.json {
				var st assess.Status
				if err := json.Unmarshal(out.Bytes(), &st); err != nil || st.Command != tc.command {
					t.Errorf("next --json: command %q, %v; want %q", st.Command, err, tc.command)
				}
			} else if !strings.Contains(out.String(), "Next step: "+tc.command) {
				t.Errorf("next output lacks %q:\n%s", tc.command, out)
			}
		})
	}
}

// TestNoArguments runs procdojo with no command: it prints the status screen.
func TestNoArguments(t *testing.T) {
	t.Parallel()
	ios, _, out, errOut := iostreams.Test()
	code := Main(ios, []string{"procdojo", "--data-dir", t.TempDir()})
	if code != 0 || !strings.Contains(out.String(), "where you stand") || !strings.Contains(out.String(), "Next step: procdojo quiz") {
		t.Errorf("procdojo = exit %d, stdout:\n%s\nstderr:\n%s\nwant the status screen", code, out, errOut)
	}
	ios, _, _, errOut = iostreams.Test()
	if code := Main(ios, []string{"procdojo", "--data-dir", t.TempDir(), "scroe"}); code != ExitUsage || !strings.Contains(errOut.String(), `did you mean "score"`) {
		t.Errorf("procdojo scroe = exit %d, stderr %q; want 2 and a suggestion", code, errOut)
	}
}

// answerIDs returns the question ids of the answer records of mode in recs.
func answerIDs(recs []progress.Record, mode string) []string {
	var out []string
	for _, r := range recs {
		if r.Type == progress.TypeAnswer && r.Mode == mode {
			out = append(out, r.Question)
		}
	}
	return out
}

func readAll(t *testing.T, l *progress.Log) []progress.Record {
	t.Helper()
	recs, _, err := l.Read()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// tick returns a clock that starts at start and moves d at each reading.
func tick(start time.Time, d time.Duration) func() time.Time {
	t := start.Add(-d)
	return func() time.Time {
		t = t.Add(d)
		return t
	}
}
