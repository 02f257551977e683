package quiz

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/procdojo/procdojo/internal/termsafe"
)

func loadFiles(t *testing.T, paths ...string) ([]*Question, error) {
	t.Helper()
	srcs, err := SourcesFromPaths(paths)
	if err != nil {
		t.Fatalf("SourcesFromPaths(%q): %v", paths, err)
	}
	return Load(srcs)
}

func problemLines(err error) []string {
	var ps Problems
	if !errors.As(err, &ps) {
		return nil
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

func TestLoadGood(t *testing.T) {
	t.Parallel()
	qs, err := loadFiles(t, "testdata/good/small.toml")
	if err != nil {
		t.Fatalf("Load(small.toml) error = %v; want nil", err)
	}
	if len(qs) != 4 {
		t.Fatalf("Load(small.toml) = %d questions; want 4", len(qs))
	}
	tests := []struct {
		id      string
		correct []int
		options int
		line    int
	}{
		{"t-single", []int{2}, 3, 4},
		{"t-multi", []int{1, 2}, 4, 15},
		{"t-tf", []int{1}, 2, 26},
		{"t-open", nil, 0, 36},
	}
	for i, tt := range tests {
		q := qs[i]
		if q.ID != tt.id || q.Level != "junior" {
			t.Errorf("question %d = %s (%s); want %s (junior)", i, q.ID, q.Level, tt.id)
		}
		if got := q.Correct(); !equal(got, tt.correct) {
			t.Errorf("%s.Correct() = %v; want %v", q.ID, got, tt.correct)
		}
		if got := len(q.Options()); got != tt.options {
			t.Errorf("len(%s.Options()) = %d; want %d", q.ID, got, tt.options)
		}
		if q.Pos.Line != tt.line {
			t.Errorf("%s.Pos = %v; want line %d", q.ID, q.Pos, tt.line)
		}
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestLoadBad loads one bad bank per kind of problem and checks every reported problem,
// with its line and column.
func TestLoadBad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want []string
	}{
		{"syntax.toml", []string{
			`syntax.toml:5:15: TOML syntax: strings cannot contain newlines`}},
		{"unknown-key.toml", []string{
			`unknown-key.toml:3:1: missing required key "answer"`,
			`unknown-key.toml:10:1: unknown key "anwser"; did you mean "answer"?`}},
		{"missing-key.toml", []string{
			`missing-key.toml:3:1: missing required key "prompt"`}},
		{"wrong-type.toml", []string{
			`wrong-type.toml:8:1: "prompt" must be a string, not an integer`}},
		{"choices-on-truefalse.toml", []string{
			`choices-on-truefalse.toml:9:1: choices does not fit a truefalse question (only single and multi have choices)`}},
		{"answer-on-open.toml", []string{
			`answer-on-open.toml:9:1: answer does not fit an open question (open questions have model_answer and rubric)`}},
		{"int-answer-on-multi.toml", []string{
			`int-answer-on-multi.toml:10:1: a multi question's answer must be a list of choice numbers such as [1, 3], not an integer`}},
		{"answer-out-of-range.toml", []string{
			`answer-out-of-range.toml:10:1: answer 5 is out of range (3 choices)`}},
		{"duplicate-choice.toml", []string{
			`duplicate-choice.toml:9:1: choices 1 and 3 are the same text "a"`}},
		{"duplicate-id.toml", []string{
			`duplicate-id.toml:3:1: duplicate id "x" (used again at testdata/bad/duplicate-id.toml:13:1)`,
			`duplicate-id.toml:13:1: duplicate id "x" (first used at testdata/bad/duplicate-id.toml:3:1)`}},
		{"empty-string.toml", []string{
			`empty-string.toml:10:1: "explanation" is empty`}},
		{"bad-level.toml", []string{
			`bad-level.toml:1:1: level "expert" is not one of junior, mid, senior`}},
		{"many-problems.toml", []string{
			`many-problems.toml:4:1: id "Bad Id" must match [a-z0-9][a-z0-9-]* (lower case letters, digits and dashes)`,
			`many-problems.toml:6:1: topic "exce" is not one of ` + strings.Join(Topics, ", ") + `; did you mean "exec"?`,
			`many-problems.toml:7:1: lang "rust" is not one of node, go, general`,
			`many-problems.toml:9:1: choices has 1 entries; a question needs 2 to 8`,
			`many-problems.toml:12:1: source "nodejs.org" must be an http:// or https:// URL`,
			`many-problems.toml:24:1: rubric has 1 points; an open question needs 2 to 8`,
			`many-problems.toml:27:1: run fits only a single question with code (its output must equal the right choice)`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			_, err := loadFiles(t, filepath.Join("testdata/bad", tt.file))
			got := problemLines(err)
			for i := range got {
				got[i] = strings.TrimPrefix(got[i], "testdata/bad/")
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Load(%s) problems =\n%s\nwant\n%s", tt.file, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadDuplicateIDAcrossFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, err := os.ReadFile("testdata/good/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a.toml"), filepath.Join(dir, "b.toml")
	os.WriteFile(a, data, 0o600)
	os.WriteFile(b, []byte(strings.Replace(string(data), `id = "t-multi"`, `id = "t-multi-2"`, 1)), 0o600)
	_, err = loadFiles(t, dir)
	got := problemLines(err)
	// Three ids collide; each collision names both places.
	if len(got) != 6 {
		t.Fatalf("Load(a, b) = %d problems; want 6:\n%s", len(got), strings.Join(got, "\n"))
	}
	want := a + `:4:1: duplicate id "t-single" (used again at ` + b + `:4:1)`
	if got[0] != want {
		t.Errorf("first problem = %s; want %s", got[0], want)
	}
}

func TestSourcesFromPathsErrors(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"testdata/nope.toml", t.TempDir()} {
		if _, err := SourcesFromPaths([]string{p}); err == nil {
			t.Errorf("SourcesFromPaths(%q) error = nil; want an error", p)
		}
	}
}

// FuzzLoad checks that no input makes Load panic, that a failing Load always says where,
// and that the pre-check holds what it promises on every input: a bank that loads holds no
// character that would act on a terminal, the pre-check (not the later string checks) is
// what finds such characters, and text the pre-check passes on to the decoder nests no
// deeper than MaxDepth.
func FuzzLoad(f *testing.F) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err == nil {
				f.Add(data)
			}
		}
	}
	for _, tt := range hostileBanks {
		if len(tt.text) < 100<<10 {
			f.Add([]byte(tt.text))
		}
	}
	f.Add([]byte("x = [[[[[[[1]]]]]]]\ny = {a.b = {c = [{d = 1}]}}\n"))
	f.Add([]byte("a = \"\"\"\\\n\\u001b\"\"\"\nb = '''\\u001b'''\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		qs, err := Load([]Source{{Name: "fuzz.toml", Data: data}})
		var ps Problems
		if err != nil && (!errors.As(err, &ps) || len(ps) == 0) {
			t.Fatalf("Load error %v is not a non-empty Problems", err)
		}
		for _, p := range ps {
			if p.Pos.Line < 1 || p.Pos.Col < 1 || p.Msg == "" {
				t.Fatalf("problem without a place or message: %+v", p)
			}
			if strings.Contains(p.Msg, "holds the character") {
				t.Fatalf("the pre-check missed a forbidden character that the string checks found: %s", p)
			}
		}
		if err == nil {
			for _, q := range qs {
				texts := append([]string{q.ID, q.Prompt, q.Code, q.ModelAnswer, q.Explanation, q.Source}, q.Choices...)
				for _, s := range append(append(texts, q.Rubric...), q.Tags...) {
					if at, r := termsafe.Find(s); at >= 0 {
						t.Fatalf("question %s loaded with %U in %q", q.ID, r, s)
					}
				}
			}
		}
		if _, decodable := precheck("fuzz.toml", string(data)); decodable {
			var v map[string]any
			if _, err := toml.Decode(string(data), &v); err == nil {
				if d := depth(v); d > MaxDepth {
					t.Fatalf("the pre-check passed text that nests %d deep", d)
				}
			}
		}
	})
}

// depth returns how deep values nest under v, counting each table and array below it.
func depth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, x := range v {
			d = max(d, 1+depth(x))
		}
	case []map[string]any:
		for _, x := range v {
			d = max(d, 1+depth(x))
		}
	case []any:
		for _, x := range v {
			d = max(d, 1+depth(x))
		}
	}
	return d
}
