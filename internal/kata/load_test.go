package kata

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoadFixture(t *testing.T) {
	t.Parallel()
	k := fixtureKata(t)
	if k.Title != "Add numbers and capture a child's output" || k.Level != "junior" || k.Package != "fixture" ||
		k.TimeLimit != time.Minute || len(k.Hints) != 2 || !slices.Equal(k.Scenarios, []string{"execfile-custom-binary"}) {
		t.Errorf("fixture kata = %+v; want the fields of its kata.toml", k)
	}
	if tests, err := k.Tests(); err != nil || !slices.Equal(tests, []string{"TestAdd", "TestOutput"}) {
		t.Errorf("Tests() = %q, %v; want TestAdd, TestOutput", tests, err)
	}
	files, err := k.TestFiles()
	if err != nil || len(files) != 2 || files[HarnessFile] == nil || files["fixture_test.go"] == nil {
		t.Errorf("TestFiles() = %d files, %v; want fixture_test.go and harness_test.go", len(files), err)
	}
	vs, err := k.Broken()
	if err != nil || len(vs) != 2 || vs[0].Name != "broken_first_arg.go" || vs[0].Mistake != "passes only the first argument." {
		t.Errorf("Broken() = %+v, %v; want 2 variants, the first broken_first_arg.go", vs, err)
	}
}

// validMeta is a kata.toml without problems; the cases below edit it.
const validMeta = `id = "demo"
title = "A demo"
level = "mid"
topics = ["spawn", "signals"]
scenarios = ["spawn-timeout"]
package = "demo"
time_limit = "30s"
statement = '''
Run it.
id = "not a key: this is inside the statement"
'''
hints = [
  "one",
  "two",
]
`

