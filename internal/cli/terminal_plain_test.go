//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestDumbTerminal runs the quiz on a terminal 40 columns wide that says TERM=dumb: it gets
// plain numbered prompts (no arrow-key menus, no colour), wrapped at 40 columns at spaces.
func TestDumbTerminal(t *testing.T) {
	t.Parallel()
	bank := filepath.Join(t.TempDir(), "wide.toml")
	os.WriteFile(bank, []byte(`level = "junior"
[[questions]]
id = "wide"
kind = "single"
topic = "streams"
lang = "node"
prompt = "When a parent spawns a child with stdout set to pipe and never reads it, what eventually happens?"
choices = ["The child blocks once the pipe buffer is full, because nobody drains it", "Nothing"]
answer = 1
explanation = "A writer to a full pipe blocks until the reader drains it."
source = "https://nodejs.org/api/child_process.html#optionsstdio"
`), 0o600)
	s := startTerminalWith(t, terminalOptions{term: "dumb", cols: 40}, "--data-dir", t.TempDir(), "quiz", "--no-shuffle", "--bank", bank)
	s.step("[1-2, q quits]", "1\r")
	s.step("Right.")
	if code := s.exitCode(); code != 0 {
		t.Fatalf("exit status = %d; want 0\nscreen:\n%s", code, s.raw.String())
	}
	raw := s.raw.String()
	if strings.Contains(raw, "\x1b[") {
		t.Errorf("a dumb terminal got escape sequences:\n%q", raw)
	}
	for _, want := range []string{"  1) The child blocks once the pipe\r\n     buffer is full, because nobody\r\n     drains it", "When a parent spawns a child with stdout\r\nset to pipe and never reads it, what\r\neventually happens?"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the screen lacks %q, wrapped at 40 columns:\n%s", want, raw)
		}
	}
}

// TestOpenAnswerPrompt checks that the open-answer prompt tells the one way it ends, which
// is survey's: two empty lines.
func TestOpenAnswerPrompt(t *testing.T) {
	t.Parallel()
	bank := filepath.Join(t.TempDir(), "open.toml")
	os.WriteFile(bank, []byte(`level = "junior"
[[questions]]
id = "open-one"
kind = "open"
topic = "exec"
lang = "general"
prompt = "Why avoid a shell?"
model_answer = "Injection."
rubric = ["injection", "quoting"]
explanation = "A shell parses its input."
source = "https://nodejs.org/api/child_process.html"
`), 0o600)
	s := startTerminal(t, "--data-dir", t.TempDir(), "quiz", "--bank", bank)
	s.step("[Enter 2 empty lines to finish]", "a shell parses\r", "\r", "\r")
	s.step("Model answer:")
	s.step("Which key points", " ", "\r")
	s.step("Score: 1 of 2 key points.")
	if code := s.exitCode(); code != 0 {
		t.Fatalf("exit status = %d; want 0\nscreen:\n%s", code, s.raw.String())
	}
	if raw := s.raw.String(); strings.Contains(raw, "an empty line ends it") || strings.Contains(raw, "Enter alone skips") {
		t.Errorf("the prompt still claims one empty line ends it:\n%s", raw)
	}
}

// TestSignalDuringMenu sends SIGTERM while the arrow-key menu waits for a key: survey sees
// only keys, so procdojo ends the prompt itself (as a Ctrl-C would) and exits 143 at once,
// after survey has restored the terminal.
func TestSignalDuringMenu(t *testing.T) {
	t.Parallel()
	s := startTerminal(t, "--data-dir", t.TempDir(), "quiz", "--bank", "testdata/three.toml", "--no-shuffle")
	s.step("execFile")
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.step("procdojo: terminated")
	if code := s.exitCode(); code != ExitTerminated {
		t.Errorf("exit status = %d; want %d\nscreen:\n%s", code, ExitTerminated, s.raw.String())
	}
}
