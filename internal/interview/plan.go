package interview

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/procdojo/procdojo/quiz"
)

// Section names, in the order an interview asks them.
const (
	Screening = "screening" // single, multi and truefalse questions without code
	Code      = "code"      // code reading: questions with a code snippet
	Design    = "design"    // one open question, self-graded on its rubric
	Kata      = "kata"      // one kata, re-checked on every save
)

// Titles of the sections, for people.
var titles = map[string]string{Screening: "screening", Code: "code reading", Design: "design", Kata: "kata"}

// Title returns the section's name for people, such as "code reading".
func Title(section string) string { return titles[section] }

// Langs lists the values of Config.Lang besides "" (questions of every language).
var Langs = []string{"go", "node"}

// DefaultKataLang is the language of a kata that does not say.
const DefaultKataLang = "go"

// Shape is the default size of an interview at one level.
type Shape struct {
	Questions int           // questions before the kata
	Budget    time.Duration // the whole interview
}

// Shapes holds the default shape per level.
var Shapes = map[string]Shape{
	"junior": {Questions: 8, Budget: 30 * time.Minute},
	"mid":    {Questions: 10, Budget: 40 * time.Minute},
	"senior": {Questions: 12, Budget: 45 * time.Minute},
}

// KataTimeShare is the share of the budget the kata section gets when questions come first.
const KataTimeShare = 0.5

// timeWeight is the time one question of a section is given, relative to the others.
var timeWeight = map[string]float64{Screening: 1, Code: 2, Design: 4}

// KataInfo is what the interview needs to know of a kata. Callers build it from the kata
// catalogue and the progress log.
type KataInfo struct {
	ID        string   `json:"id"`
	Title     string   `json:"title"`
	Level     string   `json:"level"`
	Lang      string   `json:"lang"` // "go" or "node"; "" means DefaultKataLang
	Topics    []string `json:"topics"`
	Statement string   `json:"-"`
	Hints     int      `json:"-"` // how many hints it has
	Passed    bool     `json:"-"` // the user has passed it before
}

func (k KataInfo) lang() string {
	if k.Lang == "" {
		return DefaultKataLang
	}
	return k.Lang
}

// Config is what an interview is planned from.
type Config struct {
	Level string
	// Lang is "go" or "node": questions of that language and general ones, and a kata in
	// it. "" asks questions of every language and picks a kata of any.
	Lang string
	// Questions is how many questions come before the kata; negative means the level's
	// default (Shapes).
	Questions int
	// Budget is the whole interview's time; 0 means the level's default (Shapes).
	Budget time.Duration
	Seed   uint64
}

// Plan is an interview, ready to run: its sections in order, each with its questions or
// kata and its share of the time. The kata section is always last.
type Plan struct {
	Level    string
	Lang     string
	Seed     uint64
	Budget   time.Duration
	Sections []SectionPlan
}

// SectionPlan is one section of a plan.
type SectionPlan struct {
	Name   string
	Items  []quiz.Item // the questions; nil for the kata section
	Kata   *KataInfo   // the kata section's kata; nil for the others
	Budget time.Duration
}

// Errors of NewPlan; test with errors.Is.
var (
	// ErrNoKata: no kata of the level exists in the language asked for.
	ErrNoKata = errors.New("no kata")
	// ErrNoQuestions: questions were asked for and none matches the level and language.
	ErrNoQuestions = errors.New("no question")
)

// Split returns how many of n questions go to screening, code reading and design: one
// design question from 3 questions on; a third of the rest, rounded down, to code reading
// (at least one from 2 questions on); the rest to screening.
func Split(n int) (screening, code, design int) {
	if n <= 0 {
		return 0, 0, 0
	}
	if n >= 3 {
		design = 1
	}
	code = (n - design) / 3
	if n >= 2 && code == 0 {
		code = 1
	}
	return n - design - code, code, design
}

