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

// nodeHarnessTemplate is harness_node.go.tmpl: the Node.js side of the harness, which Node
// katas get as harness_node_test.go.
//
//go:embed harness_node.go.tmpl
var nodeHarnessTemplate []byte

// HarnessTemplate returns harness.go.tmpl, whose "package PACKAGE" line Harness replaces.
func HarnessTemplate() []byte { return bytes.Clone(harnessTemplate) }

// Harness returns the harness_test.go of package pkg: the template with its package clause
// set to pkg.
func Harness(pkg string) []byte {
	return bytes.Replace(harnessTemplate, []byte("\npackage PACKAGE\n"), []byte("\npackage "+pkg+"\n"), 1)
}

// NodeHarness returns the harness_node_test.go of a Node kata's package pkg.
func NodeHarness(pkg string) []byte {
	return bytes.ReplaceAll(nodeHarnessTemplate, []byte("PACKAGE"), []byte(pkg))
}

// GeneratedFiles returns the files that "go generate ./katas" writes into k's folder, by
// name: harness_test.go, and for a Node kata harness_node_test.go.
func GeneratedFiles(k *Kata) map[string][]byte {
	files := map[string][]byte{HarnessFile: Harness(k.Package)}
	if k.Lang == LangNode {
		files[NodeHarnessFile] = NodeHarness(k.Package)
	}
	return files
}
