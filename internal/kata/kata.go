package kata

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

// ErrNoKata is wrapped by Catalog.Get when no kata has the id asked for.
var ErrNoKata = errors.New("no such kata")

// Kata is one kata of the catalogue. Its exported fields come from kata.toml; the files
// (reference, tests, starter, broken variants) are read on demand from the catalogue's file
// system. A Kata is read-only once loaded and safe for concurrent use.
type Kata struct {
	ID        string
	Title     string
	Level     string   // junior, mid or senior
	Topics    []string // from Topics
	Scenarios []string // keys of Scenarios
	Lang      string   // the language of the user's file: LangGo or LangNode
	Package   string   // the Go package of the tests; the user's file is FileName
	TimeLimit time.Duration
	Statement string // Markdown
	Hints     []string

	// Skippable names the tests (or subtests) that may skip without failing the check,
	// each with the reason, such as a feature the OS lacks. Any other skip is a failure.
	Skippable map[string]string

	tests     func() ([]string, error) // findTests, once
	fsys      fs.FS                    // the catalogue's file system
	dir       string                   // the kata's folder in fsys
	display   string                   // the folder as shown in messages, e.g. "katas/run-capture"
	testFiles []string                 // names of the reference *_test.go files, sorted
	broken    []string                 // names of testdata/broken_*.go, sorted
}

// Languages of a kata: the language the user writes in. The reference tests are Go either
// way.
const (
	LangGo   = "go"
	LangNode = "node"
)

// Langs are the languages of katas.
var Langs = []string{LangGo, LangNode}

// Ext is the file extension of the kata's language: ".go" or ".js".
func (k *Kata) Ext() string {
	if k.Lang == LangNode {
		return ".js"
	}
	return ".go"
}

// FileName is the name of the user's file and of the reference solution: Package + Ext.
func (k *Kata) FileName() string { return k.Package + k.Ext() }

// StarterFile is the starter's path in the kata folder: testdata/starter.go or .js.
func (k *Kata) StarterFile() string { return "testdata/starter" + k.Ext() }

// SkipReason returns why test may skip, and whether it may: a test may skip when it, or a
// test it belongs to, is listed in Skippable.
func (k *Kata) SkipReason(test string) (string, bool) {
	for name := test; ; {
		if r, ok := k.Skippable[name]; ok {
			return r, true
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return "", false
		}
		name = name[:i]
	}
}

// Dir is the kata's folder as shown in messages, such as "katas/run-capture".
func (k *Kata) Dir() string { return k.display }

// Tests returns the names of the reference tests' top-level functions (Test*, Fuzz*) that
// run on this OS, in file order: a check passes only when every one of them passed. The
// files are parsed on the first call; an error is a Problems.
func (k *Kata) Tests() ([]string, error) {
	if k.tests == nil {
		return k.findTests()
	}
	return k.tests()
}

// Solution returns the reference solution's source.
func (k *Kata) Solution() ([]byte, error) { return k.read(k.FileName()) }

// Starter returns the starter's source (StarterFile).
func (k *Kata) Starter() ([]byte, error) { return k.read(k.StarterFile()) }

// TestFiles returns the reference test files (harness_test.go included) by name.
func (k *Kata) TestFiles() (map[string][]byte, error) {
	files := make(map[string][]byte, len(k.testFiles))
	for _, name := range k.testFiles {
		b, err := k.read(name)
		if err != nil {
			return nil, err
		}
		files[name] = b
	}
	return files, nil
}

// Variant is a known-broken solution of a kata, from testdata/broken_<name>.go.
type Variant struct {
	Name    string // the file's name, such as "broken_no_wait.go" or "broken_no_wait.js"
	Mistake string // the text of its "// Broken: ..." first line, or "" when it has none
	Source  []byte
}

// BrokenPrefix starts a broken variant's first line.
const BrokenPrefix = "// Broken: "

// Broken returns the kata's known-broken variants, sorted by name.
func (k *Kata) Broken() ([]Variant, error) {
	vs := make([]Variant, 0, len(k.broken))
	for _, name := range k.broken {
		b, err := k.read(name)
		if err != nil {
			return nil, err
		}
		first, _, _ := bytes.Cut(b, []byte("\n"))
		mistake := ""
		if s := strings.TrimSpace(string(first)); strings.HasPrefix(s, BrokenPrefix) {
			mistake = strings.TrimSpace(strings.TrimPrefix(s, BrokenPrefix))
		}
		vs = append(vs, Variant{Name: path.Base(name), Mistake: mistake, Source: b})
	}
	return vs, nil
}

func (k *Kata) read(name string) ([]byte, error) {
	b, err := fs.ReadFile(k.fsys, path.Join(k.dir, name))
	if err != nil {
		return nil, fmt.Errorf("kata: reading %s/%s: %w", k.display, name, err)
	}
	return b, nil
}

// Catalog is a set of katas, ordered by level (junior first), then id. The zero value is an
// empty catalogue.
type Catalog struct {
	katas []*Kata
	byID  map[string]*Kata
}

// All returns every kata, ordered by level, then id. The slice must not be modified.
func (c *Catalog) All() []*Kata { return c.katas }

// IDs returns every kata's id, in catalogue order.
func (c *Catalog) IDs() []string {
	ids := make([]string, len(c.katas))
	for i, k := range c.katas {
		ids[i] = k.ID
	}
	return ids
}

// Get returns the kata with id. An unknown id is an error wrapping ErrNoKata.
func (c *Catalog) Get(id string) (*Kata, error) {
	if k, ok := c.byID[id]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("kata: %w %q", ErrNoKata, id)
}

// newCatalog orders ks by level, then by their place in order (ids missing from it come
// after, by id).
func newCatalog(ks []*Kata, order []string) *Catalog {
	rank := func(id string) int {
		if i := slices.Index(order, id); i >= 0 {
			return i
		}
		return len(order)
	}
	sort.SliceStable(ks, func(i, j int) bool {
		if ri, rj := levelRank(ks[i].Level), levelRank(ks[j].Level); ri != rj {
			return ri < rj
		}
		if ri, rj := rank(ks[i].ID), rank(ks[j].ID); ri != rj {
			return ri < rj
		}
		return ks[i].ID < ks[j].ID
	})
	c := &Catalog{katas: ks, byID: make(map[string]*Kata, len(ks))}
	for _, k := range ks {
		c.byID[k.ID] = k
	}
	return c
}
