package assess

import (
	"fmt"
	"time"
)

// Status is the one-screen summary of `procdojo next`: progress per level, the reviews due,
// the next kata and the command to run.
type Status struct {
	Now     time.Time     `json:"now"`
	Answers int           `json:"answers"` // every answer to a known question
	Checks  int           `json:"checks"`  // every check of a known kata
	Levels  []Level       `json:"levels"`
	Due     int           `json:"due"`               // questions due for review now
	NextDue time.Time     `json:"next_due,omitzero"` // when the next one falls due, when none is
	Unseen  int           `json:"unseen"`            // questions never answered
	Kata    *KataProgress `json:"kata"`              // the next kata; nil when all are passed
	Command string        `json:"command"`           // what to run next
	Why     string        `json:"why"`               // why that
}

// Next computes the status from the whole history (Since is ignored) and the review cards
// (Cards of the same records and questions).
//
// The command is the first that applies of: a first quiz when there is no history; review
// when questions are due; watching the next kata when it is attempted and not passed; for
// the first level that is not ready, a mock interview when it is "almost" and none was taken
// at it in the last InterviewGap, a quiz on it while less than AlmostBar.Seen of its
// questions are seen, else the next kata when it is of that level or easier, else a quiz on
// the level; the next kata when every level is ready; else review.
func Next(in Input, cards []Card) *Status {
	in.Since = time.Time{}
	rep := Score(in)
	now := rep.Now
	st := &Status{Now: now, Answers: rep.Answers, Checks: rep.Checks, Levels: rep.Levels}
	st.Due, st.NextDue = DueCount(cards, now)
	for _, c := range cards {
		if !c.Seen() {
			st.Unseen++
		}
	}
	kps := KataProgressOf(in.Katas, in.Records)
	if k, ok := NextKata(kps); ok {
		st.Kata = &k
	}
	h := digest(in.Records, time.Time{})
	st.Command, st.Why = nextCommand(st, len(in.Questions) > 0, func(level string) bool {
		last := h.lastInterview(level)
		return last.IsZero() || now.Sub(last) >= InterviewGap
	})
	return st
}

// interviewDue reports whether a mock interview at a level may be suggested: none was taken
// there in the last InterviewGap.
func nextCommand(st *Status, haveQuestions bool, interviewDue func(level string) bool) (cmd, why string) {
	k := st.Kata
	switch {
	case st.Answers == 0 && st.Checks == 0 && haveQuestions:
		return "procdojo quiz --level " + firstLevelWithQuestions(st.Levels), "start with a short quiz to see where you stand"
	case st.Due > 0:
		return "procdojo review", fmt.Sprintf("%d question(s) are due for review; reviews keep what you learnt", st.Due)
	case k != nil && k.Status == KataAttempted:
		return "procdojo kata watch " + k.ID, fmt.Sprintf("kata %s is not passing yet (best %d of %d tests); watch re-checks it on every save", k.ID, k.BestPassed, k.Total)
	}
	for _, l := range st.Levels {
		if l.Verdict == Ready || l.QuestionsTotal == 0 && l.KatasTotal == 0 {
			continue
		}
		if l.Verdict == Almost && interviewDue(l.Name) {
			return "procdojo interview --level " + l.Name, fmt.Sprintf("you are almost ready at %s; a mock interview shows what is left", l.Name)
		}
		quizCmd := "procdojo quiz --level " + l.Name
		if l.QuestionsTotal > 0 && float64(l.QuestionsSeen) < AlmostBar.Seen/100*float64(l.QuestionsTotal) {
			return quizCmd, fmt.Sprintf("you have seen %d of %d %s questions", l.QuestionsSeen, l.QuestionsTotal, l.Name)
		}
		if k != nil && levelRank(k.Level) <= levelRank(l.Name) {
			return KataCommand(*k), fmt.Sprintf("the next %s kata: %s", k.Level, k.Title)
		}
		if l.QuestionsTotal > 0 {
			return quizCmd, fmt.Sprintf("%s is %s: %s", l.Name, l.Verdict, firstOr(l.Missing, "keep practising"))
		}
	}
	if k != nil {
		return KataCommand(*k), fmt.Sprintf("the next %s kata: %s", k.Level, k.Title)
	}
	return "procdojo review", "every level is ready; reviews keep it that way"
}

func firstLevelWithQuestions(ls []Level) string {
	for _, l := range ls {
		if l.QuestionsTotal > 0 {
			return l.Name
		}
	}
	return "junior"
}

func firstOr(list []string, def string) string {
	if len(list) > 0 {
		return list[0]
	}
	return def
}
