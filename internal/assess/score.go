package assess

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/procdojo/procdojo/quiz"
)

// KataWeight is how many answered questions one attempted kata counts as in a topic's
// mastery: a kata exercises a topic far more than one question does.
const KataWeight = 3

// Bar is a set of minimums for a verdict.
type Bar struct {
	Accuracy float64 `json:"accuracy"` // weighted quiz accuracy, percent
	Seen     float64 `json:"seen"`     // questions seen, percent of the level's questions
	Katas    float64 `json:"katas"`    // katas passed, percent of the level's katas
}

// The verdict bars. A level reaches a verdict when it meets all three minimums of its bar.
var (
	ReadyBar  = Bar{Accuracy: 80, Seen: 80, Katas: 200.0 / 3}
	AlmostBar = Bar{Accuracy: 65, Seen: 50, Katas: 100.0 / 3}
)

// Verdict says how ready the user is for interviews at a level.
type Verdict string

// Verdicts, from best to worst.
const (
	Ready  Verdict = "ready"
	Almost Verdict = "almost"
	NotYet Verdict = "not yet"
)

// Report is the score report. Percentages are rounded to one decimal; a nil percentage means
// there was nothing to compute it from.
type Report struct {
	Now     time.Time  `json:"now"`
	Since   *time.Time `json:"since"`   // nil: the whole history
	Answers int        `json:"answers"` // answers counted
	Checks  int        `json:"checks"`  // kata checks counted
	Levels  []Level    `json:"levels"`
	Topics  []Topic    `json:"topics"`
	Weakest []Weak     `json:"weakest"`
	Trend   []Week     `json:"trend"`
	Bars    struct {
		Ready  Bar `json:"ready"`
		Almost Bar `json:"almost"`
	} `json:"bars"`

	// Interviews lists the mock interviews of the window and their trend; absent when
	// there were none.
	Interviews *Interviews `json:"interviews,omitempty"`
}

// Level is one level's standing.
type Level struct {
	Name           string   `json:"name"`
	Accuracy       *float64 `json:"accuracy"` // weighted, percent; nil when no question was answered
	QuestionsSeen  int      `json:"questions_seen"`
	QuestionsTotal int      `json:"questions_total"`
	KatasPassed    int      `json:"katas_passed"`
	KatasTotal     int      `json:"katas_total"`
	Verdict        Verdict  `json:"verdict"`
	// Missing says what the level lacks for the next verdict up; empty when ready.
	Missing []string `json:"missing"`
}

// Topic is one topic's standing across quiz and katas.
type Topic struct {
	Name           string   `json:"name"`
	Mastery        *float64 `json:"mastery"`  // percent; nil when nothing of the topic was tried
	Accuracy       *float64 `json:"accuracy"` // the quiz part alone, percent
	QuestionsSeen  int      `json:"questions_seen"`
	QuestionsTotal int      `json:"questions_total"`
	KatasPassed    int      `json:"katas_passed"`
	KatasTried     int      `json:"katas_tried"`
	KatasTotal     int      `json:"katas_total"`
}

// Weak is one of the weakest topics and what to do about it.
type Weak struct {
	Topic   string         `json:"topic"`
	Mastery float64        `json:"mastery"`
	Review  []QuestionRef  `json:"review"`  // answered questions of the topic, least mastered first
	Katas   []KataProgress `json:"katas"`   // katas of the topic not passed yet, in catalogue order
	Command string         `json:"command"` // a quiz on the topic, or its first kata when it has no questions
}

// QuestionRef names a question and the user's mastery of it.
type QuestionRef struct {
	ID      string  `json:"id"`
	Level   string  `json:"level"`
	Mastery float64 `json:"mastery"` // percent
	Prompt  string  `json:"prompt"`  // the first line
}

// Limits of the weakest-topics section.
const (
	WeakTopics     = 3
	ReviewPerTopic = 3
	KatasPerTopic  = 2
)

// Score computes the score report.
func Score(in Input) *Report {
	now := in.now()
	h := digest(in.Records, in.Since)
	rep := &Report{Now: now}
	if !in.Since.IsZero() {
		s := in.Since
		rep.Since = &s
	}
	rep.Bars.Ready, rep.Bars.Almost = ReadyBar, AlmostBar

	known := map[string]bool{}
	for _, q := range in.Questions {
		known[q.ID] = true
		rep.Answers += len(h.answers[q.ID])
	}
	for _, k := range in.Katas {
		rep.Checks += len(h.checks[k.ID])
	}
	kps := h.kataProgress(in.Katas)
	rep.Levels = levels(in.Questions, kps, h)
	rep.Topics = topics(in.Questions, kps, h)
	rep.Weakest = weakest(rep.Topics, in.Questions, kps, h)
	rep.Trend = trend(h, known, now, in.Since)
	rep.Interviews = interviewReport(h)
	return rep
}

// tally accumulates masteries of questions and scores of katas.
type tally struct {
	seen, total             int
	masterySum              float64
	katasPassed, katasTried int
	katasTotal              int
	kataScoreSum            float64
}

func (t *tally) addQuestion(h history, q *quiz.Question) {
	t.total++
	if a := h.answers[q.ID]; len(a) > 0 {
		t.seen++
		t.masterySum += Mastery(a)
	}
}

func (t *tally) addKata(kp KataProgress) {
	t.katasTotal++
	if kp.Status == KataPassed {
		t.katasPassed++
	}
	if kp.Status != KataNew {
		t.katasTried++
		t.kataScoreSum += kp.Score()
	}
}

func (t *tally) accuracy() *float64 {
	if t.seen == 0 {
		return nil
	}
	return pct(t.masterySum / float64(t.seen))
}

