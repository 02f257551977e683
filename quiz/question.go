package quiz

import (
	"fmt"
	"strings"
)

// Levels, in teaching order.
var Levels = []string{"junior", "mid", "senior"}

// Kinds of question.
const (
	KindSingle    = "single"    // one right choice
	KindMulti     = "multi"     // a set of right choices, scored only when exact
	KindTrueFalse = "truefalse" // shown as the choices True and False
	KindOpen      = "open"      // a free answer, self-assessed against a rubric
)

// Kinds lists every kind.
var Kinds = []string{KindSingle, KindMulti, KindTrueFalse, KindOpen}

// Langs lists the languages a question can be about.
var Langs = []string{"node", "go", "general"}

// Topics lists the topics a question or kata can have.
var Topics = []string{
	"spawn", "exec", "execfile", "fork", "ipc", "streams", "signals", "exit-codes",
	"timeouts", "security", "performance", "errors", "pools", "lifecycle", "environment",
	"process-groups", "fds", "resources", "shutdown", "observability",
}

// Runners lists the values of a code question's run key.
var Runners = []string{"go", "node"}

// Question is one question of a bank. Fields mirror the bank keys (questions/README.md).
type Question struct {
	ID          string   `json:"id"`
	Level       string   `json:"level"`
	Kind        string   `json:"kind"`
	Topic       string   `json:"topic"`
	Lang        string   `json:"lang"`
	Prompt      string   `json:"prompt"`
	Code        string   `json:"code,omitempty"`
	Run         string   `json:"run,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	Answer      any      `json:"answer,omitempty"` // int (single), []int (multi), bool (truefalse), nil (open)
	ModelAnswer string   `json:"model_answer,omitempty"`
	Rubric      []string `json:"rubric,omitempty"`
	Explanation string   `json:"explanation"`
	Source      string   `json:"source"`
	Tags        []string `json:"tags,omitempty"`

	// Pos is where the question's [[questions]] header is.
	Pos Pos `json:"-"`
}

// Pos is a place in a bank file.
type Pos struct {
	File      string
	Line, Col int
}

func (p Pos) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Options returns the choices as asked: the bank's choices, or True and False for a
// truefalse question, or nil for an open question.
func (q *Question) Options() []string {
	if q.Kind == KindTrueFalse {
		return []string{"True", "False"}
	}
	return q.Choices
}

// Correct returns the 1-based numbers of the right options (see Options), in order; nil for
// an open question.
func (q *Question) Correct() []int {
	switch a := q.Answer.(type) {
	case int:
		return []int{a}
	case []int:
		return a
	case bool:
		if a {
			return []int{1}
		}
		return []int{2}
	}
	return nil
}

// FirstLine returns the first line of the prompt.
func (q *Question) FirstLine() string {
	line, _, _ := strings.Cut(strings.TrimSpace(q.Prompt), "\n")
	return line
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
