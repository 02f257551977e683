// Package envcwd runs a program with a clean, explicit environment in a chosen working
// directory, and refuses programs that PATH lookup found in the current directory.
package envcwd

import (
	"context"
	"errors"
)

// SafePath is the PATH every child gets: system directories only, never the caller's PATH
// and never a relative entry.
const SafePath = "/usr/bin:/bin"

// ErrNoDir is returned by Run when Options.Dir is empty.
var ErrNoDir = errors.New("envcwd: no working directory given")

// Options says in which directory and with which environment Run starts a program.
type Options struct {
	// Dir is the child's working directory. It must not be empty: Run refuses to let the
	// child inherit this process's directory by accident.
	Dir string

	// Allow names the variables copied from this process's environment into the child's.
	// A name that is not set here is left out. PATH is always SafePath, even if listed.
	Allow []string
}

// Run starts name with args in opts.Dir, waits for it and returns what it wrote on stdout.
// The child's environment holds PATH=SafePath and the allowed variables, nothing else.
//
// A name without a slash is looked up in this process's PATH, with exec.LookPath rules.
// If it is found only through a relative PATH entry (".", an empty entry, "bin"), Run
// does not start it and returns an error wrapping exec.ErrDot; if it is not found at all,
// the error wraps exec.ErrNotFound. If the program fails, the error wraps *exec.ExitError.
func Run(ctx context.Context, name string, args []string, opts Options) ([]byte, error) {
	// TODO: refuse an empty Dir, build the command, keep a lookup error, set a clean Env
	// and the Dir, run it and return its stdout.
	return nil, errors.New("not implemented")
}
