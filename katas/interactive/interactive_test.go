package interactive

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["wizard"] = wizardMain
	helpers["chatter"] = chatterMain
}

// chatterMain is a program that never asks anything and never ends by itself: "chatter
// -pidfile PATH" writes its pid there, then prints "tick N" every 20ms. It does not read its
// stdin and ignores SIGTERM, so only SIGKILL ends it; if nobody does, it exits after 20s.
func chatterMain(args []string) int {
	fs := flag.NewFlagSet("chatter", flag.ContinueOnError)
	pidfile := fs.String("pidfile", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	signal.Ignore(syscall.SIGTERM)
	writePid(*pidfile)
	for i, end := 1, time.Now().Add(20*time.Second); time.Now().Before(end); i++ {
		fmt.Printf("tick %d\n", i)
		time.Sleep(20 * time.Millisecond)
	}
	return 0
}

// writePid writes the pid of the running process to path, if not empty, atomically: a
// reader sees the whole pid or no file.
func writePid(path string) {
	if path == "" {
		return
	}
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644) == nil {
		os.Rename(tmp, path)
	}
}

// wizardMain is the interactive program: "wizard [flags] PROMPT..." greets, then for each
// PROMPT writes it (on stderr if it starts with "!"; in two pieces, with no newline) and
// reads one answer line. Then it prints "got: ANSWER,ANSWER,...", reads stdin until EOF
// and prints "bye". Flags:
//
//	-pidfile PATH  write its pid there first
//	-fatal A       on answer A, print "fatal: ..." and exit 2 at once
//	-reject A      on answer A, print "error: ...", ask nothing more, exit 1 at EOF
//
// Like programs that flush the terminal before asking for a password, it refuses input
// typed ahead: if an answer is already waiting before a prompt is written, it complains
// and exits 3.
func wizardMain(args []string) int {
	fs := flag.NewFlagSet("wizard", flag.ContinueOnError)
	pidfile := fs.String("pidfile", "", "")
	fatal := fs.String("fatal", "", "")
	reject := fs.String("reject", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	writePid(*pidfile)
	fmt.Print("Welcome to the setup wizard.\nAnswer each question.\n")

	var answers []string
	for i, prompt := range fs.Args() {
		out := os.Stdout
		if p, ok := strings.CutPrefix(prompt, "!"); ok {
			out, prompt = os.Stderr, p
		}
		if inputWaiting() {
			fmt.Fprintf(os.Stderr, "wizard: input arrived before prompt %d was shown; answer each"+
				" prompt only after it appears\n", i+1)
			return 3
		}
		half := len(prompt) / 2
		out.WriteString(prompt[:half])
		time.Sleep(10 * time.Millisecond)
		out.WriteString(prompt[half:])

		answer, ok := readLine()
		if !ok {
			fmt.Println("\nwizard: end of input before the answer")
			return 1
		}
		switch answer {
		case *fatal:
			fmt.Printf("fatal: cannot accept %q\n", answer)
			return 2
		case *reject:
			fmt.Printf("error: invalid answer %q\n", answer)
			io.Copy(io.Discard, os.Stdin)
			return 1
		}
		answers = append(answers, answer)
	}
	fmt.Printf("got: %s\n", strings.Join(answers, ","))
	io.Copy(io.Discard, os.Stdin) // until EOF: the caller must close our stdin
	fmt.Println("bye")
	return 0
}

// readLine reads one line from stdin a byte at a time, so that nothing after it is taken.
func readLine() (string, bool) {
	var line []byte
	b := make([]byte, 1)
	for {
		n, err := os.Stdin.Read(b)
		if n == 1 && b[0] == '\n' {
			return string(line), true
		}
		line = append(line, b[:n]...)
		if err != nil {
			return string(line), false
		}
	}
}

// inputWaiting reports whether stdin already holds unread input.
func inputWaiting() bool {
	fd := int(os.Stdin.Fd())
	if err := syscall.SetNonblock(fd, true); err != nil {
		return false
	}
	defer syscall.SetNonblock(fd, false)
	b := make([]byte, 1)
	for {
		n, err := syscall.Read(fd, b)
		if err == syscall.EINTR {
			continue
		}
		return n > 0
	}
}

// wizard returns the command line of a wizard with flags and prompts, and makes sure it
// does not outlive the test whatever the code under test does.
func wizard(t *testing.T, args ...string) (string, []string) {
	return program(t, "wizard", args...)
}

// program returns the command line of helper with a -pidfile flag and args, and makes sure
// it does not outlive the test whatever the code under test does.
func program(t *testing.T, helper string, args ...string) (string, []string) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	t.Cleanup(func() {
		if data, err := os.ReadFile(pidfile); err == nil {
			if pid, _ := strconv.Atoi(string(data)); pid > 0 && syscall.Kill(pid, 0) == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	return helperPath(t), helperArgs(helper, append([]string{"-pidfile", pidfile}, args...)...)
}

// wizardPid returns the pid the wizard wrote, or 0.
func wizardPid(args []string) int {
	for i, a := range args {
		if a == "-pidfile" {
			data, _ := os.ReadFile(args[i+1])
			pid, _ := strconv.Atoi(string(data))
			return pid
		}
	}
	return 0
}

// checkReaped checks that the wizard is gone: killed or exited, and waited for.
func checkReaped(t *testing.T, call string, args []string) {
	t.Helper()
	pid := wizardPid(args)
	if pid == 0 {
		return
	}
	for end := time.Now().Add(3 * time.Second); syscall.Kill(pid, 0) != syscall.ESRCH; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Errorf("%s returned but the program (pid %d) still exists, running or as a zombie;"+
				" kill it and Wait for it on every error", call, pid)
			return
		}
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

const stepTimeout = 3 * time.Second

func TestConverse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prompts []string
		steps   []Step
		want    string
	}{
		{"two prompts", []string{"name? ", "age? "},
			[]Step{{"name? ", "alice"}, {"age? ", "42"}}, "got: alice,42\nbye\n"},
		{"a prompt on stderr", []string{"user: ", "!password: "},
			[]Step{{"user: ", "bob"}, {"password: ", "hunter2"}}, "got: bob,hunter2\nbye\n"},
		{"five prompts", []string{"a? ", "b? ", "c? ", "d? ", "e? "},
			[]Step{{"a? ", "1"}, {"b? ", "2"}, {"c? ", "3"}, {"d? ", "4"}, {"e? ", "5"}}, "got: 1,2,3,4,5\nbye\n"},
		{"no prompt at all", nil, nil, "Welcome to the setup wizard.\nAnswer each question.\ngot: \nbye\n"},
	}
	// A conversation that goes wrong waits a step timeout for nothing: start every case at
	// once, rather than two at a time as t.Parallel would on two cores, then check each.
	type outcome struct {
		got string
		err error
	}
	outcomes := make([]chan outcome, len(tests))
	argv := make([][]string, len(tests))
	for i, tt := range tests {
		name, args := wizard(t, tt.prompts...)
		ctx := testContext(t)
		argv[i], outcomes[i] = args, make(chan outcome, 1)
		go func() {
			got, err := Converse(ctx, name, args, tt.steps, stepTimeout)
			outcomes[i] <- outcome{got, err}
		}()
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := <-outcomes[i]
			call := fmt.Sprintf("Converse(wizard %q, %v)", tt.prompts, tt.steps)
			if o.err != nil || o.got != tt.want {
				t.Errorf("%s = %q, %v; want %q, nil%s", call, o.got, o.err, tt.want, explain(o.err, tt.prompts...))
			}
			checkReaped(t, call, argv[i])
		})
	}
}

