// Broken: takes the first stderr line that starts with "<script>:" for the error, so a warning shaped like one hides the real error on the last line.
// Package interpreter runs a script in another language's interpreter, the way one runs
// "python3 script.py args...", and turns the interpreter's error report into a typed error.
package interpreter

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// Interpreter names the program that runs scripts.
type Interpreter struct {
	// Path is the interpreter: a name looked up on PATH, or a path.
	Path string

	// Args go before the script path, like "-I" in "python3 -I script.py". May be nil.
	Args []string
}

// ScriptError is an error the interpreter found in the script: it exited with status 2
// and the last line of its stderr read "<script>:<line>: <message>".
type ScriptError struct {
	Script string // the script path, as given to Run
	Line   int    // the line the interpreter blamed, counting from 1
	Msg    string // the interpreter's message, without "<script>:<line>: "
}

func (e *ScriptError) Error() string {
	return fmt.Sprintf("interpreter: %s:%d: %s", e.Script, e.Line, e.Msg)
}

// Run runs "in.Path in.Args... script args..." without a shell, so the script path and
// each argument reach the interpreter as they are, and returns what the script printed on
// stdout.
//
// Only the exit status says whether the script failed; stderr may carry warnings. On
// status 2 with a "<script>:<line>: <message>" last line on stderr, the error is a
// *ScriptError. Any other failure returns an error that wraps the cause (*exec.ExitError,
// exec.ErrNotFound, ...) and quotes the interpreter's stderr. Whatever the script printed
// before failing is returned with the error.
func (in Interpreter) Run(ctx context.Context, script string, args ...string) (string, error) {
	// One argv slice, never a command string: the script path and the arguments may hold
	// spaces, quotes or "$(...)", and a shell would act on them.
	argv := slices.Concat(in.Args, []string{script}, args)
	cmd := exec.CommandContext(ctx, in.Path, argv...)

	// Collect both streams separately: stdout is the result, stderr the diagnostics.
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr

	err := cmd.Run()
	out := stdout.String()
	if err == nil {
		return out, nil
	}

	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) && exitErr.ExitCode() == 2 {
		if se := parseScriptError(script, stderr.String()); se != nil {
			return out, se
		}
	}
	if msg := strings.TrimSpace(stderr.String()); msg != "" {
		return out, fmt.Errorf("interpreter: running %q: %w: %s", script, err, msg)
	}
	return out, fmt.Errorf("interpreter: running %q: %w", script, err)
}

// parseScriptError reads the last line of stderr as "<script>:<line>: <message>". It
// returns nil if the line does not have that shape (a usage error, a crash).
func parseScriptError(script, stderr string) *ScriptError {
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	for _, l := range lines {
		if strings.HasPrefix(l, script+":") {
			last = l
			break
		}
	}

	// Cut the known script path rather than splitting on ":": a path may contain one.
	rest, ok := strings.CutPrefix(last, script+":")
	if !ok {
		return nil
	}
	num, msg, ok := strings.Cut(rest, ": ")
	if !ok {
		return nil
	}
	line, err := strconv.Atoi(num)
	if err != nil || line < 1 {
		return nil
	}
	return &ScriptError{Script: script, Line: line, Msg: msg}
}
