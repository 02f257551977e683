package nodeinteractive

// The tests call converse() in node with a real interactive program: the test binary
// itself, started as the "wizard" helper, which asks questions the way an installer does.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["wizard"] = wizard
}

// wizard [flags] PROMPT... greets, then for each PROMPT writes it (on stderr if it starts
// with "!"), in two pieces 10 ms apart and without a newline, and reads one answer line.
// Then it prints "got: ANSWER,ANSWER,...", reads stdin until end-of-file, prints "bye" and
// exits 0. Flags:
//
//	-pidfile PATH  write its pid there first
//	-fatal A       on answer A, print `fatal: cannot accept "A"` and exit 2 at once
//	-reject A      on answer A, print `error: invalid answer "A"`, ask nothing more, read
//	               stdin until end-of-file and exit 1
//	-linger        after end-of-file, keep running instead of exiting
//
// Like programs that flush the terminal before they ask for a password, it refuses input
// typed ahead: if an answer is already waiting before a prompt is written, it says so on
// stderr and exits 3.
func wizard(args []string) int {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) }) // nobody stopped it: end anyway
	fs := flag.NewFlagSet("wizard", flag.ContinueOnError)
	pidfile := fs.String("pidfile", "", "")
	fatal := fs.String("fatal", "", "")
	reject := fs.String("reject", "", "")
	linger := fs.Bool("linger", false, "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *pidfile != "" {
		tmp := *pidfile + ".tmp"
		os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644)
		os.Rename(tmp, *pidfile)
	}
	os.Stdout.WriteString("Welcome to the setup wizard.\nAnswer each question.\n")
	var answers []string
	for i, prompt := range fs.Args() {
		out := os.Stdout
		if p, ok := strings.CutPrefix(prompt, "!"); ok {
			out, prompt = os.Stderr, p
		}
		if inputWaiting() {
			fmt.Fprintf(os.Stderr, "wizard: input arrived before prompt %d was shown; answer each prompt only after it appears\n", i+1)
			return 3
		}
		half := len(prompt) / 2
		out.WriteString(prompt[:half])
		time.Sleep(10 * time.Millisecond)
		out.WriteString(prompt[half:])
		answer, ok := readLine()
		if !ok {
			os.Stdout.WriteString("\nwizard: end of input before the answer\n")
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
	io.Copy(io.Discard, os.Stdin) // until end-of-file: the caller must close our stdin
	if *linger {
		select {}
	}
	os.Stdout.WriteString("bye\n")
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

// step is one exchange of a conversation.
type step struct {
	Prompt  string `json:"prompt"`
	Answer  string `json:"answer"`
	Timeout int    `json:"timeout,omitempty"`
}

// outcome is how a call of converse() settled, as settleJS reports it.
type outcome struct {
	Value *struct {
		Output string  `json:"output"`
		Code   *int    `json:"code"`
		Signal *string `json:"signal"`
	} `json:"value"`
	Error *struct {
		Name     string  `json:"name"`
		Message  string  `json:"message"`
		Code     any     `json:"code"`
		Prompt   *string `json:"prompt"`
		Output   *string `json:"output"`
		ExitCode *int    `json:"exitCode"`
	} `json:"error"`
	Pending bool    `json:"pending"`
	Ms      float64 `json:"ms"`
}

func (o outcome) String() string {
	switch {
	case o.Pending:
		return fmt.Sprintf("still pending after %.0f ms", o.Ms)
	case o.Error != nil:
		e := o.Error
		s := fmt.Sprintf("rejected after %.0f ms with %s: %s (code %v", o.Ms, e.Name, e.Message, e.Code)
		if e.Prompt != nil {
			s += fmt.Sprintf(", prompt %q", *e.Prompt)
		}
		if e.Output != nil {
			s += fmt.Sprintf(", output %q", *e.Output)
		}
		if e.ExitCode != nil {
			s += fmt.Sprintf(", exitCode %d", *e.ExitCode)
		}
		return s + ")"
	case o.Value != nil:
		code, sig := "null", "null"
		if o.Value.Code != nil {
			code = strconv.Itoa(*o.Value.Code)
		}
		if o.Value.Signal != nil {
			sig = strconv.Quote(*o.Value.Signal)
		}
		return fmt.Sprintf("resolved after %.0f ms with { output: %q, code: %s, signal: %s }", o.Ms, o.Value.Output, code, sig)
	}
	return "reported nothing"
}

// resolved reports whether converse resolved with output and exit code code.
func (o outcome) resolved(output string, code int) bool {
	return o.Value != nil && o.Value.Output == output && o.Value.Code != nil && *o.Value.Code == code && o.Value.Signal == nil
}

// rejected reports whether converse rejected with code, err.prompt prompt (nil: null) and
// err.output output.
func (o outcome) rejected(code string, prompt *string, output string) bool {
	e := o.Error
	if e == nil || e.Code != code || e.Output == nil || *e.Output != output {
		return false
	}
	return (e.Prompt == nil) == (prompt == nil) && (prompt == nil || *e.Prompt == *prompt)
}

// settleJS calls converse() and reports how it settled as soon as it does, or that it is
// still pending after limitMs.
const settleJS = `
const settled = (async () => mod.converse(file, args, steps, options))().then(
  (value) => ({ value }),
  (e) => ({ error: { name: String(e && e.name), message: String(e && e.message), code: (e && e.code) ?? null,
                     prompt: e && e.prompt, output: e && e.output, exitCode: e && e.exitCode } }));
const t0 = performance.now();
let timer;
const outcome = await Promise.race([settled, new Promise((r) => { timer = setTimeout(() => r({ pending: true }), limitMs); })]);
clearTimeout(timer);
outcome.ms = Math.round(performance.now() - t0);
report(outcome);
`

// conversation is a call of converse() on the wizard.
type conversation struct {
	flags   []string // the wizard's flags
	prompts []string // the prompts it asks
	steps   []step
	timeout int // options.timeout, ms
}

func (c conversation) String() string {
	steps := make([]string, len(c.steps))
	for i, s := range c.steps {
		steps[i] = fmt.Sprintf("%q→%q", s.Prompt, s.Answer)
		if s.Timeout > 0 {
			steps[i] += fmt.Sprintf(" (%d ms)", s.Timeout)
		}
	}
	return fmt.Sprintf("converse(wizard %s, [%s], { timeout: %d })", strings.Join(append(append([]string{}, c.flags...), quoteAll(c.prompts)...), " "), strings.Join(steps, ", "), c.timeout)
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return q
}

// run calls converse() in node on the wizard and returns how it settled the moment it did,
// and whether the wizard still ran then.
func (c conversation) run(t *testing.T, limit time.Duration) (o outcome, wizardAlive bool) {
	t.Helper()
	pidfile := filepath.Join(t.TempDir(), "wizard.pid")
	args := helperArgs("wizard", append(append([]string{"-pidfile", pidfile}, c.flags...), c.prompts...)...)
	steps := c.steps
	if steps == nil {
		steps = []step{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit+40*time.Second)
	defer cancel()
	cmd, p := startNode(t, ctx, settleJS, nodeVars{"file": helperPath(t), "args": args, "steps": steps,
		"options": map[string]any{"timeout": c.timeout}, "limitMs": limit.Milliseconds()})
	raw, ok := p.next(t)
	pid := 0
	if b, err := os.ReadFile(pidfile); err == nil {
		pid, _ = strconv.Atoi(string(b))
		wizardAlive = processAlive(pid)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // node and the wizard
	cmd.WaitDelay = 2 * time.Second
	p.wait(t, cmd)
	if !ok {
		t.Fatalf("node reported nothing: error %v; stderr: %s", p.run.Err, capText(p.run.Stderr, 2000))
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return o, wizardAlive
}

func TestConverse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		conversation
		want string
	}{
		{"two prompts", conversation{
			prompts: []string{"name? ", "age? "},
			steps:   []step{{Prompt: "name? ", Answer: "alice"}, {Prompt: "age? ", Answer: "42"}},
		}, "got: alice,42\nbye\n"},
		{"five prompts", conversation{
			prompts: []string{"host: ", "port: ", "user: ", "db: ", "ok? [y/n] "},
			steps: []step{{Prompt: "host: ", Answer: "db.local"}, {Prompt: "port: ", Answer: "5432"},
				{Prompt: "user: ", Answer: "app"}, {Prompt: "db: ", Answer: "main"}, {Prompt: "[y/n] ", Answer: "y"}},
		}, "got: db.local,5432,app,main,y\nbye\n"},
		{"a prompt on stderr", conversation{
			prompts: []string{"user: ", "!password: "},
			steps:   []step{{Prompt: "user: ", Answer: "bob"}, {Prompt: "password: ", Answer: "s3cret"}},
		}, "got: bob,s3cret\nbye\n"},
		{"no prompt", conversation{}, "Welcome to the setup wizard.\nAnswer each question.\ngot: \nbye\n"},
		{"a rejected answer", conversation{
			flags:   []string{"-reject", "x"},
			prompts: []string{"name? ", "age? "},
			steps:   []step{{Prompt: "name? ", Answer: "x"}},
		}, "error: invalid answer \"x\"\n"},
	}
	together(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		tc.timeout = 20000
		code := 0
		if tc.flags != nil {
			code = 1
		}
		o, alive := tc.run(t, 30*time.Second)
		if !o.resolved(tc.want, code) {
			hint := ""
			if o.Error != nil && o.Error.ExitCode != nil && *o.Error.ExitCode == 3 {
				hint = ": the wizard exited 3 because an answer came before its prompt; send each answer only once its prompt has appeared"
			} else if o.Error != nil && o.Error.Code == "ETIMEDOUT" {
				hint = ": a prompt has no newline, comes in pieces, and may be written on stderr; after the last answer, close the program's stdin (it reads until end-of-file)"
			}
			t.Errorf("%v %v; want it resolved with { output: %q, code: %d, signal: null }%s", tc.conversation, o, tc.want, code, hint)
		}
		if alive {
			t.Errorf("%v settled, but the wizard still runs: settle once it has exited ('close')", tc.conversation)
		}
	})
}

func TestConverseFails(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		conversation
		code     string
		prompt   *string
		output   string
		exitCode int
		atMost   time.Duration // how long converse may take
	}{
		{
			name: "a prompt that never comes",
			conversation: conversation{
				prompts: []string{"name? ", "age? "},
				steps:   []step{{Prompt: "name? ", Answer: "bob", Timeout: 20000}, {Prompt: "city? ", Answer: "Oslo", Timeout: 1000}},
				timeout: 20000,
			},
			code: "ETIMEDOUT", prompt: ptr("city? "), output: "age? ", atMost: 15 * time.Second,
		},
		{
			name: "the first prompt never comes",
			conversation: conversation{
				prompts: []string{"name? "},
				steps:   []step{{Prompt: "name? \n", Answer: "bob", Timeout: 1000}},
				timeout: 20000,
			},
			code: "ETIMEDOUT", prompt: ptr("name? \n"), output: "Welcome to the setup wizard.\nAnswer each question.\nname? ", atMost: 15 * time.Second,
		},
		{
			name: "the program exits first",
			conversation: conversation{
				flags:   []string{"-fatal", "bob"},
				prompts: []string{"name? ", "age? "},
				steps:   []step{{Prompt: "name? ", Answer: "bob"}, {Prompt: "age? ", Answer: "42"}},
				timeout: 20000,
			},
			code: "ERR_EXITED_EARLY", prompt: ptr("age? "), output: "fatal: cannot accept \"bob\"\n", exitCode: 2, atMost: 15 * time.Second,
		},
		{
			name: "the program does not exit",
			conversation: conversation{
				flags:   []string{"-linger"},
				prompts: []string{"name? "},
				steps:   []step{{Prompt: "name? ", Answer: "eve", Timeout: 20000}},
				timeout: 1000,
			},
			code: "ETIMEDOUT", output: "got: eve\n", atMost: 15 * time.Second,
		},
	}
	together(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		o, alive := tc.run(t, tc.atMost)
		want := fmt.Sprintf("a rejection with code %q, err.output %q, err.prompt %s", tc.code, tc.output, showPrompt(tc.prompt))
		if tc.exitCode != 0 {
			want += fmt.Sprintf(", err.exitCode %d", tc.exitCode)
		}
		if o.Pending {
			t.Fatalf("%v %v; want %s", tc.conversation, o, want)
		}
		ok := o.rejected(tc.code, tc.prompt, tc.output)
		if tc.exitCode != 0 {
			ok = ok && o.Error.ExitCode != nil && *o.Error.ExitCode == tc.exitCode
		}
		if !ok {
			t.Errorf("%v %v; want %s", tc.conversation, o, want)
		}
		if alive {
			t.Errorf("%v settled, but the wizard still runs: kill it (SIGKILL) and settle once it has been reaped ('close')", tc.conversation)
		}
	})
}

func TestConverseNotFound(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	r := runNode(t, ctx, `report(await mod.converse('procdojo-no-such-program', [], [{ prompt: 'x', answer: 'y' }], { timeout: 20000 }));`, nodeVars{})
	if r.Err == nil || r.Err.Code != "ENOENT" {
		t.Errorf("converse('procdojo-no-such-program', ...) = %s, error %v; want a rejection with code 'ENOENT'", r.Reports, r.Err)
	}
}

func showPrompt(p *string) string {
	if p == nil {
		return "null"
	}
	return strconv.Quote(*p)
}

func ptr[T any](v T) *T { return &v }

// together runs case i of n as the subtest name(i), all at once: each subtest mostly waits
// for processes, and -test.parallel (the number of CPUs) would let only a few run at a time.
func together(t *testing.T, n int, name func(int) string, f func(t *testing.T, i int)) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name(i), func(t *testing.T) { f(t, i) })
		}()
	}
	wg.Wait()
}
