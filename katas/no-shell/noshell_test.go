package noshell

// The tests run real programs: the test binary itself, through symlinks named after the
// helpers below (helperLink), so that an allow-list entry's Path is an ordinary absolute
// path to an executable.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// childEnv marks the children of these tests; see init.
const childEnv = "NOSHELL_TEST_CHILD"

func init() {
	helpers["echoargs"] = echoArgs
	helpers["fail"] = fail
	helpers["greet"] = impostor

	// Started under a name that is not a helper (say, with argv[0] set to the allow-list
	// key), the test binary would run the whole test suite again, which starts more
	// children. Refuse that in any child of these tests.
	if os.Getenv(childEnv) != "" {
		if _, _, ok := helperInvocation(os.Args); !ok {
			fmt.Fprintf(os.Stderr, "noshell tests: test binary started as %q, which is no helper\n", os.Args[0])
			os.Exit(125)
		}
	}
	os.Setenv(childEnv, "1")
}

// echoArgs writes each of its arguments to stdout followed by a NUL byte, the one byte an
// argument cannot contain, so the test can compare them byte for byte.
func echoArgs(args []string) int {
	for _, a := range args {
		os.Stdout.WriteString(a + "\x00")
	}
	return 0
}

// fail writes a line and exits with status 3.
func fail(args []string) int {
	os.Stdout.WriteString("partial\n")
	return 3
}

// impostor stands for another program with the same name as an allow-list entry that
// happens to be in PATH. It creates the file named by $NOSHELL_CANARY, so a test knows it
// ran.
func impostor(args []string) int {
	if p := os.Getenv("NOSHELL_CANARY"); p != "" {
		os.WriteFile(p, nil, 0o644)
	}
	os.Stdout.WriteString("impostor ran\n")
	return 0
}

// splitArgs decodes what echoArgs wrote.
func splitArgs(out []byte) []string {
	args := []string{}
	for _, a := range strings.SplitAfter(string(out), "\x00") {
		if a != "" {
			args = append(args, strings.TrimSuffix(a, "\x00"))
		}
	}
	return args
}

