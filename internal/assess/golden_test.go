// Refresh the golden files in testdata/golden with:
//
//	go test ./internal/assess -run TestGolden -update
package assess

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/fsrs"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/quiz"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testNow is the fixtures' present: a Thursday.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// testKatas is a catalogue in the katas package's order (level, then id).
var testKatas = []Kata{
	{ID: "env-cwd", Title: "Run a tool with a clean environment, in a chosen directory", Level: "junior", Topics: []string{"environment", "exec", "security"}},
	{ID: "interpreter", Title: "Run a script in another interpreter", Level: "junior", Topics: []string{"spawn", "exit-codes"}},
	{ID: "no-shell", Title: "Never a shell", Level: "junior", Topics: []string{"exec", "security"}},
	{ID: "run-capture", Title: "Run a program and capture what it says", Level: "junior", Topics: []string{"execfile", "exit-codes"}},
	{ID: "large-file", Title: "Stream a large file through a child", Level: "mid", Topics: []string{"streams", "performance"}},
	{ID: "log-analysis", Title: "Analyse a log with a pipeline", Level: "mid", Topics: []string{"streams", "signals"}},
}

// readLog reads testdata/logs/<name>.jsonl with the progress package's own reader.
func readLog(t *testing.T, name string) []progress.Record {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "logs", name+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, progress.FileName), data, 0o600); err != nil {
		t.Fatal(err)
	}
	recs, warns, err := progress.Open(dir).Read()
	if err != nil || len(warns) > 0 {
		t.Fatalf("reading %s: %v %v", name, warns, err)
	}
	return recs
}

func testBank(t *testing.T) []*quiz.Question {
	t.Helper()
	srcs, err := quiz.SourcesFromPaths([]string{filepath.Join("testdata", "bank")})
	if err != nil {
		t.Fatal(err)
	}
	qs, err := quiz.Load(srcs)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
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
		t.Fatalf("%v (run go test ./internal/assess -run TestGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s\nwant:\n%s", name, got, want)
	}
}

// dumpCards prints the review schedule, one question a line.
func dumpCards(cards []Card, now time.Time) []byte {
	var b bytes.Buffer
	for _, c := range cards {
		if !c.Seen() {
			fmt.Fprintf(&b, "%-24s new\n", c.Q.ID)
			continue
		}
		due := ""
		if c.IsDue(now) {
			due = " DUE"
		}
		fmt.Fprintf(&b, "%-24s reps %d lapses %d S %6.2f D %5.2f last %s due %s%s\n", c.Q.ID, c.Reps, c.Lapses,
			c.Stability, c.Difficulty, c.LastReview.Format(time.DateOnly), c.Due.Format(time.DateOnly), due)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	t.Parallel()
	qs := testBank(t)
	for _, tc := range []struct {
		name, log, since string
	}{
		{"new", "new", ""},
		{"starter", "starter", ""},
		{"veteran", "veteran", ""},
		{"veteran-since", "veteran", "2026-11-01"},
		{"interviewed", "interviewed", ""},
		{"interviewed-since", "interviewed", "2026-11-15"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := Input{Records: readLog(t, tc.log), Questions: qs, Katas: testKatas, Now: testNow}
			if tc.since != "" {
				s, err := ParseSince(tc.since, testNow)
				if err != nil {
					t.Fatal(err)
				}
				in.Since = s
			}
			rep := Score(in)
			var text, js bytes.Buffer
			rep.WriteText(&text, false)
			if err := WriteJSON(&js, rep); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".score.txt", text.Bytes())
			golden(t, tc.name+".score.json", js.Bytes())
			if strings.Contains(text.String(), "\x1b[") {
				t.Error("WriteText(color=false) wrote an escape sequence")
			}
			if tc.since != "" {
				return
			}
			cards := Cards(in.Records, qs, fsrs.Default())
			golden(t, tc.name+".cards.txt", dumpCards(cards, testNow))
			st := Next(in, cards)
			text.Reset()
			js.Reset()
			st.WriteText(&text, false)
			if err := WriteJSON(&js, st); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.name+".next.txt", text.Bytes())
			golden(t, tc.name+".next.json", js.Bytes())
		})
	}
}

func TestWriteTextColor(t *testing.T) {
	t.Parallel()
	in := Input{Records: readLog(t, "veteran"), Questions: testBank(t), Katas: testKatas, Now: testNow}
	var plain, color bytes.Buffer
	rep := Score(in)
	rep.WriteText(&plain, false)
	rep.WriteText(&color, true)
	if !strings.Contains(color.String(), "\x1b[32m") || !strings.Contains(color.String(), reset) {
		t.Errorf("WriteText(color=true) has no colour:\n%s", color.String())
	}
	stripped := strings.NewReplacer(green, "", yellow, "", red, "", dim, "", reset, "").Replace(color.String())
	if stripped != plain.String() {
		t.Errorf("colour changed more than the colours:\n%s\nwant:\n%s", stripped, plain.String())
	}
}
