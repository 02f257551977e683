package interview

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/quiz"
)

// The verdict thresholds (see the package doc).
const (
	// ReadyPercent is the overall score from which an interview is "ready", if its kata
	// passed.
	ReadyPercent = 75.0
	// AlmostPercent is the overall score from which an interview is "almost".
	AlmostPercent = 55.0
	// HintCost is what each hint taken in the kata section costs, as a share of the
	// section's score.
	HintCost = 0.1
)

// Weights are the sections' shares of the overall score, in percent. A section that an
// interview does not have (too few questions) leaves its share to the others in proportion.
var Weights = map[string]float64{Screening: 25, Code: 25, Design: 15, Kata: 35}

// How an interview or its kata section ended.
const (
	Finished    = "finished"    // every section was done
	Stopped     = "stopped"     // the user ended it early (q), or the input ended
	Interrupted = "interrupted" // Ctrl-C

	KataPassed     = "passed"
	KataGaveUp     = "gave up"
	KataTimeUp     = "time up"
	KataNotReached = "not reached"
)

// Scorecard is the outcome of an interview. Its JSON form is what `procdojo interview
// --json` prints.
type Scorecard struct {
	Level      string         `json:"level"`
	Lang       string         `json:"lang"` // "" when questions of every language were asked
	Seed       uint64         `json:"seed"`
	Started    time.Time      `json:"started"`
	Ended      time.Time      `json:"ended"`
	ElapsedMS  int64          `json:"elapsed_ms"`
	BudgetMS   int64          `json:"budget_ms"`
	Outcome    string         `json:"outcome"` // finished, stopped or interrupted
	Percent    float64        `json:"percent"` // the overall score, 0 to 100
	Verdict    assess.Verdict `json:"verdict"`
	Thresholds Thresholds     `json:"thresholds"`
	Sections   []*Section     `json:"sections"`
	Weakest    []WeakTopic    `json:"weakest"`
	Next       []string       `json:"next"`   // commands to run next
	Replay     string         `json:"replay"` // the command that asks the same questions again
}

// Thresholds are the verdict thresholds, as the scorecard shows them.
type Thresholds struct {
	Ready    float64 `json:"ready"`  // percent, with the kata passed
	Almost   float64 `json:"almost"` // percent
	HintCost float64 `json:"hint_cost"`
}

// Section is one section's result.
type Section struct {
	Name      string       `json:"name"`
	Weight    float64      `json:"weight"`    // its share of the overall score, percent
	Questions int          `json:"questions"` // questions planned (the kata section: 0)
	Answered  int          `json:"answered"`
	Score     float64      `json:"score"`
	Max       float64      `json:"max"`
	Percent   float64      `json:"percent"`
	BudgetMS  int64        `json:"budget_ms"`
	ElapsedMS int64        `json:"elapsed_ms"`
	Reached   bool         `json:"reached"` // the section was started
	TimeUp    bool         `json:"time_up"` // its time ran out before it was done
	Missed    []Miss       `json:"missed"`
	Kata      *KataOutcome `json:"kata,omitempty"`

	items   []quiz.Item
	results []quiz.Result
}

// Miss is a question answered wrong, partly or not at all.
type Miss struct {
	ID     string `json:"id"`
	Topic  string `json:"topic"`
	Prompt string `json:"prompt"`           // its first line
	Given  string `json:"given"`            // what was answered
	Answer string `json:"answer,omitempty"` // the right answer (not for a design question)
	// Left lists the key points a design answer left out.
	Left   []string `json:"left_out,omitempty"`
	Source string   `json:"source"`
}

// KataOutcome is how the kata section went.
type KataOutcome struct {
	KataInfo
	File       string `json:"file"`
	Outcome    string `json:"outcome"` // passed, gave up, time up, stopped, interrupted, not reached
	Checks     int    `json:"checks"`
	HintsTaken int    `json:"hints_taken"`
	BestPassed int    `json:"best_passed"` // the most reference tests passed in one check
	Total      int    `json:"total"`
	LastReason string `json:"last_reason,omitempty"` // why the last check failed
}

// WeakTopic is a topic of the interview, with its score in it.
type WeakTopic struct {
	Topic   string  `json:"topic"`
	Percent float64 `json:"percent"`
	// Questions reports that questions of the topic were asked (so a quiz on it at the
	// level has questions); false for a topic of the kata alone.
	Questions bool `json:"questions"`
}

// WeakTopics is how many topics the scorecard names as the weakest, at most.
const WeakTopics = 3

