package kata

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/scanner"
	"go/token"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/procdojo/procdojo/internal/tomlpos"
)

// Files of a kata folder.
const (
	HarnessFile     = "harness_test.go"      // generated from TemplateFile
	TemplateFile    = "harness.go.tmpl"      // in internal/kata
	NodeHarnessFile = "harness_node_test.go" // a Node kata's, from harness_node.go.tmpl
)

// Load reads every kata in fsys: each top-level folder holding a kata.toml. root names fsys
// in messages (for example "katas"). The catalogue lists katas by level, then in order
// (ids it leaves out come after, by id). It checks the metadata and the files a kata needs
// (reference solution, reference tests, starter) and returns every problem it finds as a
// Problems error; it runs nothing (Verify does), and parses the reference tests only when
// asked for their names (Kata.Tests; Static reports their problems). With problems, the catalogue returned
// holds the katas whose metadata could be read, for tools that repair files (go generate);
// other callers should stop at the error.
func Load(fsys fs.FS, root string, order ...string) (*Catalog, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("kata: reading %s: %w", root, err)
	}
	var (
		ks    []*Kata
		ps    Problems
		where = map[string]string{} // id -> file that declared it
	)
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(e.Name(), MetaFile)); err != nil {
			continue
		}
		k, kps := loadKata(fsys, e.Name(), path.Join(root, e.Name()))
		ps = append(ps, kps...)
		if k == nil {
			continue
		}
		file := path.Join(k.display, MetaFile)
		if prev, dup := where[k.ID]; dup {
			ps = append(ps, Problem{File: file, Msg: fmt.Sprintf("id %q is already used by %s", k.ID, prev)})
			continue
		}
		where[k.ID] = file
		ks = append(ks, k)
	}
	if len(ps) > 0 {
		sortProblems(ps)
		return newCatalog(ks, order), ps
	}
	return newCatalog(ks, order), nil
}

// loadKata loads the kata in folder dir of fsys. It returns nil when the metadata is too
// broken to go on.
func loadKata(fsys fs.FS, dir, display string) (*Kata, Problems) {
	metaName := path.Join(display, MetaFile)
	data, err := fs.ReadFile(fsys, path.Join(dir, MetaFile))
	if err != nil {
		return nil, Problems{{File: metaName, Msg: err.Error()}}
	}
	m, ps := parseMeta(metaName, data)
	if m.ID != "" && m.ID != dir {
		pos := tomlpos.Scan(string(data), "").Top["id"]
		ps = append(ps, Problem{File: metaName, Line: pos.Line, Col: pos.Col,
			Msg: fmt.Sprintf("id %q must be the folder's name %q", m.ID, dir)})
	}
	if m.Package == "" || m.ID == "" {
		return nil, ps
	}
	k := &Kata{
		ID: m.ID, Title: m.Title, Level: m.Level, Topics: m.Topics, Scenarios: m.Scenarios,
		Lang: m.Lang, Package: m.Package, TimeLimit: m.TimeLimit, Statement: m.Statement, Hints: m.Hints,
		Skippable: m.Skippable,
		fsys:      fsys, dir: dir, display: display,
	}
	k.tests = sync.OnceValues(k.findTests)
	ps = append(ps, k.loadFiles()...)
	return k, ps
}

// loadFiles finds the kata's files and checks their package clauses, and collects the
// reference tests' names.
func (k *Kata) loadFiles() Problems {
	var ps Problems
	problem := func(name string, pos token.Position, format string, a ...any) {
		ps = append(ps, Problem{File: path.Join(k.display, name), Line: pos.Line, Col: pos.Column, Msg: fmt.Sprintf(format, a...)})
	}
	entries, err := fs.ReadDir(k.fsys, k.dir)
	if err != nil {
		problem("", token.Position{}, "%v", err)
		return ps
	}
	haveRef := false
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir():
		case strings.HasSuffix(name, "_test.go"):
			k.testFiles = append(k.testFiles, name)
		case name == k.FileName():
			haveRef = true
		case strings.HasSuffix(name, ".go"), strings.HasSuffix(name, ".js"):
			problem(name, token.Position{}, "the reference solution must be one file, %s; move this code into it or into a _test.go file", k.FileName())
		}
	}
	switch {
	case !haveRef && k.Lang == LangNode:
		problem(k.FileName(), token.Position{}, "missing: the reference solution (a CommonJS module)")
	case !haveRef:
		problem(k.FileName(), token.Position{}, "missing: the reference solution of package %q", k.Package)
	case k.Lang != LangNode:
		ps = append(ps, k.checkPackage(k.FileName(), false)...)
	}
	for name := range GeneratedFiles(k) {
		if !contains(k.testFiles, name) {
			problem(name, token.Position{}, "missing: generate it with \"go generate ./katas\"")
		}
	}
	if _, err := fs.Stat(k.fsys, path.Join(k.dir, k.StarterFile())); err != nil {
		problem(k.StarterFile(), token.Position{}, "missing: the starter (the API with TODO bodies)")
	} else if k.Lang != LangNode {
		ps = append(ps, k.checkPackage(k.StarterFile(), false)...)
	}
	if tds, err := fs.ReadDir(k.fsys, path.Join(k.dir, "testdata")); err == nil {
		for _, e := range tds {
			if !e.IsDir() && strings.HasPrefix(e.Name(), "broken_") && strings.HasSuffix(e.Name(), k.Ext()) {
				name := "testdata/" + e.Name()
				k.broken = append(k.broken, name)
				if k.Lang != LangNode {
					ps = append(ps, k.checkPackage(name, false)...)
				}
			}
		}
	}
	sort.Strings(k.testFiles)
	for _, name := range k.testFiles {
		ps = append(ps, k.checkPackage(name, true)...)
	}
	return ps
}

