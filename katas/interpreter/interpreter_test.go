package interpreter

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	helpers["calc"] = calcMain
}

// calcMain is the interpreter the tests use: "calc [flags] script [args...]" runs a tiny
// language, one statement a line:
//
//	# a comment
//	let NAME = EXPR      EXPR is operands and + - * / evaluated left to right;
//	print EXPR           an operand is an integer, a variable or $N (argument N)
//	echo WORD...         prints the words; $N is replaced by argument N, verbatim
//	warn WORD...         like echo, to stderr; the script goes on
//	exit N
//
// An error in the script prints "<script>:<line>: <message>" on stderr and exits 2 (what it
// printed before stays printed). A script it cannot read exits 1; a bad flag exits 2 with a
// usage message. calc takes no flags at all.
func calcMain(args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 {
			fmt.Fprintf(os.Stderr, "calc: unknown flag %s\n", args[0])
		}
		fmt.Fprintln(os.Stderr, "usage: calc script [args...]")
		return 2
	}
	script, params := args[0], args[1:]
	src, err := os.ReadFile(script)
	if err != nil {
		fmt.Fprintf(os.Stderr, "calc: cannot open script: %v\n", err)
		return 1
	}
	vars := map[string]int{}
	for i, line := range strings.Split(string(src), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		var err error
		switch fields[0] {
		case "let":
			if len(fields) < 4 || fields[2] != "=" {
				err = errors.New(`syntax error: want "let NAME = EXPR"`)
				break
			}
			vars[fields[1]], err = calcEval(fields[3:], vars, params)
		case "print":
			var v int
			if v, err = calcEval(fields[1:], vars, params); err == nil {
				fmt.Println(v)
			}
		case "echo", "warn":
			var words []string
			for _, w := range fields[1:] {
				if strings.HasPrefix(w, "$") {
					if w, err = calcArg(w, params); err != nil {
						break
					}
				}
				words = append(words, w)
			}
			if err == nil && fields[0] == "echo" {
				fmt.Println(strings.Join(words, " "))
			} else if err == nil {
				fmt.Fprintln(os.Stderr, strings.Join(words, " "))
			}
		case "exit":
			code, _ := strconv.Atoi(fields[len(fields)-1])
			return code
		default:
			err = fmt.Errorf("syntax error: unknown statement %q", fields[0])
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s:%d: %v\n", script, i+1, err)
			return 2
		}
	}
	return 0
}

func calcArg(word string, params []string) (string, error) {
	n, err := strconv.Atoi(word[1:])
	if err != nil || n < 1 || n > len(params) {
		return "", fmt.Errorf("no argument %s", word)
	}
	return params[n-1], nil
}

func calcEval(tokens []string, vars map[string]int, params []string) (int, error) {
	operand := func(tok string) (int, error) {
		if strings.HasPrefix(tok, "$") {
			s, err := calcArg(tok, params)
			if err != nil {
				return 0, err
			}
			if n, err := strconv.Atoi(s); err == nil {
				return n, nil
			}
			return 0, fmt.Errorf("argument %s is not a number: %q", tok, s)
		}
		if n, err := strconv.Atoi(tok); err == nil {
			return n, nil
		}
		if v, ok := vars[tok]; ok {
			return v, nil
		}
		return 0, fmt.Errorf("undefined variable %q", tok)
	}
	if len(tokens)%2 == 0 {
		return 0, errors.New("syntax error: incomplete expression")
	}
	acc, err := operand(tokens[0])
	for i := 1; err == nil && i < len(tokens); i += 2 {
		var v int
		if v, err = operand(tokens[i+1]); err != nil {
			break
		}
		switch tokens[i] {
		case "+":
			acc += v
		case "-":
			acc -= v
		case "*":
			acc *= v
		case "/":
			if v == 0 {
				return 0, errors.New("division by zero")
			}
			acc /= v
		default:
			return 0, fmt.Errorf("syntax error: unknown operator %q", tokens[i])
		}
	}
	return acc, err
}

// calc returns the Interpreter the tests use: the test binary running the calc helper.
func calc(t *testing.T, flags ...string) Interpreter {
	return Interpreter{Path: helperPath(t), Args: helperArgs("calc", flags...)}
}

// writeScript writes src to a new file named name in a temporary directory.
func writeScript(t *testing.T, name, src string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// withScript returns args with "<script>" replaced by the script's path.
func withScript(args []string, script string) []string {
	var out []string
	for _, a := range args {
		out = append(out, strings.ReplaceAll(a, "<script>", script))
	}
	return out
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestRunSucceeds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		args []string
		want string
	}{
		{"prints results", "let x = 6\nlet y = x * 7\nprint y\nprint y - 2 / 4\n", nil, "42\n10\n"},
		{"uses arguments", "print $1 + $2\necho sum of $1 and $2\n", []string{"40", "2"}, "42\nsum of 40 and 2\n"},
		{"warnings on stderr are not failures", "warn careful now\nprint 1\nwarn done\n", nil, "1\n"},
		{"empty script", "# nothing to do\n", nil, ""},
		// The warning reads "<script>:1: looks like an error": only the exit status says
		// whether the script failed.
		{"warning shaped like an error", "warn $1 looks like an error\nprint 1\n", []string{"<script>:1:"}, "1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := writeScript(t, "main.calc", tt.src)
			args := withScript(tt.args, script)
			got, err := calc(t).Run(testContext(t), script, args...)
			if err != nil || got != tt.want {
				t.Errorf("Run(%q, %q) = %q, %v; want %q, nil (calc exited 0: whatever stderr says, the script succeeded)\nscript:\n%s", script, args, got, err, tt.want, tt.src)
			}
		})
	}
}

