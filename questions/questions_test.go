package questions_test

// These tests hold the default banks to the bar of questions/README.md: they load cleanly,
// meet the counts, cover the guide's checklists, and every code question prints exactly its
// right answer when run. Refresh the stats table in README.md with:
//
//	go test ./questions -run TestStatsTableInREADME -update

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/procdojo/procdojo/questions"
	"github.com/procdojo/procdojo/quiz"
)

var update = flag.Bool("update", false, "rewrite the stats table in README.md")

func load(t *testing.T) []*quiz.Question {
	t.Helper()
	srcs, err := quiz.SourcesFromFS(questions.FS)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := quiz.Load(srcs)
	if err != nil {
		t.Fatalf("the embedded banks have problems (procdojo questions lint):\n%v", err)
	}
	return qs
}

func TestBanksLoad(t *testing.T) {
	t.Parallel()
	for _, q := range load(t) {
		if !strings.HasPrefix(q.ID, q.Level[:1]+"-") {
			t.Errorf("%s: id %q should start with %q, its level's letter", q.Pos, q.ID, q.Level[:1]+"-")
		}
	}
}

const (
	beginMarker = "<!-- stats:begin (go test ./questions -run TestStatsTableInREADME -update) -->\n"
	endMarker   = "<!-- stats:end -->"
)

// TestStatsTableInREADME keeps the table of counts in README.md equal to what
// `procdojo questions stats` prints.
func TestStatsTableInREADME(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, beginMarker), strings.Index(s, endMarker)
	if i < 0 || j < i {
		t.Fatalf("README.md has no stats markers %q ... %q", beginMarker, endMarker)
	}
	want := quiz.StatsTable(load(t))
	got := s[i+len(beginMarker) : j]
	if got == want {
		return
	}
	if *update {
		s = s[:i+len(beginMarker)] + want + s[j:]
		if err := os.WriteFile("README.md", []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's stats table is stale; run: go test ./questions -run TestStatsTableInREADME -update\ngot:\n%s\nwant:\n%s", got, want)
}

// guideTags are the items of the guide's security checklist, performance checklist and
// "common issues" section; each must be covered by a question tagged with it.
var guideTags = []string{
	"guide:sec-no-user-input-in-exec", "guide:sec-prefer-execfile", "guide:sec-allowlist",
	"guide:sec-validate-input", "guide:sec-timeout", "guide:sec-maxbuffer",
	"guide:sec-least-privilege", "guide:sec-monitor", "guide:sec-rate-limit",
	"guide:sec-log-executions",
	"guide:perf-worker-pools", "guide:perf-connection-pooling", "guide:perf-concurrency-limits",
	"guide:perf-streaming", "guide:perf-batching", "guide:perf-monitor-memory",
	"guide:perf-graceful-shutdown", "guide:perf-cleanup-listeners",
	"guide:perf-sharedarraybuffer", "guide:perf-profile",
	"guide:issue-enoent", "guide:issue-maxbuffer", "guide:issue-memory-leaks", "guide:issue-zombies",
}

func TestGuideChecklistsCovered(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, q := range load(t) {
		for _, tag := range q.Tags {
			seen[tag] = true
		}
	}
	for _, tag := range guideTags {
		if !seen[tag] {
			t.Errorf("no question is tagged %q", tag)
		}
	}
}

// TestCounts holds the banks to the counts the curriculum promises per level: at least 50
// questions, every kind, at least 6 open questions, at least 10 code questions, and at least
// 40% node and 40% go.
func TestCounts(t *testing.T) {
	t.Parallel()
	type counts struct {
		total, open, code, node, goLang int
		kinds                           map[string]int
	}
	per := map[string]*counts{}
	for _, q := range load(t) {
		c := per[q.Level]
		if c == nil {
			c = &counts{kinds: map[string]int{}}
			per[q.Level] = c
		}
		c.total++
		c.kinds[q.Kind]++
		if q.Kind == quiz.KindOpen {
			c.open++
			if n := len(q.Rubric); n < 3 || n > 6 {
				t.Errorf("%s: open question %s has %d rubric points; want 3 to 6", q.Pos, q.ID, n)
			}
		}
		if q.Run != "" {
			c.code++
		}
		switch q.Lang {
		case "node":
			c.node++
		case "go":
			c.goLang++
		}
	}
	for _, level := range quiz.Levels {
		c := per[level]
		if c == nil {
			t.Errorf("no %s questions", level)
			continue
		}
		if c.total < 50 || c.open < 6 || c.code < 10 || 10*c.node < 4*c.total || 10*c.goLang < 4*c.total {
			t.Errorf("%s: %d questions, %d open, %d code, %d node, %d go; want >= 50, >= 6, >= 10, >= 40%%, >= 40%%",
				level, c.total, c.open, c.code, c.node, c.goLang)
		}
		for _, k := range quiz.Kinds {
			if c.kinds[k] == 0 {
				t.Errorf("%s: no %s questions", level, k)
			}
		}
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
