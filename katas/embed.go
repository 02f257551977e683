package katas

import (
	"bytes"
	"embed"
	"sync"
)

// files holds every kata and the harness template, as the binary ships them.
//
//go:embed harness.go.tmpl */kata.toml */*.go */testdata/*.go
var files embed.FS

// embedded loads the catalogue once.
var embedded = sync.OnceValues(func() (*Catalog, error) { return Load(files, "katas") })

// Embedded returns the catalogue built into procdojo. It is loaded on first use; a problem in
// a kata (a bug that the package's tests catch) is returned as a Problems error.
func Embedded() (*Catalog, error) {
	c, err := embedded()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// HarnessTemplate returns harness.go.tmpl, whose "package PACKAGE" line Harness replaces.
func HarnessTemplate() []byte {
	b, err := files.ReadFile(TemplateFile)
	if err != nil {
		panic("katas: the embedded harness template is missing: " + err.Error())
	}
	return b
}

// Harness returns the harness_test.go of package pkg: the template with its package clause
// set to pkg.
func Harness(pkg string) []byte {
	return bytes.Replace(HarnessTemplate(), []byte("\npackage PACKAGE\n"), []byte("\npackage "+pkg+"\n"), 1)
}
