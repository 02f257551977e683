//go:build unix

package cli

import (
	"testing"

	"github.com/procdojo/procdojo/internal/progress"
)

// TestQuizTerminal drives the interactive quiz through a pseudo-terminal: it answers two
// questions with the arrow keys and Enter, then presses Ctrl-C.
func TestQuizTerminal(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	s := startTerminal(t, "--data-dir", data, "quiz", "--bank", "testdata/three.toml", "--no-shuffle", "-n", "0")
	s.step("execFile", "\x1b[B", "\r") // down to "exec", Enter
	s.step("Right.")
	s.step("False", "\r") // True
	s.step("Right.")
	s.step("exec.Command", "\x03") // Ctrl-C
	s.step("Score: 2 of 2")        // the summary of what was answered
	s.step("interrupted")
	if code := s.exitCode(); code != 130 {
		t.Errorf("exit status = %d; want 130\nscreen:\n%s", code, s.raw.String())
	}
	recs, warns, err := progress.Open(data).Read()
	if err != nil || len(warns) > 0 {
		t.Fatalf("reading history: %v %v", warns, err)
	}
	if len(recs) != 2 || recs[0].Question != "e2e-one" || recs[1].Question != "e2e-two" || recs[0].Score != 1 || recs[1].Score != 1 {
		t.Errorf("history = %+v; want two right answers, e2e-one and e2e-two", recs)
	}
}
