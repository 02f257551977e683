package quiz

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/procdojo/procdojo/internal/suggest"
	"github.com/procdojo/procdojo/internal/tomlpos"
)

// Source is the text of one bank and the name it is reported under.
type Source struct {
	Name string
	Data []byte
}

// Problem is one thing wrong in a bank.
type Problem struct {
	Pos Pos
	Msg string
}

func (p Problem) String() string { return p.Pos.String() + ": " + p.Msg }

// Problems is every problem found while loading banks, sorted by file and line. It is the
// error Load returns when any bank is bad.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// ErrNoBanks is returned when the paths given hold no bank file.
var ErrNoBanks = errors.New("quiz: no bank files (*.toml) found")

// SourcesFromFS reads every *.toml file at the top of fsys, in name order.
func SourcesFromFS(fsys fs.FS) ([]Source, error) {
	names, err := fs.Glob(fsys, "*.toml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var srcs []Source
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("quiz: %w", err)
		}
		srcs = append(srcs, Source{Name: "questions/" + n, Data: data})
	}
	return srcs, nil
}

// SourcesFromPaths reads banks from files and folders (a folder's *.toml files, not
// recursively), in the order given and by name within a folder.
func SourcesFromPaths(paths []string) ([]Source, error) {
	var srcs []Source
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("quiz: bank %w", err)
		}
		files := []string{p}
		if st.IsDir() {
			files, err = filepath.Glob(filepath.Join(p, "*.toml"))
			if err != nil {
				return nil, fmt.Errorf("quiz: %w", err)
			}
			sort.Strings(files)
			if len(files) == 0 {
				return nil, fmt.Errorf("quiz: folder %q holds no bank files (*.toml)", p)
			}
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				return nil, fmt.Errorf("quiz: %w", err)
			}
			srcs = append(srcs, Source{Name: f, Data: data})
		}
	}
	if len(srcs) == 0 {
		return nil, ErrNoBanks
	}
	return srcs, nil
}

// Load parses and checks every bank and returns their questions in bank order. When any
// bank has a problem it returns the questions that are sound and a Problems error listing
// every problem found in every bank, including ids used twice across banks.
func Load(srcs []Source) ([]*Question, error) {
	var (
		all      []*Question
		problems Problems
		seen     = map[string]*Question{}
	)
	for _, src := range srcs {
		qs, ps := parseBank(src)
		problems = append(problems, ps...)
		for _, q := range qs {
			if prev, dup := seen[q.ID]; dup {
				problems = append(problems,
					Problem{q.Pos, fmt.Sprintf("duplicate id %q (first used at %s)", q.ID, prev.Pos)},
					Problem{prev.Pos, fmt.Sprintf("duplicate id %q (used again at %s)", q.ID, q.Pos)})
				continue
			}
			seen[q.ID] = q
			all = append(all, q)
		}
	}
	if len(problems) > 0 {
		sort.SliceStable(problems, func(i, j int) bool {
			a, b := problems[i].Pos, problems[j].Pos
			if a.File != b.File {
				return a.File < b.File
			}
			if a.Line != b.Line {
				return a.Line < b.Line
			}
			return a.Col < b.Col
		})
		return all, problems
	}
	return all, nil
}

var questionKeys = []string{
	"id", "kind", "topic", "lang", "prompt", "code", "run", "choices", "answer",
	"model_answer", "rubric", "explanation", "source", "tags",
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// parseBank parses one bank and returns its sound questions and every problem in it.
func parseBank(src Source) ([]*Question, []Problem) {
	var raw map[string]any
	text := string(src.Data)
	if _, err := toml.Decode(text, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := max(pe.Position.Line, 1), max(pe.Position.Col, 1)
			return nil, []Problem{{Pos{src.Name, line, col}, "TOML syntax: " + pe.Message}}
		}
		return nil, []Problem{{Pos{src.Name, 1, 1}, "TOML: " + err.Error()}}
	}
	kp := tomlpos.Scan(text, "questions")
	b := &bankChecker{file: src.Name, kp: kp}

	level := b.topString(raw, "level")
	if level != "" && !contains(Levels, level) {
		b.add(b.topPos("level"), "level %q is not one of %s", level, strings.Join(Levels, ", "))
		level = ""
	}
	for k := range raw {
		if k != "level" && k != "questions" {
			b.add(b.topPos(k), "unknown key %q%s (a bank has level and [[questions]])", k, didYouMean(k, []string{"level", "questions"}))
		}
	}
	var tables []map[string]any
	switch qs := raw["questions"].(type) {
	case nil:
		b.add(Pos{src.Name, 1, 1}, "no [[questions]] in this bank")
	case []map[string]any:
		tables = qs
	default:
		b.add(b.topPos("questions"), "questions must be written as [[questions]] tables")
	}
	var out []*Question
	for i, t := range tables {
		header, keys := Pos{src.Name, 1, 1}, map[string]Pos{}
		if i < len(kp.Headers) {
			h := kp.Headers[i]
			header = Pos{src.Name, h.Line, h.Col}
			for k, p := range kp.Keys[i] {
				keys[k] = Pos{src.Name, p.Line, p.Col}
			}
		}
		qc := &questionChecker{bankChecker: b, raw: t, header: header, keys: keys}
		if q := qc.check(); q != nil && level != "" {
			q.Level = level
			out = append(out, q)
		}
	}
	return out, b.problems
}

type bankChecker struct {
	file     string
	kp       *tomlpos.Positions
	problems []Problem
}

func (b *bankChecker) add(p Pos, format string, a ...any) {
	b.problems = append(b.problems, Problem{p, fmt.Sprintf(format, a...)})
}

func (b *bankChecker) topPos(key string) Pos {
	if p, ok := b.kp.Top[key]; ok {
		return Pos{b.file, p.Line, p.Col}
	}
	return Pos{b.file, 1, 1}
}

func (b *bankChecker) topString(raw map[string]any, key string) string {
	v, ok := raw[key]
	if !ok {
		b.add(Pos{b.file, 1, 1}, "missing required key %q (one of %s)", key, strings.Join(Levels, ", "))
		return ""
	}
	s, ok := v.(string)
	if !ok {
		b.add(b.topPos(key), "%q must be a string, not %s", key, typeName(v))
		return ""
	}
	return s
}

func didYouMean(name string, candidates []string) string {
	if s := suggest.Closest(name, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

// typeName names a decoded TOML value's type for messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "a list of tables"
	}
	return fmt.Sprintf("a %T", v)
}
