// Broken: never reads stderr, so a script error has no line and other failures say only "exit status N".

// Package interpreter runs a script in another language's interpreter, the way one runs
// "python3 script.py args...", and turns the interpreter's error report into a typed error.
package interpreter

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
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

	// The result is on stdout; that is all we need.
	var stdout bytes.Buffer
	cmd.Stdout = &stdout

	err := cmd.Run()
	out := stdout.String()
	if err == nil {
		return out, nil
	}

	return out, fmt.Errorf("interpreter: running %q: %w", script, err)
}