func TestParseMeta(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(string) string
		want []string // every problem, as "line:col: message"
	}{
		{"valid", nil, nil},
		{"unknown key", func(s string) string { return s + "titel = \"x\"\n" },
			[]string{`16:1: unknown key "titel"; did you mean "title"? (kata.toml keys: id, title, level, topics, scenarios, package, time_limit, statement, hints, lang, skippable)`}},
		{"unknown table", func(s string) string { return s + "[extra]\nx = 1\n" },
			[]string{`16:1: unknown key "extra" (kata.toml keys: id, title, level, topics, scenarios, package, time_limit, statement, hints, lang, skippable)`}},
		{"missing key", func(s string) string { return strings.Replace(s, "title = \"A demo\"\n", "", 1) },
			[]string{`1:1: missing required key "title"`}},
		{"bad level", func(s string) string { return strings.Replace(s, `"mid"`, `"expert"`, 1) },
			[]string{`3:1: level "expert" is not one of junior, mid, senior`}},
		{"bad topic", func(s string) string { return strings.Replace(s, `"signals"`, `"signls"`, 1) },
			[]string{`4:1: topic "signls" is not in the list; did you mean "signals"? (topics: ` + strings.Join(Topics, ", ") + `)`}},
		{"duplicate topic", func(s string) string { return strings.Replace(s, `"signals"`, `"spawn"`, 1) },
			[]string{`4:1: "topics" lists "spawn" twice`}},
		{"unknown scenario", func(s string) string { return strings.Replace(s, `"spawn-timeout"`, `"spawn-timeot"`, 1) },
			[]string{`5:1: scenario "spawn-timeot" is not a known scenario key; did you mean "spawn-timeout"? (the keys are listed in katas/README.md)`}},
		{"no scenario", func(s string) string { return strings.Replace(s, `["spawn-timeout"]`, `[]`, 1) },
			[]string{`5:1: scenarios has 0 entries; a kata teaches 1 or 2 scenarios`}},
		{"bad package", func(s string) string { return strings.Replace(s, `package = "demo"`, `package = "De_mo"`, 1) },
			[]string{`6:1: package "De_mo" must be a lower-case Go identifier without underscores`}},
		{"bad id", func(s string) string { return strings.Replace(s, `id = "demo"`, `id = "Demo!"`, 1) },
			[]string{`1:1: id "Demo!" must match [a-z0-9][a-z0-9-]*`}},
		{"limit not a duration", func(s string) string { return strings.Replace(s, `"30s"`, `"30"`, 1) },
			[]string{`7:1: time_limit "30" is not a duration such as "30s"`}},
		{"limit not a string", func(s string) string { return strings.Replace(s, `"30s"`, `30`, 1) },
			[]string{`7:1: "time_limit" must be a string, not an integer`}},
		{"limit too long", func(s string) string { return strings.Replace(s, `"30s"`, `"1h"`, 1) },
			[]string{`7:1: time_limit 1h0m0s is out of range (0s, 10m0s]`}},
		{"one hint", func(s string) string { return strings.Replace(s, "  \"two\",\n", "", 1) },
			[]string{`12:1: hints has 1 entries; give 2 to 3 progressive hints`}},
		{"hint not a string", func(s string) string { return strings.Replace(s, `"two"`, `2`, 1) },
			[]string{`12:1: "hints" entry 2 must be a string, not an integer`, `12:1: hints has 1 entries; give 2 to 3 progressive hints`}},
		{"empty title", func(s string) string { return strings.Replace(s, `"A demo"`, `"  "`, 1) },
			[]string{`2:1: "title" is empty`}},
		{"indented key", func(s string) string { return strings.Replace(s, "level =", "  level =", 1) + "  colour = 1\n" },
			[]string{`16:3: unknown key "colour" (kata.toml keys: id, title, level, topics, scenarios, package, time_limit, statement, hints, lang, skippable)`}},
		{"bad TOML", func(s string) string { return strings.Replace(s, `title = "A demo"`, `title = "A demo`, 1) },
			[]string{`2:16: bad TOML: strings cannot contain newlines`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := validMeta
			if tc.edit != nil {
				in = tc.edit(in)
			}
			_, ps := parseMeta("kata.toml", []byte(in))
			var got []string
			for _, p := range ps {
				got = append(got, strings.TrimPrefix(p.String(), "kata.toml:"))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("parseMeta(%s) problems =\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// fixtureFS returns a file system with a sound kata "demo", edited by edit.
func fixtureFS(edit func(fstest.MapFS)) fstest.MapFS {
	src := "package demo\n\n// Run runs.\nfunc Run() {}\n"
	fsys := fstest.MapFS{
		"demo/kata.toml":             {Data: []byte(validMeta)},
		"demo/demo.go":               {Data: []byte(src)},
		"demo/demo_test.go":          {Data: []byte("package demo\n\nimport \"testing\"\n\nfunc TestRun(t *testing.T) { Run() }\n\nfunc TestMain(m *testing.M) {}\n\nfunc Testing(t *testing.T) {}\n\nfunc FuzzRun(f *testing.F) {}\n")},
		"demo/other_windows_test.go": {Data: []byte("package demo\n\nimport \"testing\"\n\nfunc TestWindows(t *testing.T) {}\n")},
		"demo/ignored_test.go":       {Data: []byte("//go:build ignore\n\npackage demo\n\nimport \"testing\"\n\nfunc TestIgnored(t *testing.T) {}\n")},
		"demo/" + HarnessFile:        {Data: Harness("demo")},
		"demo/testdata/starter.go":   {Data: []byte(src)},
		"demo/testdata/broken_a.go":  {Data: []byte("// Broken: a.\n" + src)},
		"demo/testdata/broken_b.go":  {Data: []byte("// Broken: b.\n" + src)},
		"demo/testdata/notes.txt":    {Data: []byte("not Go")},
		"notakata/readme.txt":        {Data: []byte("no kata.toml here")},
		"harness.go.tmpl":            {Data: HarnessTemplate()},
	}
	if edit != nil {
		edit(fsys)
	}
	return fsys
}

func TestLoadFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		want []string
	}{
		{"sound", nil, nil},
		{"id is not the folder", func(f fstest.MapFS) { f["other/kata.toml"] = f["demo/kata.toml"] },
			[]string{
				`katas/other/demo.go: missing: the reference solution of package "demo"`,
				`katas/other/harness_test.go: missing: generate it with "go generate ./katas"`,
				`katas/other/kata.toml: id "demo" is already used by katas/demo/kata.toml`,
				`katas/other/kata.toml:1:1: id "demo" must be the folder's name "other"`,
				`katas/other/testdata/starter.go: missing: the starter (the API with TODO bodies)`,
			}},
		{"no reference", func(f fstest.MapFS) { delete(f, "demo/demo.go") },
			[]string{`katas/demo/demo.go: missing: the reference solution of package "demo"`}},
		{"two files", func(f fstest.MapFS) { f["demo/util.go"] = f["demo/demo.go"] },
			[]string{`katas/demo/util.go: the reference solution must be one file, demo.go; move this code into it or into a _test.go file`}},
		{"no starter", func(f fstest.MapFS) { delete(f, "demo/testdata/starter.go") },
			[]string{`katas/demo/testdata/starter.go: missing: the starter (the API with TODO bodies)`}},
		{"no harness", func(f fstest.MapFS) { delete(f, "demo/"+HarnessFile) },
			[]string{`katas/demo/harness_test.go: missing: generate it with "go generate ./katas"`}},
		{"wrong package", func(f fstest.MapFS) {
			f["demo/testdata/broken_b.go"] = &fstest.MapFile{Data: []byte("// Broken: b.\npackage other\n")}
		}, []string{`katas/demo/testdata/broken_b.go:2:9: package other does not match kata.toml's package = "demo"`}},
		{"bad metadata", func(f fstest.MapFS) {
			f["demo/kata.toml"] = &fstest.MapFile{Data: []byte(strings.Replace(validMeta, `"mid"`, `"guru"`, 1))}
		}, []string{`katas/demo/kata.toml:3:1: level "guru" is not one of junior, mid, senior`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(fixtureFS(tc.edit), "katas")
			var got []string
			var ps Problems
			if errors.As(err, &ps) {
				for _, p := range ps {
					got = append(got, p.String())
				}
			} else if err != nil {
				t.Fatalf("Load = %v; want Problems", err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Load(%s) problems =\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.want == nil {
				k, err := c.Get("demo")
				tests, err := k.Tests()
				if err != nil || !slices.Equal(tests, []string{"TestRun", "FuzzRun"}) {
					t.Errorf("Tests() = %q, %v; want TestRun, FuzzRun (no TestMain, Testing, or files for another OS)", tests, err)
				}
			}
		})
	}
}

func TestCatalogOrderAndGet(t *testing.T) {
	t.Parallel()
	ks := func() []*Kata {
		return []*Kata{{ID: "b", Level: "senior"}, {ID: "z", Level: "junior"}, {ID: "a", Level: "senior"}, {ID: "m", Level: "mid"}, {ID: "c", Level: "senior"}}
	}
	if got := newCatalog(ks(), nil).IDs(); !slices.Equal(got, []string{"z", "m", "a", "b", "c"}) {
		t.Errorf("IDs() = %q; want junior, mid, then senior, each by id", got)
	}
	if got := newCatalog(ks(), []string{"c", "b"}).IDs(); !slices.Equal(got, []string{"z", "m", "c", "b", "a"}) {
		t.Errorf("IDs() with order c, b = %q; want junior, mid, then senior in that order, the rest by id", got)
	}
	if _, err := newCatalog(ks(), nil).Get("nope"); !errors.Is(err, ErrNoKata) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Get(nope) = %v; want ErrNoKata naming it", err)
	}
}