// TestRunArgumentsVerbatim gives a script path and arguments that a shell would mangle:
// they must reach the interpreter as separate, untouched arguments.
func TestRunArgumentsVerbatim(t *testing.T) {
	t.Parallel()
	script := writeScript(t, filepath.Join("my scripts", "it's $HOME.calc"), "echo $1\necho $2\necho $3\n")
	args := []string{"two  words", "$(echo pwned); ls", "*"}
	got, err := calc(t).Run(testContext(t), script, args...)
	want := "two  words\n$(echo pwned); ls\n*\n"
	if err != nil || got != want {
		t.Errorf("Run(%q, %q) = %q, %v; want %q, nil (pass the script path and each argument"+
			" as separate exec arguments, never through a shell)", script, args, got, err, want)
	}
}

func TestRunScriptError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		src      string
		args     []string
		wantOut  string
		wantLine int
		wantMsg  string
	}{
		{"undefined variable", "print 1\n\nprint y\nprint 2\n", nil, "1\n", 3, `undefined variable "y"`},
		{"syntax error on line 1", "pritn 1\n", nil, "", 1, `syntax error: unknown statement "pritn"`},
		{"warnings before the error", "warn first\nlet a = 1\nwarn second\nlet b = a / 0\n", nil, "", 4, "division by zero"},
		{"message with colons", "echo start\nprint $1 + 1\n", []string{"a: 1:"}, "start\n", 2, `argument $1 is not a number: "a: 1:"`},
		// stderr's first line reads "<script>:1: only a warning"; the error is the last.
		{"warning shaped like an error before it", "warn $1 only a warning\nprint $2\n", []string{"<script>:1:", "x"}, "", 2, `argument $2 is not a number: "x"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := writeScript(t, "main.calc", tt.src)
			got, err := calc(t).Run(testContext(t), script, withScript(tt.args, script)...)
			var se *ScriptError
			if !errors.As(err, &se) {
				t.Fatalf("Run(%q) error = %v; want a *ScriptError for line %d (calc exited 2 and its stderr ends"+
					" with \"%s:%d: %s\")\nscript:\n%s", script, err, tt.wantLine, script, tt.wantLine, tt.wantMsg, tt.src)
			}
			if se.Script != script || se.Line != tt.wantLine || se.Msg != tt.wantMsg {
				t.Errorf("Run(%q) error = &ScriptError{Script: %q, Line: %d, Msg: %q}; want {%q, %d, %q} (from the last line of stderr)",
					script, se.Script, se.Line, se.Msg, script, tt.wantLine, tt.wantMsg)
			}
			if got != tt.wantOut {
				t.Errorf("Run(%q) output = %q; want %q (what the script printed before failing)", script, got, tt.wantOut)
			}
		})
	}
}

// TestRunOtherFailures checks failures that are not errors in the script: they must not
// become a *ScriptError, and the error must say what the interpreter said.
func TestRunOtherFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        func(t *testing.T) Interpreter
		script    func(t *testing.T) string
		wantCode  int    // exit status wrapped in the error; 0 = no *exec.ExitError expected
		wantInMsg string // part of the interpreter's stderr the error must quote
		wantIs    error
		wantOut   string // what the script printed before failing
	}{
		{
			name:     "script exits 3",
			in:       func(t *testing.T) Interpreter { return calc(t) },
			script:   func(t *testing.T) string { return writeScript(t, "main.calc", "print 1\nexit 3\n") },
			wantCode: 3,
			wantOut:  "1\n",
		},
		{
			name:      "script cannot be read",
			in:        func(t *testing.T) Interpreter { return calc(t) },
			script:    func(t *testing.T) string { return filepath.Join(t.TempDir(), "missing.calc") },
			wantCode:  1,
			wantInMsg: "cannot open script",
		},
		{
			name:      "status 2 without a line: a usage error",
			in:        func(t *testing.T) Interpreter { return calc(t, "-bogus") },
			script:    func(t *testing.T) string { return writeScript(t, "main.calc", "print 1\n") },
			wantCode:  2,
			wantInMsg: "unknown flag -bogus",
		},
		{
			name:   "interpreter not found",
			in:     func(t *testing.T) Interpreter { return Interpreter{Path: "procdojo-no-such-interpreter"} },
			script: func(t *testing.T) string { return writeScript(t, "main.calc", "print 1\n") },
			wantIs: exec.ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			script := tt.script(t)
			got, err := tt.in(t).Run(testContext(t), script)
			if err == nil {
				t.Fatalf("Run(%q) error = nil; want an error (%s)", script, tt.name)
			}
			var se *ScriptError
			if errors.As(err, &se) {
				t.Errorf("Run(%q) error = *ScriptError %v; want another error: only status 2 with a"+
					" \"script:line: message\" last line is a script error", script, err)
			}
			var exitErr *exec.ExitError
			if tt.wantCode != 0 && (!errors.As(err, &exitErr) || exitErr.ExitCode() != tt.wantCode) {
				t.Errorf("Run(%q) error = %v; want one wrapping *exec.ExitError with status %d", script, err, tt.wantCode)
			}
			if tt.wantInMsg != "" && !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("Run(%q) error = %q; want it to quote the interpreter's stderr, which says %q",
					script, err, tt.wantInMsg)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("Run(%q) error = %v; want one wrapping %v", script, err, tt.wantIs)
			}
			if got != tt.wantOut {
				t.Errorf("Run(%q) output = %q; want %q (what the script printed before failing)", script, got, tt.wantOut)
			}
		})
	}
}