// explain adds advice for the usual causes of err. prompts are the wizard's arguments: a
// prompt written with a leading "!" goes to its stderr.
func explain(err error, prompts ...string) string {
	var exitErr *exec.ExitError
	var ee *ExpectError
	switch {
	case errors.As(err, &exitErr) && exitErr.ExitCode() == 3,
		errors.As(err, &ee) && strings.Contains(ee.Output, "input arrived before prompt"):
		return " (the wizard found an answer waiting before it showed the prompt: send each answer only" +
			" after Expect saw its prompt)"
	case errors.As(err, &ee) && errors.Is(err, ErrTimeout) && slices.Contains(prompts, "!"+ee.Prompt):
		return fmt.Sprintf(" (the wizard wrote %q on its stderr: give the program one pipe for both stdout"+
			" and stderr, cmd.Stdout and cmd.Stderr set to the same *os.File, as a terminal is, and read"+
			" that pipe)", ee.Prompt)
	case errors.As(err, &ee) && errors.Is(err, ErrTimeout):
		return " (a prompt has no newline after it: read chunks, not lines, and look for the prompt in" +
			" what arrived so far)"
	case errors.Is(err, ErrTimeout):
		return " (the wizard reads until EOF before it exits: close its stdin)"
	}
	return ""
}

func TestConverseWrongPrompt(t *testing.T) {
	t.Parallel()
	name, args := wizard(t, "name? ", "age? ")
	steps := []Step{{"name? ", "alice"}, {"city? ", "Paris"}}
	call := fmt.Sprintf("Converse(wizard asking name? and age?, %v)", steps)

	start := time.Now()
	_, err := Converse(testContext(t), name, args, steps, 500*time.Millisecond)
	elapsed := time.Since(start)

	var ee *ExpectError
	if !errors.As(err, &ee) || !errors.Is(err, ErrTimeout) {
		t.Fatalf("%s error = %v; want an *ExpectError wrapping ErrTimeout%s", call, err, explain(err))
	}
	if ee.Prompt != "city? " || ee.Output != "age? " {
		t.Errorf("%s error = &ExpectError{Prompt: %q, Output: %q}; want {%q, %q} (the output since the"+
			" previous prompt)", call, ee.Prompt, ee.Output, "city? ", "age? ")
	}
	if elapsed > 500*time.Millisecond+stepTimeout {
		t.Errorf("%s took %v; want about the 500ms step timeout", call, elapsed.Round(time.Millisecond))
	}
	checkReaped(t, call, args)
}