// findTests parses the reference test files for their top-level tests.
func (k *Kata) findTests() ([]string, error) {
	var (
		names []string
		ps    Problems
	)
	for _, name := range k.testFiles {
		ns, err := k.testNames(name)
		var tps Problems
		switch {
		case errors.As(err, &tps):
			ps = append(ps, tps...)
		case err != nil:
			ps = append(ps, Problem{File: path.Join(k.display, name), Msg: err.Error()})
		}
		names = append(names, ns...)
	}
	if len(ps) == 0 && len(names) == 0 {
		ps = append(ps, Problem{File: k.display, Msg: "the reference tests define no Test function"})
	}
	if len(ps) > 0 {
		return names, ps
	}
	return names, nil
}

// checkPackage parses name's package clause: it must be the kata's package (or, for a test
// file, its _test variant).
func (k *Kata) checkPackage(name string, test bool) Problems {
	src, err := k.read(name)
	if err != nil {
		return Problems{{File: path.Join(k.display, name), Msg: err.Error()}}
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path.Join(k.display, name), src, parser.PackageClauseOnly)
	if err != nil {
		return parseProblems(err, path.Join(k.display, name))
	}
	got := f.Name.Name
	if got == k.Package || test && got == k.Package+"_test" {
		return nil
	}
	p := fset.Position(f.Name.Pos())
	return Problems{{File: path.Join(k.display, name), Line: p.Line, Col: p.Column,
		Msg: fmt.Sprintf("package %s does not match kata.toml's package = %q", got, k.Package)}}
}

// testNames returns the top-level test functions of a test file, or none when the file's
// build constraints exclude it on this OS.
func (k *Kata) testNames(name string) ([]string, error) {
	if ok, err := k.matchFile(name); err != nil || !ok {
		return nil, err
	}
	src, err := k.read(name)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, path.Join(k.display, name), src, parser.SkipObjectResolution)
	if err != nil {
		return nil, parseProblems(err, path.Join(k.display, name))
	}
	var names []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Type.Params == nil || len(fn.Type.Params.List) != 1 {
			continue
		}
		n := fn.Name.Name
		if n != "TestMain" && (isTestName(n, "Test") || isTestName(n, "Fuzz")) {
			names = append(names, n)
		}
	}
	return names, nil
}

// isTestName reports whether name is prefix followed by nothing or by a character that is
// not a lower-case letter, the rule of "go test".
func isTestName(name, prefix string) bool {
	if !strings.HasPrefix(name, prefix) {
		return false
	}
	if len(name) == len(prefix) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[len(prefix):])
	return !unicode.IsLower(r)
}

// matchFile reports whether the build constraints of the kata's file name (its GOOS/GOARCH
// suffix and //go:build line) select it on this machine.
func (k *Kata) matchFile(name string) (bool, error) {
	ctx := build.Default
	ctx.JoinPath = path.Join
	ctx.IsAbsPath = path.IsAbs
	ctx.OpenFile = func(p string) (io.ReadCloser, error) { return k.fsys.Open(p) }
	ctx.ReadDir = func(dir string) ([]fs.FileInfo, error) { return nil, errors.New("kata: ReadDir not supported") }
	return ctx.MatchFile(k.dir, name)
}

// parseProblems turns a go/parser error into problems with positions.
func parseProblems(err error, file string) Problems {
	var list scanner.ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		return Problems{{File: file, Msg: err.Error()}}
	}
	ps := make(Problems, 0, len(list))
	for _, e := range list {
		ps = append(ps, Problem{File: file, Line: e.Pos.Line, Col: e.Pos.Column, Msg: e.Msg})
	}
	return ps
}
