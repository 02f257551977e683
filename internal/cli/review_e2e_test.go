//go:build unix

package cli

import (
	"testing"

	"github.com/procdojo/procdojo/internal/progress"
)

// TestReviewTerminal runs procdojo review in a pseudo-terminal, as TestQuizTerminal does the
// quiz: with no history it asks new questions; it answers one with Enter, then presses
// Ctrl-C. The answer is saved as a review with a rating.
func TestReviewTerminal(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	s := startTerminal(t, "--data-dir", data, "review", "--bank", "testdata/three.toml")
	s.step("you have not seen yet")
	s.step("e2e-one")
	s.step("Your answer", "\r")
	s.step("Rated")
	s.step("e2e-two")
	s.step("Your answer", "\x03")
	s.step("Stopped early: 1 of 3")
	s.step("interrupted")
	if code := s.exitCode(); code != 130 {
		t.Errorf("exit status = %d; want 130\nscreen:\n%s", code, s.raw.String())
	}
	recs, _, err := progress.Open(data).Read()
	if err != nil || len(recs) != 1 || recs[0].Question != "e2e-one" || recs[0].Mode != "review" || recs[0].Rating == 0 {
		t.Errorf("history = %+v, %v; want one rated review answer to e2e-one", recs, err)
	}
}