// linked returns the absolute path of a program that runs helper name.
func linked(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join(helperLink(t, name), name)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestArgumentsReachTheProgramLiterally(t *testing.T) {
	t.Parallel()
	allow := AllowList{"echoargs": {Path: linked(t, "echoargs")}}
	// CANARY stands for a file in the test's own temporary directory: if it ever exists,
	// a shell ran part of an argument as a command.
	tests := []struct {
		name string
		args []string
	}{
		{"semicolon", []string{"; touch CANARY"}},
		{"command substitution", []string{"$(touch CANARY)"}},
		{"backticks", []string{"`touch CANARY`"}},
		{"pipe", []string{"| touch CANARY"}},
		{"and", []string{"x && touch CANARY"}},
		{"redirection", []string{"> CANARY"}},
		{"newline", []string{"report.txt\ntouch CANARY"}},
		{"quotes", []string{`it's "quoted"`, `'; touch CANARY; '`, `"; touch CANARY; "`}},
		{"variables and globs", []string{"$HOME", "${PATH}", "*", "?", "~", "[a-z]"}},
		{"spaces stay in one argument", []string{"two words", " leading", "trailing ", "\ttab"}},
		{"empty arguments", []string{"", "x", ""}},
		{"backslashes", []string{`a\b`, `\`, `\"`}},
		{"any bytes", []string{"héllo ✓", "\xff\xfe"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			canary := filepath.Join(t.TempDir(), "canary")
			args := make([]string, len(tt.args))
			for i, a := range tt.args {
				args[i] = strings.ReplaceAll(a, "CANARY", canary)
			}
			out, err := allow.Run(testContext(t), "echoargs", args...)
			if err != nil {
				t.Fatalf("Run(ctx, \"echoargs\", %q) returned error %v; want nil: these arguments break no rule", args, err)
			}
			if got := splitArgs(out); !slices.Equal(got, args) {
				t.Errorf("Run(ctx, \"echoargs\", %q): the program received %q; want exactly the arguments given, one argv entry each: pass args to exec.Command, do not build a command line", args, got)
			}
			if exists(canary) {
				t.Errorf("Run(ctx, \"echoargs\", %q) created %s: a shell ran part of an argument as a command; never run sh -c", args, canary)
			}
		})
	}
}

func TestUnlistedNames(t *testing.T) {
	t.Parallel()
	echo := linked(t, "echoargs")
	allow := AllowList{"echoargs": {Path: echo}, "fail": {Path: linked(t, "fail")}}
	canary := filepath.Join(t.TempDir(), "canary")
	// <canary> stands for a file that must never be created.
	names := []string{
		"echoarg", "echoargs2", "ECHOARGS", "Echoargs", "my-echoargs", "xechoargsx",
		" echoargs", "echoargs ", "echoargs\n", "echoargs\x00", "echoargs; touch <canary>",
		"./echoargs", "../echoargs", "<path of echoargs>", "", "sh", "/bin/sh",
	}
	for _, template := range names {
		t.Run(fmt.Sprintf("%q", template), func(t *testing.T) {
			t.Parallel()
			name := strings.NewReplacer("<path of echoargs>", echo, "<canary>", canary).Replace(template)
			out, err := allow.Run(testContext(t), name, "hello")
			if !errors.Is(err, ErrNotAllowed) {
				t.Errorf("Run(ctx, %q, \"hello\") = %q, %v; want an error wrapping ErrNotAllowed: only the exact names on the allow-list (%q, %q) may run", name, out, err, "echoargs", "fail")
			}
			if len(out) != 0 {
				t.Errorf("Run(ctx, %q, \"hello\") wrote %q; want nothing: a refused program must not start", name, out)
			}
		})
	}
	t.Cleanup(func() {
		if exists(canary) {
			t.Errorf("a name was run by a shell: %s exists", canary)
		}
	})
}

func TestArgumentRules(t *testing.T) {
	t.Parallel()
	echo := linked(t, "echoargs")
	allow := AllowList{
		"echoargs": {Path: echo, Flags: []string{"-l", "--json"}},
		"plain":    {Path: echo},
	}
	longest := strings.Repeat("x", MaxArgLen)
	most := slices.Repeat([]string{"a"}, MaxArgs)
	tests := []struct {
		name    string
		program string
		args    []string
		ok      bool
	}{
		{"allowed flag", "echoargs", []string{"-l", "notes.txt"}, true},
		{"allowed long flag", "echoargs", []string{"--json"}, true},
		{"dashes inside values", "echoargs", []string{"my-file", "a-b-", "x-"}, true},
		{"no arguments", "echoargs", nil, true},
		{"longest argument", "echoargs", []string{longest}, true},
		// MaxArgLen counts bytes: "é" is 2 bytes in UTF-8, one rune.
		{"longest argument, in 2-byte runes", "echoargs", []string{strings.Repeat("é", MaxArgLen/2)}, true},
		{"most arguments", "echoargs", most, true},
		{"combined short flags", "echoargs", []string{"-la"}, false},
		{"allowed flag with a value glued on", "echoargs", []string{"--json=/etc/passwd"}, false},
		{"allowed flag as a prefix", "echoargs", []string{"--jsonp"}, false},
		{"unknown long option", "echoargs", []string{"--output=/etc/passwd"}, false},
		{"option after a value", "echoargs", []string{"notes.txt", "-rf"}, false},
		{"lone dash", "echoargs", []string{"-"}, false},
		{"double dash", "echoargs", []string{"--"}, false},
		{"flag of another program", "plain", []string{"-l"}, false},
		{"argument too long", "echoargs", []string{longest + "x"}, false},
		{"argument too long in bytes, not in runes", "echoargs", []string{longest[1:] + "é"}, false},
		{"too many arguments", "echoargs", append(slices.Clone(most), "a"), false},
		{"NUL byte", "echoargs", []string{"a\x00b"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := allow.Run(testContext(t), tt.program, tt.args...)
			call := fmt.Sprintf("Run(ctx, %q, %s)", tt.program, describe(tt.args))
			if tt.ok {
				if err != nil {
					t.Fatalf("%s returned error %v; want nil: these arguments break no rule", call, err)
				}
				if got := splitArgs(out); !slices.Equal(got, nonNil(tt.args)) {
					t.Errorf("%s: the program received %s; want %s", call, describe(got), describe(tt.args))
				}
				return
			}
			if !errors.Is(err, ErrBadArg) {
				t.Errorf("%s = %s, %v; want an error wrapping ErrBadArg%s", call, describe(splitArgs(out)), err, why(tt.args))
			}
			if len(out) != 0 {
				t.Errorf("%s: the program ran and received %s; want nothing run: check every argument before starting the program", call, describe(splitArgs(out)))
			}
		})
	}
}

// describe shows args for a failure message, shortening long lists and long arguments.
func describe(args []string) string {
	var parts []string
	for i, a := range args {
		if i == 4 && len(args) > 5 {
			parts = append(parts, fmt.Sprintf("... (%d arguments)", len(args)))
			break
		}
		if len(a) > 20 {
			parts = append(parts, fmt.Sprintf("%q... (%d bytes)", a[:10], len(a)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%q", a))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// why explains, for args that must be refused, a rule that is easy to miss.
func why(args []string) string {
	for _, a := range args {
		if len(a) > MaxArgLen && utf8.RuneCountInString(a) <= MaxArgLen {
			return fmt.Sprintf(" (an argument is %d bytes long, but only %d runes: MaxArgLen counts bytes, len(arg))", len(a), utf8.RuneCountInString(a))
		}
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestExitStatus(t *testing.T) {
	t.Parallel()
	allow := AllowList{"fail": {Path: linked(t, "fail")}}
	out, err := allow.Run(testContext(t), "fail")
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Errorf("Run(ctx, \"fail\") returned error %v; want one wrapping *exec.ExitError with exit code 3", err)
	}
	if string(out) != "partial\n" {
		t.Errorf("Run(ctx, \"fail\") = %q; want %q: return stdout even when the program fails", out, "partial\n")
	}
}

// TestNeverSearchesPath puts an impostor called "greet" first in PATH and in the working
// directory. It sets PATH and changes directory, so it cannot run in parallel.
func TestNeverSearchesPath(t *testing.T) {
	impostorDir := helperLink(t, "greet")
	canary := filepath.Join(t.TempDir(), "impostor-ran")
	t.Setenv("NOSHELL_CANARY", canary)
	t.Setenv("PATH", impostorDir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Chdir(impostorDir)

	allow := AllowList{
		"greet":           {Path: linked(t, "echoargs")},
		"relative":        {Path: "greet"},
		"dot-relative":    {Path: "./greet"},
		"parent-relative": {Path: "../" + filepath.Base(impostorDir) + "/greet"},
	}
	t.Run("runs the entry's Path, not the name found in PATH", func(t *testing.T) {
		os.Remove(canary)
		out, err := allow.Run(testContext(t), "greet", "hi")
		if err != nil {
			t.Fatalf("Run(ctx, \"greet\", \"hi\") returned error %v; want nil", err)
		}
		if exists(canary) || !slices.Equal(splitArgs(out), []string{"hi"}) {
			t.Errorf("Run(ctx, \"greet\", \"hi\") = %q; want the output of the allow-list's Path for \"greet\" (%q): Run started the \"greet\" found in PATH instead", out, "hi\x00")
		}
	})
	for _, name := range []string{"relative", "dot-relative", "parent-relative"} {
		t.Run("refuses an entry with a "+name+" Path", func(t *testing.T) {
			os.Remove(canary)
			out, err := allow.Run(testContext(t), name, "hi")
			if !errors.Is(err, ErrNotAllowed) {
				t.Errorf("Run(ctx, %q, \"hi\") with Path %q = %q, %v; want an error wrapping ErrNotAllowed: a Path that is not absolute is looked up in PATH or the working directory", name, allow[name].Path, out, err)
			}
			if exists(canary) {
				t.Errorf("Run(ctx, %q, \"hi\") with Path %q ran the impostor it resolved to", name, allow[name].Path)
			}
		})
	}
}
