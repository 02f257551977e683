// Broken: sets a clean environment but forgets cmd.Dir, so the child runs in the parent's directory.

// Package envcwd runs a program with a clean, explicit environment in a chosen working
// directory, and refuses programs that PATH lookup found in the current directory.
package envcwd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
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

	// exec.CommandContext looks name up now, in OUR PATH (the child's Env plays no part).
	// A match through a relative PATH entry is reported in cmd.Err as exec.ErrDot. The
	// os/exec docs show how to clear it; we keep it, since running whatever sits in the
	// current directory is exactly what the check exists to prevent.
	cmd := exec.CommandContext(ctx, name, args...)
	if cmd.Err != nil {
		return nil, fmt.Errorf("envcwd: %w", cmd.Err)
	}

	// A non-nil Env replaces the parent's environment entirely; a nil one would inherit
	// it all, secrets included.
	cmd.Env = cleanEnv(opts.Allow)

	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("envcwd: running %q in %q: %w", name, opts.Dir, err)
	}
	return out, nil
}

// cleanEnv builds the child's environment: PATH=SafePath, then each allowed variable that
// is set in this process. PATH comes first and is never copied, so an allowed "PATH"
// cannot override it (os/exec keeps the LAST value of a duplicated key).
func cleanEnv(allow []string) []string {
	env := []string{"PATH=" + SafePath}
	seen := map[string]bool{"PATH": true}
	for _, key := range allow {
		if key == "" || strings.Contains(key, "=") || seen[key] {
			continue
		}
		seen[key] = true
		if value, ok := os.LookupEnv(key); ok {
			env = append(env, key+"="+value)
		}
	}
	return env
}
