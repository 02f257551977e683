package kata

import (
	"bytes"
	_ "embed"
)

// harnessTemplate is harness.go.tmpl: the test harness every kata's package gets as
// harness_test.go. The checker relies on it (see Check), so it lives with the checker.
//
//go:embed harness.go.tmpl
var harnessTemplate []byte

// HarnessTemplate returns harness.go.tmpl, whose "package PACKAGE" line Harness replaces.
func HarnessTemplate() []byte { return bytes.Clone(harnessTemplate) }

// Harness returns the harness_test.go of package pkg: the template with its package clause
// set to pkg.
func Harness(pkg string) []byte {
	return bytes.Replace(harnessTemplate, []byte("\npackage PACKAGE\n"), []byte("\npackage "+pkg+"\n"), 1)
}