// TestExpectUnexpectedOutput answers "bad" to the wizard, which then prints an error and
// asks nothing more: Expect must time out and report what the wizard said.
func TestExpectUnexpectedOutput(t *testing.T) {
	t.Parallel()
	name, args := wizard(t, "-reject", "bad", "name? ", "age? ")
	s, err := Start(testContext(t), name, args...)
	if err != nil {
		t.Fatalf("Start(wizard) error = %v", err)
	}
	if before, err := s.Expect("name? ", stepTimeout); err != nil || before != "Welcome to the setup wizard.\nAnswer each question.\n" {
		t.Fatalf("Expect(%q) = %q, %v; want the greeting and nil%s", "name? ", before, err, explain(err))
	}
	if err := s.Send("bad"); err != nil {
		t.Fatalf("Send(%q) error = %v", "bad", err)
	}
	_, err = s.Expect("age? ", time.Second)
	var ee *ExpectError
	want := "error: invalid answer \"bad\"\n"
	if !errors.As(err, &ee) || !errors.Is(err, ErrTimeout) || ee.Output != want {
		t.Errorf("Expect(%q) after a rejected answer: error = %v; want an *ExpectError wrapping ErrTimeout"+
			" with Output %q", "age? ", err, want)
	}

	_, err = s.Close(stepTimeout)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Errorf("Close() error = %v; want one wrapping *exec.ExitError with status 1%s", err, explain(err))
	}
	checkReaped(t, "Close()", args)
}

// TestExpectExited answers "bad" to a wizard that then exits: Expect must say so at once,
// not wait for its timeout.
func TestExpectExited(t *testing.T) {
	t.Parallel()
	name, args := wizard(t, "-fatal", "bad", "name? ", "age? ")
	s, err := Start(testContext(t), name, args...)
	if err != nil {
		t.Fatalf("Start(wizard) error = %v", err)
	}
	if _, err := s.Expect("name? ", stepTimeout); err != nil {
		t.Fatalf("Expect(%q) error = %v; want nil%s", "name? ", err, explain(err))
	}
	if err := s.Send("bad"); err != nil {
		t.Fatalf("Send(%q) error = %v", "bad", err)
	}
	const long = 10 * time.Second
	start := time.Now()
	_, err = s.Expect("age? ", long)
	var ee *ExpectError
	want := "fatal: cannot accept \"bad\"\n"
	if !errors.As(err, &ee) || !errors.Is(err, ErrExited) || ee.Output != want {
		t.Errorf("Expect(%q) after the program exited: error = %v; want an *ExpectError wrapping ErrExited"+
			" with Output %q (EOF on the output means the program is gone)", "age? ", err, want)
	}
	if elapsed := time.Since(start); elapsed >= long {
		t.Errorf("Expect(%q) took %v; want it to return at EOF, not at its timeout", "age? ", elapsed)
	}

	_, err = s.Close(stepTimeout)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 2 {
		t.Errorf("Close() error = %v; want one wrapping *exec.ExitError with status 2", err)
	}
	checkReaped(t, "Close()", args)
}

func TestStartNotFound(t *testing.T) {
	t.Parallel()
	_, err := Start(testContext(t), "procdojo-no-such-wizard")
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Start(%q) error = %v; want one wrapping exec.ErrNotFound", "procdojo-no-such-wizard", err)
	}
}