// newScorecard returns the scorecard of plan before anything is done: every section not
// reached.
func newScorecard(p *Plan, started time.Time) *Scorecard {
	c := &Scorecard{Level: p.Level, Lang: p.Lang, Seed: p.Seed, Started: started, BudgetMS: p.Budget.Milliseconds(),
		Thresholds: Thresholds{Ready: ReadyPercent, Almost: AlmostPercent, HintCost: HintCost}}
	var total float64
	for _, sp := range p.Sections {
		total += Weights[sp.Name]
	}
	for _, sp := range p.Sections {
		s := &Section{Name: sp.Name, Weight: round1(100 * Weights[sp.Name] / total), Questions: len(sp.Items),
			Max: float64(len(sp.Items)), BudgetMS: sp.Budget.Milliseconds(), items: sp.Items, Missed: []Miss{}}
		if sp.Kata != nil {
			s.Max = 1
			s.Kata = &KataOutcome{KataInfo: *sp.Kata, Outcome: KataNotReached}
			s.Kata.Lang = sp.Kata.lang()
		}
		c.Sections = append(c.Sections, s)
	}
	return c
}

// scoreQuestions fills a question section from the answers given. Questions not answered
// (time up, stopped) score 0 and are not listed as missed.
func (s *Section) scoreQuestions(results []quiz.Result) {
	s.results = results
	s.Answered = len(results)
	s.Score, s.Missed = 0, []Miss{}
	for i, it := range s.items {
		if i >= len(results) {
			break
		}
		q, r := it.Q, results[i]
		m := Miss{ID: q.ID, Topic: q.Topic, Prompt: q.FirstLine(), Source: q.Source}
		s.Score += r.Score
		if r.Correct {
			continue
		}
		if q.Kind == quiz.KindOpen {
			m.Given = fmt.Sprintf("covered %d of %d key points", len(r.Given), len(q.Rubric))
		} else {
			m.Given = optionTexts(q, r.Given)
		}
		if q.Kind == quiz.KindOpen {
			m.Left = leftOut(q, r.Given)
		} else {
			m.Answer = optionTexts(q, q.Correct())
		}
		s.Missed = append(s.Missed, m)
	}
	s.Percent = percent(s.Score, s.Max)
}

// leftOut returns the rubric points of q not in given (1-based).
func leftOut(q *quiz.Question, given []int) []string {
	var left []string
	for i, p := range q.Rubric {
		if !slices.Contains(given, i+1) {
			left = append(left, strings.TrimSpace(p))
		}
	}
	return left
}

// optionTexts names bank options (1-based) by their text.
func optionTexts(q *quiz.Question, nums []int) string {
	if len(nums) == 0 {
		return "nothing"
	}
	opts := q.Options()
	var out []string
	for _, n := range nums {
		if n >= 1 && n <= len(opts) {
			out = append(out, oneLine(opts[n-1]))
		}
	}
	return strings.Join(out, "; ")
}

