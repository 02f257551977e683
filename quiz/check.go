package quiz

import (
	"fmt"
	"slices"
	"strings"

	"github.com/procdojo/procdojo/internal/termsafe"
)

// questionChecker checks one [[questions]] table and builds its Question.
type questionChecker struct {
	*bankChecker
	raw    map[string]any
	header Pos
	keys   map[string]Pos
	bad    bool // a problem was found in this question
}

func (c *questionChecker) pos(key string) Pos {
	if p, ok := c.keys[key]; ok {
		return p
	}
	return c.header
}

func (c *questionChecker) fail(key, format string, a ...any) {
	c.bad = true
	c.add(c.pos(key), format, a...)
}

// str returns a string key; required keys that are missing are reported at the header.
func (c *questionChecker) str(key string, required bool) string {
	v, ok := c.raw[key]
	if !ok {
		if required {
			c.fail(key, "missing required key %q", key)
		}
		return ""
	}
	s, ok := v.(string)
	if !ok {
		c.fail(key, "%q must be a string, not %s", key, typeName(v))
		return ""
	}
	if strings.TrimSpace(s) == "" {
		c.fail(key, "%q is empty", key)
		return ""
	}
	if c.unsafeText(key, key, s) {
		return ""
	}
	return s
}

// unsafeText reports a string (what names it in the message) that holds a character that
// would act on a terminal. The pre-check reports such characters where they are written;
// this catches any it missed, at the key.
func (c *questionChecker) unsafeText(key, what, s string) bool {
	at, r := termsafe.Find(s)
	if at < 0 {
		return false
	}
	c.bad = true
	if !c.charsReported {
		c.add(c.pos(key), "%s holds the character %s, which a bank may not hold; remove it", what, termsafe.Name(r))
	}
	return true
}

// strList returns a list-of-strings key, or nil when it is missing or bad.
func (c *questionChecker) strList(key string) []string {
	v, ok := c.raw[key]
	if !ok {
		return nil
	}
	items, ok := v.([]any)
	if !ok {
		c.fail(key, "%q must be a list of strings, not %s", key, typeName(v))
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, ok := it.(string)
		if !ok {
			c.fail(key, "%s entry %d must be a string, not %s", key, i+1, typeName(it))
			return nil
		}
		if strings.TrimSpace(s) == "" {
			c.fail(key, "%s entry %d is empty", key, i+1)
			return nil
		}
		if c.unsafeText(key, fmt.Sprintf("%s entry %d", key, i+1), s) {
			return nil
		}
		out = append(out, s)
	}
	return out
}

// oneOf reports a value outside allowed, suggesting the closest.
func (c *questionChecker) oneOf(key, val string, allowed []string) string {
	if val == "" || contains(allowed, val) {
		return val
	}
	c.fail(key, "%s %q is not one of %s%s", key, val, strings.Join(allowed, ", "), didYouMean(val, allowed))
	return ""
}

func (c *questionChecker) check() *Question {
	for k := range c.raw {
		if !contains(questionKeys, k) {
			c.fail(k, "unknown key %q%s", k, didYouMean(k, questionKeys))
		}
	}
	q := &Question{Pos: c.header}
	q.ID = c.str("id", true)
	if q.ID != "" && !idPattern.MatchString(q.ID) {
		c.fail("id", "id %q must match [a-z0-9][a-z0-9-]* (lower case letters, digits and dashes)", q.ID)
	}
	q.Kind = c.oneOf("kind", c.str("kind", true), Kinds)
	q.Topic = c.oneOf("topic", c.str("topic", true), Topics)
	q.Lang = c.oneOf("lang", c.str("lang", true), Langs)
	q.Prompt = c.str("prompt", true)
	q.Code = c.str("code", false)
	q.Run = c.oneOf("run", c.str("run", false), Runners)
	q.Explanation = c.str("explanation", true)
	q.Source = c.str("source", true)
	if q.Source != "" && !strings.HasPrefix(q.Source, "https://") && !strings.HasPrefix(q.Source, "http://") {
		c.fail("source", "source %q must be an http:// or https:// URL", q.Source)
	}
	q.Tags = c.strList("tags")

	c.checkKindKeys(q)
	if c.bad || q.Kind == "" {
		return nil
	}
	return q
}

