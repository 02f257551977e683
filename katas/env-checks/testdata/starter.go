// Package envcheck checks that the tools a project needs are installed and recent enough,
// probing them all at once.
package envcheck

import (
	"context"
	"errors"
	"time"
)

// Requirement names a tool that must be installed, and the oldest version that will do.
type Requirement struct {
	Name string // program to look up in PATH, as in "go" or "git"
	Min  string // oldest acceptable version, dotted numbers like "1.9" or "2.30.1"; "" accepts any
}

// Check is the outcome of probing one Requirement.
type Check struct {
	Name    string // the Requirement's Name
	Path    string // where the program was found in PATH; "" if it was not
	Version string // the version the program printed, like "1.10.2"; "" if none was found
	Err     error  // nil if the tool is usable; see CheckAll for what it wraps
}

var (
	// ErrTooOld means the tool's version is older than the Requirement's Min.
	ErrTooOld = errors.New("envcheck: version too old")
	// ErrNoVersion means the tool's "--version" output holds no dotted version number.
	ErrNoVersion = errors.New("envcheck: no version in output")
)

// CheckAll probes all reqs at the same time and returns one Check per Requirement, in the
// order of reqs. A probe finds the program with exec.LookPath, runs it with the single
// argument "--version" and takes the version from the first dotted number (like 1.10.2) it
// prints on stdout or stderr. Versions compare number by number, so 1.10 is newer than 1.9,
// and missing numbers count as zero, so 2 equals 2.0.
//
// Each probe has its own deadline, timeout after it starts, and also stops when ctx ends: a
// tool that hangs is killed and fails alone, while the others carry on. Check.Err wraps
// exec.ErrNotFound if the program is not in PATH; context.DeadlineExceeded if the probe timed
// out (or ctx's error if ctx ended); the *exec.ExitError if "--version" failed; ErrNoVersion
// if its output holds no version; ErrTooOld if the version is older than Min.
func CheckAll(ctx context.Context, reqs []Requirement, timeout time.Duration) []Check {
	// TODO: one goroutine per requirement, each with its own context.WithTimeout; LookPath,
	// run "--version", find the version, compare it number by number with Min.
	checks := make([]Check, len(reqs))
	for i, req := range reqs {
		checks[i] = Check{Name: req.Name, Err: errors.New("not implemented")}
	}
	return checks
}
