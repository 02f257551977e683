// Refresh the golden files in testdata/golden with:
//
//	go test ./internal/interview -run TestScorecardGolden -update
package interview

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

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
		t.Fatalf("%v (create it with -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; got:\n%s\nwant:\n%s", name, got, want)
	}
}

// TestScorecardGolden runs a whole interview on the fake clock (30 s an answer, a minute a
// check): a wrong screening answer, a right one, a right code answer, half the design key
// points; in the kata a hint, a save that passes 1 of 3 tests, then giving up. The
// scorecard's text and JSON are compared with the golden files.
func TestScorecardGolden(t *testing.T) {
	t.Parallel()
	h := newHarness(t, Config{Level: "junior", Questions: 4, Seed: 3}, nil)
	answers := map[string][]string{}
	for i, s := range h.s.Plan.Sections {
		for j, it := range s.Items {
			q := it.Q
			switch {
			case i == 0 && j == 0: // a wrong answer: the first option that is not right
				for n, o := range q.Options() {
					if !containsInt(q.Correct(), n+1) {
						answers[q.ID] = []string{o}
						break
					}
				}
			case q.Kind == "open":
				answers[q.ID] = q.Rubric[:2]
			default:
				answers[q.ID] = nil
			}
		}
	}
	h.s.Prompter = newFakePrompter(t, h.qs, h.clock, answers)
	done := h.start(context.Background())
	waitFor(t, h.out, "The tests run on every save")
	h.send(KeyHint)
	waitFor(t, h.out, "Hint 1 of 2")
	h.kata.write("package runcapture // PART\n")
	waitFor(t, h.out, "(1/3 tests)")
	h.send(KeyGiveUp)
	r := h.wait(done)
	if r.err != nil {
		t.Fatal(r.err)
	}
	var text, js bytes.Buffer
	r.card.WriteText(&text)
	if err := r.card.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	golden(t, "scorecard.txt", text.Bytes())
	golden(t, "scorecard.json", []byte(strings.ReplaceAll(js.String(), h.kata.dir, "$DIR")))
}

func containsInt(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
