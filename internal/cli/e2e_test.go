//go:build unix

package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"github.com/procdojo/procdojo/internal/progress"
)

// TestQuizTerminal drives the interactive quiz through a pseudo-terminal, as survey tests
// itself: a vt10x emulator answers the terminal's queries. It answers two questions with
// the arrow keys and Enter, then presses Ctrl-C.
func TestQuizTerminal(t *testing.T) {
	t.Parallel()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	term := vt10x.New(vt10x.WithWriter(pts))
	var raw bytes.Buffer
	c, err := expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(term, &raw),
		expect.WithCloser(ptm, pts), expect.WithDefaultTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	cmd := exec.Command(exe, "--data-dir", data, "quiz", "--bank", "testdata/three.toml", "--no-shuffle", "-n", "0")
	cmd.Env = procdojoCommandEnv("TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), c.Tty(), c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	// step waits for want on the screen, then types keys. survey draws a prompt before it
	// puts the terminal in raw mode, so keys wait a moment after the prompt appears, as a
	// person's would.
	step := func(want string, keys ...string) {
		t.Helper()
		if _, err := c.ExpectString(want); err != nil {
			t.Fatalf("waiting for %q: %v\nscreen:\n%s", want, err, raw.String())
		}
		for _, k := range keys {
			time.Sleep(150 * time.Millisecond)
			if _, err := c.Send(k); err != nil {
				t.Fatal(err)
			}
		}
	}
	step("execFile", "\x1b[B", "\r") // down to "exec", Enter
	step("Right.")
	step("False", "\r") // True
	step("Right.")
	step("exec.Command", "\x03") // Ctrl-C
	step("Score: 2 of 2", "")    // the summary of what was answered
	step("interrupted", "")

	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("procdojo did not exit after Ctrl-C\nscreen:\n%s", raw.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit = %v; want status 130\nscreen:\n%s", err, raw.String())
	}
	recs, warns, err := progress.Open(data).Read()
	if err != nil || len(warns) > 0 {
		t.Fatalf("reading history: %v %v", warns, err)
	}
	if len(recs) != 2 || recs[0].Question != "e2e-one" || recs[1].Question != "e2e-two" || recs[0].Score != 1 || recs[1].Score != 1 {
		t.Errorf("history = %+v; want two right answers, e2e-one and e2e-two", recs)
	}
	if _, err := os.Stat(filepath.Join(data, progress.FileName)); err != nil {
		t.Error(err)
	}
}