func (t *tally) mastery() *float64 {
	n := float64(t.seen + KataWeight*t.katasTried)
	if n == 0 {
		return nil
	}
	return pct((t.masterySum + KataWeight*t.kataScoreSum) / n)
}

// pct turns a fraction into a percentage rounded to one decimal.
func pct(f float64) *float64 {
	p := math.Round(f*1000) / 10
	return &p
}

func levels(qs []*quiz.Question, kps []KataProgress, h history) []Level {
	var out []Level
	for _, name := range quiz.Levels {
		var t tally
		for _, q := range qs {
			if q.Level == name {
				t.addQuestion(h, q)
			}
		}
		for _, kp := range kps {
			if kp.Level == name {
				t.addKata(kp)
			}
		}
		l := Level{
			Name: name, Accuracy: t.accuracy(),
			QuestionsSeen: t.seen, QuestionsTotal: t.total,
			KatasPassed: t.katasPassed, KatasTotal: t.katasTotal,
		}
		l.Verdict, l.Missing = verdict(l)
		out = append(out, l)
	}
	return out
}

// verdict judges a level against the bars and says what it lacks for the next one up.
func verdict(l Level) (Verdict, []string) {
	if l.QuestionsTotal == 0 && l.KatasTotal == 0 {
		return NotYet, []string{"procdojo has no questions or katas at this level yet"}
	}
	if miss := lacks(l, ReadyBar); len(miss) == 0 {
		return Ready, []string{}
	} else if lacks(l, AlmostBar) == nil {
		return Almost, miss
	}
	return NotYet, lacks(l, AlmostBar)
}

// lacks lists what l misses to meet bar, or nil when it meets it.
func lacks(l Level, bar Bar) []string {
	var miss []string
	if l.QuestionsTotal > 0 {
		need := int(math.Ceil(bar.Seen / 100 * float64(l.QuestionsTotal)))
		if l.QuestionsSeen < need {
			miss = append(miss, fmt.Sprintf("answer %d more %s question(s) (%d of %d seen; %.0f%% needed)",
				need-l.QuestionsSeen, l.Name, l.QuestionsSeen, l.QuestionsTotal, bar.Seen))
		}
		switch {
		case l.Accuracy == nil:
			miss = append(miss, fmt.Sprintf("reach %.0f%% accuracy", bar.Accuracy))
		case *l.Accuracy < bar.Accuracy:
			miss = append(miss, fmt.Sprintf("raise accuracy from %.1f%% to %.0f%%", *l.Accuracy, bar.Accuracy))
		}
	}
	if l.KatasTotal > 0 {
		need := int(math.Ceil(bar.Katas/100*float64(l.KatasTotal) - 1e-9))
		if l.KatasPassed < need {
			miss = append(miss, fmt.Sprintf("pass %d more %s kata(s) (%d of %d passed)", need-l.KatasPassed, l.Name, l.KatasPassed, l.KatasTotal))
		}
	}
	return miss
}

// topics returns every topic that has questions or katas, in quiz.Topics order.
func topics(qs []*quiz.Question, kps []KataProgress, h history) []Topic {
	var out []Topic
	for _, name := range quiz.Topics {
		var t tally
		for _, q := range qs {
			if q.Topic == name {
				t.addQuestion(h, q)
			}
		}
		for _, kp := range kps {
			if slices.Contains(kp.Topics, name) {
				t.addKata(kp)
			}
		}
		if t.total == 0 && t.katasTotal == 0 {
			continue
		}
		out = append(out, Topic{
			Name: name, Mastery: t.mastery(), Accuracy: t.accuracy(),
			QuestionsSeen: t.seen, QuestionsTotal: t.total,
			KatasPassed: t.katasPassed, KatasTried: t.katasTried, KatasTotal: t.katasTotal,
		})
	}
	return out
}

// weakest returns the WeakTopics tried topics of lowest mastery (ties: fewer tries first,
// then by name) that are not fully mastered, with what to review and which katas to do.
func weakest(ts []Topic, qs []*quiz.Question, kps []KataProgress, h history) []Weak {
	var cand []Topic
	for _, t := range ts {
		if t.Mastery != nil && *t.Mastery < 100 {
			cand = append(cand, t)
		}
	}
	sort.SliceStable(cand, func(i, j int) bool {
		a, b := cand[i], cand[j]
		if *a.Mastery != *b.Mastery {
			return *a.Mastery < *b.Mastery
		}
		if ta, tb := a.QuestionsSeen+a.KatasTried, b.QuestionsSeen+b.KatasTried; ta != tb {
			return ta < tb
		}
		return a.Name < b.Name
	})
	out := []Weak{}
	for _, t := range cand[:min(len(cand), WeakTopics)] {
		w := Weak{Topic: t.Name, Mastery: *t.Mastery, Review: []QuestionRef{}, Katas: []KataProgress{}}
		for _, q := range qs {
			if a := h.answers[q.ID]; q.Topic == t.Name && len(a) > 0 && Mastery(a) < 1 {
				w.Review = append(w.Review, QuestionRef{ID: q.ID, Level: q.Level, Mastery: *pct(Mastery(a)), Prompt: q.FirstLine()})
			}
		}
		sort.SliceStable(w.Review, func(i, j int) bool { return w.Review[i].Mastery < w.Review[j].Mastery })
		w.Review = w.Review[:min(len(w.Review), ReviewPerTopic)]
		for _, kp := range kps {
			if slices.Contains(kp.Topics, t.Name) && kp.Status != KataPassed && len(w.Katas) < KatasPerTopic {
				w.Katas = append(w.Katas, kp)
			}
		}
		switch {
		case t.QuestionsTotal > 0:
			w.Command = "procdojo quiz --topic " + t.Name
		case len(w.Katas) > 0:
			w.Command = KataCommand(w.Katas[0])
		}
		out = append(out, w)
	}
	return out
}