// TestExpectTimeoutCountsFromTheCall runs a program that prints a line every 20ms but never
// the prompt: Expect must give up after its timeout, counted from the call, not from the
// last chunk of output.
func TestExpectTimeoutCountsFromTheCall(t *testing.T) {
	t.Parallel()
	name, args := program(t, "chatter")
	s, err := Start(testContext(t), name, args...)
	if err != nil {
		t.Fatalf("Start(chatter) error = %v", err)
	}
	defer closeSoon(s)
	const timeout = 300 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, err := s.Expect("name? ", timeout)
		done <- err
	}()
	select {
	case err := <-done:
		var ee *ExpectError
		if !errors.As(err, &ee) || !errors.Is(err, ErrTimeout) || !strings.HasPrefix(ee.Output, "tick 1\n") {
			t.Errorf("Expect(%q, %v) on a program printing \"tick N\" lines: error = %v; want an *ExpectError"+
				" wrapping ErrTimeout with the ticks as Output", "name? ", timeout, brief(err))
		}
	case <-time.After(timeout + 5*time.Second):
		t.Fatalf("Expect(%q, %v) on a program printing a line every 20ms but never the prompt has not"+
			" returned after %v; want ErrTimeout after %v: the timeout bounds the whole call, so do not"+
			" start it again after each chunk of output", "name? ", timeout, timeout+5*time.Second, timeout)
	}
}

// TestCloseTimeout closes a program that does not exit at EOF on its stdin and ignores
// SIGTERM: Close must wait its timeout, then kill it (SIGKILL) and reap it.
func TestCloseTimeout(t *testing.T) {
	t.Parallel()
	for _, timeout := range []time.Duration{0, 300 * time.Millisecond} {
		t.Run(fmt.Sprint(timeout), func(t *testing.T) {
			t.Parallel()
			name, args := program(t, "chatter")
			s, err := Start(testContext(t), name, args...)
			if err != nil {
				t.Fatalf("Start(chatter) error = %v", err)
			}
			if _, err := s.Expect("tick 1\n", stepTimeout); err != nil {
				s.Close(0)
				t.Fatalf("Expect(%q) error = %v; want nil", "tick 1\n", err)
			}
			call := fmt.Sprintf("Close(%v)", timeout)
			type result struct {
				out string
				err error
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				out, err := s.Close(timeout)
				done <- result{out, err}
			}()
			const limit = 3 * time.Second
			select {
			case r := <-done:
				elapsed := time.Since(start)
				if timeout > 0 {
					if !errors.Is(r.err, ErrTimeout) {
						t.Errorf("%s on a program still running: error = %v; want one wrapping ErrTimeout", call, brief(r.err))
					}
					if elapsed < timeout {
						t.Errorf("%s on a program still running returned after %v; want it to wait %v for the program first",
							call, elapsed.Round(time.Millisecond), timeout)
					}
					if r.out != "" && !strings.HasPrefix(r.out, "tick 2\n") {
						t.Errorf("%s returned output %.40q...; want what Expect did not consume, from \"tick 2\\n\" on", call, r.out)
					}
				}
			case <-time.After(timeout + limit):
				t.Fatalf("%s on a program that does not exit at EOF on its stdin and ignores SIGTERM has not"+
					" returned after %v; want it to kill the program (SIGKILL) once %v has passed, and reap it", call,
					timeout+limit, timeout)
			}
			checkReaped(t, call, args)
		})
	}
}

// TestStartContext cancels the context given to Start: that must kill the program, so that
// Expect sees the end of its output.
func TestStartContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	name, args := program(t, "chatter")
	s, err := Start(ctx, name, args...)
	if err != nil {
		t.Fatalf("Start(chatter) error = %v", err)
	}
	defer closeSoon(s)
	if _, err := s.Expect("tick 1\n", stepTimeout); err != nil {
		t.Fatalf("Expect(%q) error = %v; want nil", "tick 1\n", err)
	}
	cancel()
	_, err = s.Expect("name? ", 5*time.Second)
	if !errors.Is(err, ErrExited) {
		t.Errorf("Expect(%q) after the context given to Start was cancelled: error = %v; want one wrapping"+
			" ErrExited: cancelling ctx must kill the program (exec.CommandContext), which ends its output", "name? ", brief(err))
	}
}

// closeSoon calls s.Close(0) for a test that is over, without waiting more than a second
// for it: a Close that does not kill is TestCloseTimeout's business, and the test's cleanup
// kills the program anyway.
func closeSoon(s *Session) {
	done := make(chan struct{})
	go func() {
		s.Close(0)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(time.Second):
	}
}

// brief returns err's text for a failure message, cut after 200 bytes: an ExpectError holds
// all the output of a program that talked for seconds.
func brief(err error) string {
	if err == nil {
		return "<nil>"
	}
	msg := err.Error()
	if len(msg) > 200 {
		return fmt.Sprintf("%s... (%d bytes)", msg[:200], len(msg))
	}
	return msg
}