func oneLine(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", " ⏎ ") }

// scoreKata sets the kata section's score: 1 when passed, else half the best share of
// reference tests passed; less HintCost per hint taken; never below 0.
func (s *Section) scoreKata() {
	k := s.Kata
	score := 0.0
	switch {
	case k.Outcome == KataPassed:
		score = 1
	case k.Total > 0:
		score = 0.5 * float64(k.BestPassed) / float64(k.Total)
	}
	s.Score = max(0, score-HintCost*float64(k.HintsTaken))
	s.Score = math.Round(s.Score*1000) / 1000
	s.Percent = percent(s.Score, s.Max)
	s.Missed = []Miss{}
}

// finish computes the overall score, the verdict, the weakest topics and the next steps.
func (c *Scorecard) finish(ended time.Time, outcome string) {
	c.Ended, c.Outcome = ended, outcome
	c.ElapsedMS = ended.Sub(c.Started).Milliseconds()
	var sum float64
	kataPassed := false
	for _, s := range c.Sections {
		if s.Kata != nil {
			s.scoreKata()
			kataPassed = s.Kata.Outcome == KataPassed
		} else if !s.Reached {
			s.scoreQuestions(nil)
		}
		sum += s.Weight * s.Percent / 100
	}
	c.Percent = round1(sum)
	switch {
	case c.Percent >= ReadyPercent && kataPassed:
		c.Verdict = assess.Ready
	case c.Percent >= AlmostPercent:
		c.Verdict = assess.Almost
	default:
		c.Verdict = assess.NotYet
	}
	weak := c.weakest()
	c.Weakest = weak[:min(len(weak), WeakTopics)]
	c.Next = c.nextSteps(weak)
	c.Replay = c.replay()
}

// replay returns the command that plans the same questions: the same level, lang, number
// of questions, budget and seed (the kata is drawn again among those not passed).
func (c *Scorecard) replay() string {
	cmd := "procdojo interview --level " + c.Level
	if c.Lang != "" {
		cmd += " --lang " + c.Lang
	}
	n := 0
	for _, s := range c.Sections {
		n += s.Questions
	}
	shape := Shapes[c.Level]
	if n != shape.Questions {
		cmd += fmt.Sprintf(" --questions %d", n)
	}
	if b := time.Duration(c.BudgetMS) * time.Millisecond; b != shape.Budget {
		cmd += fmt.Sprintf(" --minutes %d", int(math.Ceil(b.Minutes())))
	}
	return cmd + fmt.Sprintf(" --seed %d", c.Seed)
}

// weakest returns every topic of the interview below 100%, lowest first (ties: more
// material first, then by name). Each question answered counts once; the kata, once
// reached, counts assess.KataWeight times for each of its topics. What was not reached does
// not count.
func (c *Scorecard) weakest() []WeakTopic {
	type acc struct {
		score, max float64
		questions  bool
	}
	by := map[string]*acc{}
	add := func(topic string, score, max float64, question bool) {
		if by[topic] == nil {
			by[topic] = &acc{}
		}
		by[topic].score += score
		by[topic].max += max
		by[topic].questions = by[topic].questions || question
	}
	for _, s := range c.Sections {
		if s.Kata != nil {
			if s.Kata.Outcome != KataNotReached {
				for _, t := range s.Kata.Topics {
					add(t, assess.KataWeight*s.Score, assess.KataWeight, false)
				}
			}
			continue
		}
		for i, r := range s.results {
			add(s.items[i].Q.Topic, r.Score, 1, true)
		}
	}
	out := []WeakTopic{}
	maxOf := map[string]float64{}
	for t, a := range by {
		if p := percent(a.score, a.max); p < 100 {
			out = append(out, WeakTopic{Topic: t, Percent: p, Questions: a.questions})
			maxOf[t] = a.max
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Percent != b.Percent {
			return a.Percent < b.Percent
		}
		if maxOf[a.Topic] != maxOf[b.Topic] {
			return maxOf[a.Topic] > maxOf[b.Topic]
		}
		return a.Topic < b.Topic
	})
	return out
}

// QuizSteps is how many quizzes on weak topics the next steps suggest at most.
const QuizSteps = 2

// nextSteps returns the commands to run next: a quiz on each of the QuizSteps weakest
// topics that had questions, the kata (watch it when not passed, read the reference when
// passed), then the next interview when ready (or reviews at the top level), else procdojo
// next. weak is every weak topic, weakest first.
func (c *Scorecard) nextSteps(weak []WeakTopic) []string {
	var out []string
	for _, w := range weak {
		if w.Questions && len(out) < QuizSteps {
			out = append(out, fmt.Sprintf("procdojo quiz --level %s --topic %s", c.Level, w.Topic))
		}
	}
	for _, s := range c.Sections {
		if k := s.Kata; k != nil && k.Outcome != KataNotReached {
			if k.Outcome == KataPassed {
				out = append(out, "procdojo kata solution "+k.ID)
			} else {
				out = append(out, "procdojo kata watch "+k.ID)
			}
		}
	}
	if c.Verdict == assess.Ready {
		if i := slices.Index(quiz.Levels, c.Level); i >= 0 && i+1 < len(quiz.Levels) {
			out = append(out, "procdojo interview --level "+quiz.Levels[i+1])
		} else {
			out = append(out, "procdojo review")
		}
	} else {
		out = append(out, "procdojo next")
	}
	return out
}

// Record returns the interview record for the progress log; session ties it to the
// interview's answers.
func (c *Scorecard) Record(session string) progress.Record {
	iv := &progress.Interview{Lang: c.Lang, Seed: c.Seed, BudgetMS: c.BudgetMS, Percent: c.Percent,
		Verdict: string(c.Verdict), Ended: c.Outcome}
	for _, s := range c.Sections {
		rs := progress.InterviewSection{Name: s.Name, Score: s.Score, Max: s.Max, Percent: s.Percent, ElapsedMS: s.ElapsedMS}
		if s.Kata != nil {
			rs.Kata, rs.Outcome = s.Kata.ID, s.Kata.Outcome
		}
		iv.Sections = append(iv.Sections, rs)
	}
	return progress.Record{Time: c.Ended, Type: progress.TypeInterview, Session: session, Level: c.Level,
		ElapsedMS: c.ElapsedMS, Interview: iv}
}

func percent(score, max float64) float64 {
	if max <= 0 {
		return 0
	}
	return round1(100 * score / max)
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }
