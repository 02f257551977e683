// Broken: measures an argument in runes, not bytes, so a long argument written in multi-byte UTF-8 gets past MaxArgLen.
// Package noshell runs programs that callers name, but only programs from an allow-list, and
// passes their arguments straight to the program: no shell ever sees them.
package noshell

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxArgs is the most arguments a caller may pass to a program.
const MaxArgs = 16

// MaxArgLen is the longest argument accepted, in bytes.
const MaxArgLen = 256

// ErrNotAllowed reports a program that Run refuses to start: its name is not on the
// allow-list, or its allow-list entry is unsafe.
var ErrNotAllowed = errors.New("not on the allow-list")

// ErrBadArg reports an argument that breaks the rules described at AllowList.Run.
var ErrBadArg = errors.New("argument rejected")

// Program is one entry of an allow-list.
type Program struct {
	// Path is the absolute path of the executable. Run never looks a program up in PATH,
	// and refuses an entry whose Path is not absolute with ErrNotAllowed.
	Path string
	// Flags lists the options callers may pass, matched exactly (for example "-n" or
	// "--json"). Any other argument that starts with "-" is rejected, so that a caller
	// cannot slip in an option, such as "--output=/etc/passwd", where a value belongs.
	Flags []string
}

// AllowList maps the names callers may use to the programs they run.
type AllowList map[string]Program

// Run runs the program listed under name, with args, and returns what it wrote to stdout.
//
// name must be exactly a key of the list: no prefix, no other case, no path. Otherwise
// Run returns an error wrapping ErrNotAllowed and starts nothing.
//
// Before starting anything, Run checks args and returns an error wrapping ErrBadArg if
// there are more than MaxArgs of them, or if one is longer than MaxArgLen bytes, contains
// a NUL byte, or starts with "-" without being one of the program's Flags.
//
// Every other argument is passed as it is: each one reaches the program as one argv
// entry, byte for byte. Run never uses a shell, so "; rm -rf ~", "$(id)", "`id`", "*",
// quotes and newlines are plain text to the program, and nothing else runs.
//
// A program that exits with a non-zero status gives an error wrapping *exec.ExitError,
// along with what it wrote to stdout.
func (a AllowList) Run(ctx context.Context, name string, args ...string) ([]byte, error) {
	// A map lookup is an exact match: "ech", "echo2", "ECHO" and "/bin/echo" all miss.
	prog, ok := a[name]
	if !ok {
		return nil, fmt.Errorf("noshell: program %q: %w", name, ErrNotAllowed)
	}
	// exec.Command looks a name without a slash up in PATH, and resolves a relative path
	// against the working directory: either could run something else than the entry
	// meant. Only an absolute path names one file.
	if !filepath.IsAbs(prog.Path) {
		return nil, fmt.Errorf("noshell: program %q: path %q is not absolute: %w", name, prog.Path, ErrNotAllowed)
	}
	if err := checkArgs(prog, args); err != nil {
		return nil, fmt.Errorf("noshell: program %q: %w", name, err)
	}

	// The program itself, not /bin/sh -c "...": args go to execve as they are, one argv
	// entry each, so there is nothing to quote and nothing to escape.
	cmd := exec.CommandContext(ctx, prog.Path, args...)
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("noshell: program %q: %w", name, err)
	}
	return out, nil
}

// checkArgs applies the argument rules of AllowList.Run for prog.
func checkArgs(prog Program, args []string) error {
	if len(args) > MaxArgs {
		return fmt.Errorf("%d arguments, at most %d allowed: %w", len(args), MaxArgs, ErrBadArg)
	}
	for i, arg := range args {
		switch {
		case utf8.RuneCountInString(arg) > MaxArgLen:
			return fmt.Errorf("argument %d is %d characters long, at most %d allowed: %w", i+1, utf8.RuneCountInString(arg), MaxArgLen, ErrBadArg)
		case strings.IndexByte(arg, 0) >= 0:
			return fmt.Errorf("argument %d %q contains a NUL byte: %w", i+1, arg, ErrBadArg)
		case strings.HasPrefix(arg, "-") && !slices.Contains(prog.Flags, arg):
			return fmt.Errorf("argument %d %q is not an allowed option: %w", i+1, arg, ErrBadArg)
		}
	}
	return nil
}
