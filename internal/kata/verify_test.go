package kata

import (
	"context"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// TestVerifyFixture verifies the test kata, then a copy of it with two planted mistakes: a
// broken variant that passes and a starter that does not compile.
func TestVerifyFixture(t *testing.T) {
	t.Parallel()
	k := fixtureKata(t)
	rep, err := VerifyKata(context.Background(), k, VerifyOptions{})
	if err != nil || len(rep.Problems) > 0 {
		t.Fatalf("VerifyKata(fixture) = %v, %v; want no problems", rep.Problems, err)
	}
	var got []string
	for _, r := range rep.Runs {
		got = append(got, r.Variant+" "+string(r.Result.Status))
	}
	want := []string{"reference pass", "starter fail", "broken_first_arg.go fail", "broken_subtracts.go fail"}
	if !slices.Equal(got, want) {
		t.Errorf("VerifyKata(fixture) runs = %q; want %q", got, want)
	}

	// The planted mistakes.
	fsys := fstest.MapFS{}
	err = fs.WalkDir(os.DirFS(fixtureDir), "fixture", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(os.DirFS(fixtureDir), p)
		fsys[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	builderr, err := os.ReadFile("testdata/solutions/builderr.go")
	if err != nil {
		t.Fatal(err)
	}
	fsys["fixture/testdata/starter.go"].Data = builderr
	fsys["fixture/testdata/broken_first_arg.go"].Data = append([]byte("// Broken: nothing.\n"), fsys["fixture/fixture.go"].Data...)
	fsys["fixture/"+HarnessFile].Data = append(fsys["fixture/"+HarnessFile].Data, "// edited\n"...)
	c, err := Load(fsys, "bad")
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := c.Get("fixture")
	rep, err = VerifyKata(context.Background(), bad, VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, p := range rep.Problems {
		got = append(got, p.String())
	}
	want = []string{
		`bad/fixture/harness_test.go: is not the copy of its template in internal/kata for package fixture; run "go generate ./katas"`,
		`bad/fixture/testdata/starter.go: must compile with the reference tests and fail them, but the build failed: ` +
			`./fixture.go:7:41: undefined: undefinedName`,
		`bad/fixture/testdata/broken_first_arg.go: must fail the reference tests, but passed all 2`,
	}
	for i := range got { // the build error names a temporary folder
		if j := strings.Index(got[i], "failed: /"); j >= 0 {
			if k := strings.Index(got[i], "/fixture.go:"); k >= 0 {
				got[i] = got[i][:j] + "failed: ./" + got[i][k+1:]
			}
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("VerifyKata(planted mistakes) problems =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestStatic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(fstest.MapFS)
		want []string
	}{
		{"sound", nil, nil},
		{"one broken variant", func(f fstest.MapFS) { delete(f, "demo/testdata/broken_b.go") },
			[]string{`katas/demo/testdata: has 1 broken variants (testdata/broken_*.go); a kata needs at least 2`}},
		{"no mistake named", func(f fstest.MapFS) {
			f["demo/testdata/broken_b.go"] = &fstest.MapFile{Data: []byte("// b\npackage demo\n")}
		}, []string{`katas/demo/testdata/broken_b.go: the first line must name the mistake: "// Broken: <the mistake>."`}},
		{"API not in the statement", func(f fstest.MapFS) {
			f["demo/testdata/starter.go"] = &fstest.MapFile{Data: []byte("package demo\n\ntype Pool struct{}\n\nfunc (p *Pool) Submit() {}\n\nfunc helper() {}\n")}
		}, []string{
			`katas/demo/kata.toml: the statement does not mention Pool, exported by the starter; show the API with its doc comments`,
			`katas/demo/kata.toml: the statement does not mention Submit, exported by the starter; show the API with its doc comments`,
		}},
		{"syntax error in the tests", func(f fstest.MapFS) {
			f["demo/demo_test.go"] = &fstest.MapFile{Data: []byte("package demo\n\nfunc TestX( {\n")}
		}, []string{`katas/demo/demo_test.go:3:13: expected ')', found '{'`}},
		{"no test", func(f fstest.MapFS) {
			f["demo/demo_test.go"] = &fstest.MapFile{Data: []byte("package demo\n")}
		}, []string{`katas/demo: the reference tests define no Test function`}},
		{"stale harness", func(f fstest.MapFS) {
			f["demo/"+HarnessFile] = &fstest.MapFile{Data: append(Harness("demo"), "// edited\n"...)}
		},
			[]string{`katas/demo/harness_test.go: is not the copy of its template in internal/kata for package demo; run "go generate ./katas"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := fixtureFS(tc.edit)
			fsys["demo/kata.toml"] = &fstest.MapFile{Data: []byte(strings.Replace(validMeta, "Run it.", "Run it: func Run().", 1))}
			c, err := Load(fsys, "katas")
			if err != nil {
				t.Fatal(err)
			}
			k, _ := c.Get("demo")
			var got []string
			for _, p := range Static(k) {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Static(%s) =\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestFixtureHarness keeps the fixture katas' generated files (harness_test.go, and the
// Node fixture's harness_node_test.go) the templates' copies; -update rewrites them.
func TestFixtureHarness(t *testing.T) {
	c, err := Load(os.DirFS(fixtureDir), fixtureDir)
	if err != nil && !*update {
		t.Fatal(err)
	}
	for _, k := range c.All() {
		for name, want := range GeneratedFiles(k) {
			p := fixtureDir + "/" + k.ID + "/" + name
			if *update {
				writeFile(t, p, string(want))
			}
			assertFile(t, p, string(want))
		}
	}
}
