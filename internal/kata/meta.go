package kata

import (
	"errors"
	"fmt"
	"go/token"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/procdojo/procdojo/internal/suggest"
	"github.com/procdojo/procdojo/internal/tomlpos"
)

// MetaFile is the name of a kata's metadata file.
const MetaFile = "kata.toml"

// Limits on kata.toml values.
const (
	MinHints, MaxHints         = 2, 3
	MinScenarios, MaxScenarios = 1, 2
	MaxTimeLimit               = 10 * time.Minute
)

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// metaKeys are the required keys of kata.toml, in the order the format documents them;
// optionalKeys may be left out.
var (
	metaKeys = []string{
		"id", "title", "level", "topics", "scenarios", "package", "time_limit", "statement", "hints",
	}
	optionalKeys = []string{"lang", "skippable"}
)

// listKeys are the keys whose value is a list of strings; the others are strings.
var listKeys = []string{"topics", "scenarios", "hints"}

// meta is a decoded kata.toml.
type meta struct {
	ID, Title, Level, Lang, Package, Statement string
	Topics, Scenarios, Hints                   []string
	TimeLimit                                  time.Duration
	Skippable                                  map[string]string
}

// parseMeta decodes and validates kata.toml. file is its name in messages. Every problem
// found is returned, each at the line and column of the offending key.
func parseMeta(file string, data []byte) (meta, Problems) {
	var (
		m    meta
		ps   Problems
		raw  map[string]any
		text = string(data)
	)
	md, err := toml.Decode(text, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return m, Problems{{File: file, Line: pe.Position.Line, Col: pe.Position.Col, Msg: "bad TOML: " + pe.Message}}
		}
		return m, Problems{{File: file, Msg: "bad TOML: " + err.Error()}}
	}
	var pos *tomlpos.Positions // found on the first problem
	at := func(key, format string, a ...any) {
		if pos == nil {
			pos = tomlpos.Scan(text, "")
		}
		p := pos.Top[key]
		ps = append(ps, Problem{File: file, Line: p.Line, Col: p.Col, Msg: fmt.Sprintf(format, a...)})
	}

	// Unknown keys, reported once per top-level name (a table reports its header).
	allKeys := append(slices.Clone(metaKeys), optionalKeys...)
	seen := map[string]bool{}
	for _, k := range md.Keys() {
		top := k[0]
		if slices.Contains(allKeys, top) && len(k) == 1 || top == "skippable" || seen[top] {
			continue
		}
		seen[top] = true
		if slices.Contains(allKeys, top) {
			at(top, "%q must be a plain value, not a table", top)
			continue
		}
		msg := fmt.Sprintf("unknown key %q", top)
		if s := suggest.Closest(top, allKeys); s != "" {
			msg += fmt.Sprintf("; did you mean %q?", s)
		}
		at(top, "%s (kata.toml keys: %s)", msg, strings.Join(allKeys, ", "))
	}

	str := func(key string) string {
		v, ok := raw[key]
		if !ok {
			ps = append(ps, Problem{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("missing required key %q", key)})
			return ""
		}
		s, ok := v.(string)
		if !ok {
			at(key, "%q must be a string, not %s", key, tomlType(v))
			return ""
		}
		if strings.TrimSpace(s) == "" {
			at(key, "%q is empty", key)
		}
		return s
	}
	list := func(key string) []string {
		v, ok := raw[key]
		if !ok {
			ps = append(ps, Problem{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("missing required key %q", key)})
			return nil
		}
		items, ok := v.([]any)
		if !ok {
			at(key, "%q must be a list of strings, not %s", key, tomlType(v))
			return nil
		}
		out := make([]string, 0, len(items))
		for i, it := range items {
			s, ok := it.(string)
			if !ok {
				at(key, "%q entry %d must be a string, not %s", key, i+1, tomlType(it))
				continue
			}
			if strings.TrimSpace(s) == "" {
				at(key, "%q entry %d is empty", key, i+1)
				continue
			}
			if slices.Contains(out, s) {
				at(key, "%q lists %q twice", key, s)
				continue
			}
			out = append(out, s)
		}
		return out
	}

	m.ID = str("id")
	m.Title = str("title")
	m.Level = str("level")
	m.Topics = list("topics")
	m.Scenarios = list("scenarios")
	m.Package = str("package")
	limit := str("time_limit")
	m.Statement = str("statement")
	m.Hints = list("hints")
	m.Lang = LangGo
	if v, ok := raw["lang"]; ok {
		if s, ok := v.(string); !ok || !slices.Contains(Langs, s) {
			at("lang", "lang must be one of %s (default %s)", strings.Join(Langs, ", "), LangGo)
		} else {
			m.Lang = s
		}
	}
	if v, ok := raw["skippable"]; ok {
		t, ok := v.(map[string]any)
		if !ok {
			at("skippable", "skippable must be a table of test names and the reason each may skip, such as { TestNoNetwork = \"needs user namespaces\" }")
		}
		for name, r := range t {
			reason, ok := r.(string)
			if !ok || strings.TrimSpace(reason) == "" || !isTestName(strings.SplitN(name, "/", 2)[0], "Test") {
				at("skippable", "skippable.%s must name a test (Test...) and give the reason it may skip as a string", name)
				continue
			}
			if m.Skippable == nil {
				m.Skippable = map[string]string{}
			}
			m.Skippable[name] = reason
		}
	}

	if m.ID != "" && !idPattern.MatchString(m.ID) {
		at("id", "id %q must match [a-z0-9][a-z0-9-]*", m.ID)
	}
	if m.Level != "" && !slices.Contains(Levels, m.Level) {
		at("level", "level %q is not one of %s", m.Level, strings.Join(Levels, ", "))
	}
	if _, ok := raw["topics"]; ok && len(m.Topics) == 0 {
		at("topics", "topics is empty; list at least one of: %s", strings.Join(Topics, ", "))
	}
	for _, t := range m.Topics {
		if !slices.Contains(Topics, t) {
			msg := fmt.Sprintf("topic %q is not in the list", t)
			if s := suggest.Closest(t, Topics); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			at("topics", "%s (topics: %s)", msg, strings.Join(Topics, ", "))
		}
	}
	if _, ok := raw["scenarios"]; ok && (len(m.Scenarios) < MinScenarios || len(m.Scenarios) > MaxScenarios) {
		at("scenarios", "scenarios has %d entries; a kata teaches %d or %d scenarios", len(m.Scenarios), MinScenarios, MaxScenarios)
	}
	for _, s := range m.Scenarios {
		if _, ok := ScenarioByKey(s); !ok {
			msg := fmt.Sprintf("scenario %q is not a known scenario key", s)
			if c := suggest.Closest(s, scenarioKeys()); c != "" {
				msg += fmt.Sprintf("; did you mean %q?", c)
			}
			at("scenarios", "%s (the keys are listed in katas/README.md)", msg)
		}
	}
	if m.Package != "" && (!token.IsIdentifier(m.Package) || strings.ToLower(m.Package) != m.Package || strings.Contains(m.Package, "_")) {
		at("package", "package %q must be a lower-case Go identifier without underscores", m.Package)
	}
	if limit != "" {
		d, err := time.ParseDuration(limit)
		switch {
		case err != nil:
			at("time_limit", "time_limit %q is not a duration such as \"30s\"", limit)
		case d <= 0 || d > MaxTimeLimit:
			at("time_limit", "time_limit %s is out of range (0s, %s]", d, MaxTimeLimit)
		default:
			m.TimeLimit = d
		}
	}
	if _, ok := raw["hints"]; ok && (len(m.Hints) < MinHints || len(m.Hints) > MaxHints) {
		at("hints", "hints has %d entries; give %d to %d progressive hints", len(m.Hints), MinHints, MaxHints)
	}
	return m, ps
}

func scenarioKeys() []string {
	keys := make([]string, len(Scenarios))
	for i, s := range Scenarios {
		keys[i] = s.Key
	}
	return keys
}

// tomlType names the TOML type of a decoded value, for messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date or time"
	default:
		return fmt.Sprintf("%T", v)
	}
}
