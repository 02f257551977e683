package quiz

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"

	"github.com/procdojo/procdojo/internal/suggest"
	"github.com/procdojo/procdojo/internal/termsafe"
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

// String returns the problem as "file:line:col: message", safe to print on a terminal: a
// control character in the file name or the message is escaped, and so is a newline, so one
// problem is always one line.
func (p Problem) String() string { return termsafe.Line(p.Pos.String() + ": " + p.Msg) }

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

// SourcesFromPaths is ReadSources without a context, dropping the warnings.
func SourcesFromPaths(paths []string) ([]Source, error) {
	return ReadSources(context.Background(), paths, nil)
}

// Load parses and checks every bank and returns their questions in bank order. When any
// bank has a problem it returns the questions that are sound and a Problems error listing
// every problem found in every bank, including ids used twice across banks.
func Load(srcs []Source) ([]*Question, error) {
	return LoadContext(context.Background(), srcs)
}

// LoadContext is Load that stops between banks once ctx is done, returning ctx's error.
func LoadContext(ctx context.Context, srcs []Source) ([]*Question, error) {
	var (
		all      []*Question
		problems Problems
		seen     = map[string]*Question{}
	)
	for _, src := range srcs {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("quiz: loading banks: %w", err)
		}
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
		sortProblems(problems)
		return all, problems
	}
	return all, nil
}

// sortProblems sorts by file, line and column, keeping the order of problems at one place.
func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].Pos, ps[j].Pos
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

var questionKeys = []string{
	"id", "kind", "topic", "lang", "prompt", "code", "run", "choices", "answer",
	"model_answer", "rubric", "explanation", "source", "tags",
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// maxFileProblems is how many problems are reported one by one in a file; the rest are
// counted in one more problem.
const maxFileProblems = 100

// parseBank parses one bank and returns its sound questions and its problems.
func parseBank(src Source) ([]*Question, []Problem) {
	qs, ps := checkBank(src)
	if len(ps) > maxFileProblems {
		sortProblems(ps)
		ps = append(ps[:maxFileProblems], Problem{ps[maxFileProblems].Pos,
			fmt.Sprintf("and %d more problems in this file", len(ps)-maxFileProblems)})
	}
	return qs, ps
}

// checkBank parses one bank and returns its sound questions and every problem in it.
func checkBank(src Source) ([]*Question, []Problem) {
	text := string(src.Data)
	pre, decodable := precheck(src.Name, text)
	if !decodable {
		return nil, pre
	}
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil {
		p := Problem{Pos{src.Name, 1, 1}, "TOML: " + err.Error()}
		var pe toml.ParseError
		if errors.As(err, &pe) {
			p = Problem{offsetPos(src.Name, text, pe.Position.Start), "TOML syntax: " + pe.Message}
		}
		for _, q := range pre {
			if q.Pos.Line == p.Pos.Line {
				return nil, pre // the decoder stopped on a character the pre-check reported
			}
		}
		return nil, append(pre, p)
	}
	kp := tomlpos.Scan(text, "questions")
	b := &bankChecker{file: src.Name, kp: kp, problems: pre, charsReported: len(pre) > 0}

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
	// charsReported is set when the pre-check reported forbidden characters, so the
	// checks of the decoded strings do not report them again.
	charsReported bool
}

// offsetPos returns the place of the decoder's error offset off in text. The decoder's own
// line and column are off for some errors (a column past the key, or the line after a
// newline); its offset is right, but for some errors it points at the blanks before the
// culprit, which are skipped.
func offsetPos(file, text string, off int) Pos {
	off = min(max(off, 0), len(text))
	for off < len(text) && (text[off] == ' ' || text[off] == '\t') {
		off++
	}
	return linePos(file, text, off)
}

// linePos returns the place of byte offset off (0 to len(text)) in text.
func linePos(file, text string, off int) Pos {
	lineStart := strings.LastIndexByte(text[:off], '\n') + 1
	return Pos{file, strings.Count(text[:off], "\n") + 1, utf8.RuneCountInString(text[lineStart:off]) + 1}
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
