//go:build unix

package cli

import (
	"testing"

	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
)

// TestInterviewTerminal runs procdojo interview in a pseudo-terminal: it answers the first
// question with Enter, then presses Ctrl-C at the second. The scorecard covers the answer,
// procdojo exits 130, and the history keeps the answer and the interview record.
func TestInterviewTerminal(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	ws, err := kata.InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := startTerminal(t, "--data-dir", data, "interview", "--bank", "testdata/three.toml", "--level", "junior",
		"--questions", "3", "--seed", "1", "--workspace", ws.Dir)
	s.step("Section 1 of 2: screening (3 question(s)")
	s.step("[1/3]")
	s.step("answer:", "\r")
	s.step("[2/3]")
	s.step("answer:", "\x03") // Ctrl-C
	s.step("Scorecard: mock interview, junior level")
	s.step("interrupted")
	if code := s.exitCode(); code != 130 {
		t.Errorf("exit status = %d; want 130\nscreen:\n%s", code, s.raw.String())
	}
	recs, warns, err := progress.Open(data).Read()
	if err != nil || len(warns) > 0 {
		t.Fatalf("reading history: %v %v", warns, err)
	}
	if len(recs) != 2 || recs[0].Type != progress.TypeAnswer || recs[0].Mode != "interview" || recs[1].Type != progress.TypeInterview ||
		recs[1].Interview == nil || recs[1].Interview.Ended != "interrupted" || recs[1].Session != recs[0].Session {
		t.Errorf("history = %+v; want one interview answer, then the interview record, interrupted", recs)
	}
}

// TestInterviewTerminalKata runs the kata section alone in a pseudo-terminal: keys arrive
// without Enter (h shows a hint; s gives up, or Ctrl-C as a raw terminal delivers it
// interrupts), and the scorecard follows. The hint and the interview are recorded.
func TestInterviewTerminalKata(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, key, after string
		code             int
		outcome          string
	}{
		{"give up", "s", "You gave up", 0, "gave up"},
		{"Ctrl-C", "\x03", "Scorecard", 130, "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			ws, err := kata.InitWorkspace(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			s := startTerminal(t, "--data-dir", data, "interview", "--level", "junior", "--questions", "0", "--seed", "1", "--workspace", ws.Dir)
			s.step("Section 1 of 1: kata")
			s.step("keys: c check now", "h")
			s.step("Hint 1 of", tc.key)
			s.step(tc.after)
			s.step("Next steps")
			if code := s.exitCode(); code != tc.code {
				t.Errorf("exit status = %d; want %d\nscreen:\n%s", code, tc.code, s.raw.String())
			}
			recs, warns, err := progress.Open(data).Read()
			if err != nil || len(warns) > 0 {
				t.Fatalf("reading history: %v %v", warns, err)
			}
			if len(recs) != 2 || recs[0].Type != progress.TypeHint || recs[0].Hint != 1 || recs[1].Type != progress.TypeInterview ||
				recs[1].Interview == nil || recs[1].Interview.Sections[0].Outcome != tc.outcome || recs[1].Interview.Sections[0].Kata != recs[0].Kata {
				t.Errorf("history = %+v; want the hint, then the interview with the kata %s", recs, tc.outcome)
			}
		})
	}
}
