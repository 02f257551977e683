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
)

// terminalSession is procdojo (the test binary re-run as procdojo) on a pseudo-terminal, as
// survey tests itself: a vt10x emulator reads the screen and answers the terminal's queries.
type terminalSession struct {
	t    *testing.T
	c    *expect.Console
	raw  bytes.Buffer
	done chan error
	cmd  *exec.Cmd
}

// startTerminal starts procdojo with args on a new pseudo-terminal, or skips the test where
// there is none.
func startTerminal(t *testing.T, args ...string) *terminalSession {
	t.Helper()
	return startTerminalWith(t, terminalOptions{}, args...)
}

// terminalOptions change the terminal of startTerminalWith.
type terminalOptions struct {
	term string // $TERM; "" is xterm
	cols int    // the width; 0 leaves the pseudo-terminal's own
}

// startTerminalWith is startTerminal on a terminal described by o.
func startTerminalWith(t *testing.T, o terminalOptions, args ...string) *terminalSession {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	if o.term == "" {
		o.term = "xterm"
	}
	s := &terminalSession{t: t, done: make(chan error, 1)}
	term := vt10x.New(vt10x.WithWriter(pts))
	s.c, err = expect.NewConsole(expect.WithStdin(ptm), expect.WithStdout(term, &s.raw),
		expect.WithCloser(ptm, pts), expect.WithDefaultTimeout(20*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.c.Close() })
	if o.cols > 0 { // the console's own terminal is the one procdojo gets
		if err := pty.Setsize(s.c.Tty(), &pty.Winsize{Rows: 40, Cols: uint16(o.cols)}); err != nil {
			t.Fatal(err)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s.cmd = exec.Command(exe, args...)
	s.cmd.Env = procdojoCommandEnv("TERM=" + o.term)
	s.cmd.Stdin, s.cmd.Stdout, s.cmd.Stderr = s.c.Tty(), s.c.Tty(), s.c.Tty()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	return s
}

// step waits for want on the screen, then types keys. survey draws a prompt before it puts
// the terminal in raw mode, so each key waits a moment, as a person's would.
func (s *terminalSession) step(want string, keys ...string) {
	s.t.Helper()
	if _, err := s.c.ExpectString(want); err != nil {
		s.t.Fatalf("waiting for %q: %v\nscreen:\n%s", want, err, s.raw.String())
	}
	for _, k := range keys {
		time.Sleep(150 * time.Millisecond)
		if _, err := s.c.Send(k); err != nil {
			s.t.Fatal(err)
		}
	}
}

// exitCode waits for procdojo to end and returns its exit status.
func (s *terminalSession) exitCode() int {
	s.t.Helper()
	select {
	case err := <-s.done:
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			s.t.Fatalf("procdojo: %v", err)
		}
		return 0
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		s.t.Fatalf("procdojo did not exit\nscreen:\n%s", s.raw.String())
		return -1
	}
}
