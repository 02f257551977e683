//go:build unix

package cli

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"

	"github.com/procdojo/procdojo/internal/progress"
)

// TestReviewTerminal runs procdojo review in a pseudo-terminal, as TestQuizTerminal does the
// quiz: with no history it asks new questions; it answers one with Enter, then presses
// Ctrl-C. The answer is saved as a review with a rating.
func TestReviewTerminal(t *testing.T) {
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
	cmd := exec.Command(exe, "--data-dir", data, "review", "--bank", "testdata/three.toml")
	cmd.Env = procdojoCommandEnv("TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Tty(), c.Tty(), c.Tty()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
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
	step("you have not seen yet")
	step("e2e-one")
	step("Your answer", "\r")
	step("Rated")
	step("e2e-two")
	step("Your answer", "\x03")
	step("Stopped early: 1 of 3")
	step("interrupted")
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("procdojo review did not exit after Ctrl-C\nscreen:\n%s", raw.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit = %v; want status 130\nscreen:\n%s", err, raw.String())
	}
	recs, _, err := progress.Open(data).Read()
	if err != nil || len(recs) != 1 || recs[0].Question != "e2e-one" || recs[0].Mode != "review" || recs[0].Rating == 0 {
		t.Errorf("history = %+v, %v; want one rated review answer to e2e-one", recs, err)
	}
}