// checkKindKeys checks the keys whose presence and shape depend on the kind.
func (c *questionChecker) checkKindKeys(q *Question) {
	_, hasChoices := c.raw["choices"]
	_, hasAnswer := c.raw["answer"]
	choiceKind := q.Kind == KindSingle || q.Kind == KindMulti
	if q.Kind == "" {
		return
	}
	// Keys that do not fit the kind.
	if hasChoices && !choiceKind {
		c.fail("choices", "choices does not fit a %s question (only single and multi have choices)", q.Kind)
	}
	if hasAnswer && q.Kind == KindOpen {
		c.fail("answer", "answer does not fit an open question (open questions have model_answer and rubric)")
	}
	for _, k := range []string{"model_answer", "rubric"} {
		if _, ok := c.raw[k]; ok && q.Kind != KindOpen {
			c.fail(k, "%s does not fit a %s question (only open questions have it)", k, q.Kind)
		}
	}
	if _, ok := c.raw["run"]; ok && (q.Kind != KindSingle || q.Code == "") {
		c.fail("run", "run fits only a single question with code (its output must equal the right choice)")
	}
	if !hasAnswer && q.Kind != KindOpen {
		c.fail("answer", "missing required key %q", "answer")
	}

	switch q.Kind {
	case KindSingle, KindMulti:
		if !hasChoices {
			c.fail("choices", "missing required key %q", "choices")
			return
		}
		q.Choices = c.strList("choices")
		if q.Choices == nil {
			return
		}
		if n := len(q.Choices); n < 2 || n > 8 {
			c.fail("choices", "choices has %d entries; a question needs 2 to 8", n)
			return
		}
		first := map[string]int{}
		for i, ch := range q.Choices {
			if j, dup := first[ch]; dup {
				c.fail("choices", "choices %d and %d are the same text %q", j+1, i+1, ch)
			} else {
				first[ch] = i
			}
		}
		if hasAnswer {
			q.Answer = c.choiceAnswer(q)
		}
	case KindTrueFalse:
		if v, ok := c.raw["answer"]; ok {
			b, isBool := v.(bool)
			if !isBool {
				c.fail("answer", "a truefalse question's answer must be true or false, not %s", typeName(v))
			}
			q.Answer = b
		}
	case KindOpen:
		q.ModelAnswer = c.str("model_answer", true)
		if _, ok := c.raw["rubric"]; !ok {
			c.fail("rubric", "missing required key %q", "rubric")
			return
		}
		q.Rubric = c.strList("rubric")
		if q.Rubric != nil && (len(q.Rubric) < 2 || len(q.Rubric) > 8) {
			c.fail("rubric", "rubric has %d points; an open question needs 2 to 8", len(q.Rubric))
		}
	}
}

// choiceAnswer checks a single or multi answer against the choices.
func (c *questionChecker) choiceAnswer(q *Question) any {
	n := len(q.Choices)
	inRange := func(i int64) bool {
		if i < 1 || i > int64(n) {
			c.fail("answer", "answer %d is out of range (%d choices)", i, n)
			return false
		}
		return true
	}
	v := c.raw["answer"]
	switch q.Kind {
	case KindSingle:
		i, ok := v.(int64)
		if !ok {
			c.fail("answer", "a single question's answer must be one choice number such as 2, not %s", typeName(v))
			return nil
		}
		if !inRange(i) {
			return nil
		}
		return int(i)
	default: // multi
		items, ok := v.([]any)
		if !ok {
			c.fail("answer", "a multi question's answer must be a list of choice numbers such as [1, 3], not %s", typeName(v))
			return nil
		}
		if len(items) == 0 {
			c.fail("answer", "a multi question's answer must name at least one choice")
			return nil
		}
		var out []int
		seen := map[int64]bool{}
		for _, it := range items {
			i, ok := it.(int64)
			if !ok {
				c.fail("answer", "answer entries must be choice numbers, not %s", typeName(it))
				return nil
			}
			if !inRange(i) {
				return nil
			}
			if seen[i] {
				c.fail("answer", "answer names choice %d twice", i)
				return nil
			}
			seen[i] = true
			out = append(out, int(i))
		}
		slices.Sort(out)
		return out
	}
}

// Summary counts questions per level, kind and lang, for lint's closing line.
func Summary(qs []*Question) string {
	count := func(key func(*Question) string, order []string) string {
		m := map[string]int{}
		for _, q := range qs {
			m[key(q)]++
		}
		var parts []string
		for _, k := range order {
			if m[k] > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
			}
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%d questions: %s; %s; %s", len(qs),
		count(func(q *Question) string { return q.Level }, Levels),
		count(func(q *Question) string { return q.Kind }, Kinds),
		count(func(q *Question) string { return q.Lang }, Langs))
}