// NewPlan plans an interview from the questions and katas available. Questions are drawn
// from cfg.Seed, so the same seed, material and history give the same interview; the kata
// is drawn among the level's katas in the language that the user has not passed yet (among
// all of them when every one is passed). A section whose kind of question is missing gives
// its questions to screening, then to code reading.
func NewPlan(cfg Config, qs []*quiz.Question, ks []KataInfo) (*Plan, error) {
	shape, ok := Shapes[cfg.Level]
	if !ok {
		return nil, fmt.Errorf("interview: unknown level %q (use %s)", cfg.Level, strings.Join(quiz.Levels, ", "))
	}
	if cfg.Lang != "" && !slices.Contains(Langs, cfg.Lang) {
		return nil, fmt.Errorf("interview: unknown lang %q (use %s)", cfg.Lang, strings.Join(Langs, " or "))
	}
	n, budget := cfg.Questions, cfg.Budget
	if n < 0 {
		n = shape.Questions
	}
	if budget <= 0 {
		budget = shape.Budget
	}
	kata, err := pickKata(cfg, ks)
	if err != nil {
		return nil, err
	}

	pools := map[string][]*quiz.Question{}
	for _, q := range qs {
		if q.Level != cfg.Level || cfg.Lang != "" && q.Lang != cfg.Lang && q.Lang != "general" {
			continue
		}
		pools[sectionOf(q)] = append(pools[sectionOf(q)], q)
	}
	want := map[string]int{}
	want[Screening], want[Code], want[Design] = Split(n)
	short := 0
	for _, s := range []string{Design, Code, Screening} {
		if got := len(pools[s]); want[s] > got {
			short += want[s] - got
			want[s] = got
		}
	}
	for _, s := range []string{Screening, Code} {
		more := min(short, len(pools[s])-want[s])
		want[s] += more
		short -= more
	}
	if n > 0 && want[Screening]+want[Code]+want[Design] == 0 {
		return nil, fmt.Errorf("interview: %w of level %s%s to ask; try --questions 0 for the kata alone", ErrNoQuestions, cfg.Level, langPhrase(cfg.Lang))
	}

	p := &Plan{Level: cfg.Level, Lang: cfg.Lang, Seed: cfg.Seed, Budget: budget}
	var weights float64
	for i, s := range []string{Screening, Code, Design} {
		if want[s] == 0 {
			continue
		}
		items := quiz.Pick(pools[s], want[s], cfg.Seed+uint64(i), true)
		p.Sections = append(p.Sections, SectionPlan{Name: s, Items: items})
		weights += timeWeight[s] * float64(len(items))
	}
	left := budget
	if weights > 0 {
		forQuestions := time.Duration(float64(budget) * (1 - KataTimeShare))
		for i := range p.Sections {
			s := &p.Sections[i]
			s.Budget = (time.Duration(float64(forQuestions)*timeWeight[s.Name]*float64(len(s.Items))/weights) + time.Second/2).Truncate(time.Second)
			left -= s.Budget
		}
	}
	p.Sections = append(p.Sections, SectionPlan{Name: Kata, Kata: kata, Budget: left})
	return p, nil
}

// sectionOf returns the section a question belongs to.
func sectionOf(q *quiz.Question) string {
	switch {
	case q.Kind == quiz.KindOpen:
		return Design
	case q.Code != "":
		return Code
	}
	return Screening
}

// pickKata draws the kata of the interview.
func pickKata(cfg Config, ks []KataInfo) (*KataInfo, error) {
	var all, fresh []KataInfo
	langs := map[string]bool{}
	for _, k := range ks {
		if k.Level != cfg.Level {
			continue
		}
		langs[k.lang()] = true
		if cfg.Lang != "" && k.lang() != cfg.Lang {
			continue
		}
		all = append(all, k)
		if !k.Passed {
			fresh = append(fresh, k)
		}
	}
	if len(all) == 0 {
		have := "there is none at this level"
		if len(langs) > 0 {
			names := make([]string, 0, len(langs))
			for l := range langs {
				names = append(names, l)
			}
			slices.Sort(names)
			have = "this level has katas in " + strings.Join(names, " and ") + " only; use --lang " + names[0] + " or leave --lang out"
		}
		return nil, fmt.Errorf("interview: %w of level %s%s (%s)", ErrNoKata, cfg.Level, langPhrase(cfg.Lang), have)
	}
	if len(fresh) > 0 {
		all = fresh
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5851f42d4c957f2d))
	k := all[rng.IntN(len(all))]
	return &k, nil
}

func langPhrase(lang string) string {
	if lang == "" {
		return ""
	}
	return " in " + lang
}
