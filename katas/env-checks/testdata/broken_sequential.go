// Broken: probes the tools one after another, so n slow tools take n times as long.
package envcheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
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
	checks := make([]Check, len(reqs))
	for i, req := range reqs {
		checks[i] = probe(ctx, req, timeout)
	}
	return checks
}

// versionRE matches a dotted version number such as 1.10 or 2.30.1.
var versionRE = regexp.MustCompile(`\d+(?:\.\d+)+`)

// maxOutput bounds how much of a tool's output a probe keeps: a version comes first, and a
// tool that floods its output must not exhaust memory.
const maxOutput = 64 << 10

// probe checks one requirement. It gets its own deadline, derived from ctx, so that its
// clock starts when it does and its expiry kills nothing but its own child.
func probe(ctx context.Context, req Requirement, timeout time.Duration) Check {
	c := Check{Name: req.Name}
	var minimum []int
	if req.Min != "" {
		var ok bool
		if minimum, ok = parseVersion(req.Min); !ok {
			c.Err = fmt.Errorf("envcheck: %s: minimum version %q is not dotted numbers", req.Name, req.Min)
			return c
		}
	}
	path, err := exec.LookPath(req.Name)
	if err != nil {
		c.Err = fmt.Errorf("envcheck: %w", err) // wraps exec.ErrNotFound
		return c
	}
	c.Path = path

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	out := &headBuffer{max: maxOutput}
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Stdout, cmd.Stderr = out, out // some tools print their version on stderr
	// After the kill, give up on the output pipes if a grandchild still holds them.
	cmd.WaitDelay = 500 * time.Millisecond
	err = cmd.Run()
	if ctx.Err() != nil {
		c.Err = fmt.Errorf("envcheck: %s --version: %w", req.Name, ctx.Err())
		return c
	}
	if err != nil {
		c.Err = fmt.Errorf("envcheck: %s --version: %w", req.Name, err)
		return c
	}

	c.Version = versionRE.FindString(string(out.buf))
	got, ok := parseVersion(c.Version)
	if !ok {
		c.Err = fmt.Errorf("envcheck: %s --version printed %q: %w", req.Name, firstLine(out.buf), ErrNoVersion)
		return c
	}
	if minimum != nil && compareVersions(got, minimum) < 0 {
		c.Err = fmt.Errorf("envcheck: %s %s is older than %s: %w", req.Name, c.Version, req.Min, ErrTooOld)
	}
	return c
}

// parseVersion splits a dotted version into its numbers; ok is false unless every part is
// a decimal number.
func parseVersion(s string) (nums []int, ok bool) {
	if s == "" {
		return nil, false
	}
	for part := range strings.SplitSeq(s, ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, false
		}
		nums = append(nums, n)
	}
	return nums, true
}

// compareVersions compares two versions number by number, the missing ones counting as
// zero, and returns -1, 0 or +1. Comparing the strings instead would put "1.10" before "1.9".
func compareVersions(a, b []int) int {
	for i := range max(len(a), len(b)) {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// headBuffer keeps the first max bytes written to it and drops the rest.
type headBuffer struct {
	buf []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// firstLine returns the first line of b, for error messages.
func firstLine(b []byte) string {
	line, _, _ := strings.Cut(string(b), "\n")
	return line
}
