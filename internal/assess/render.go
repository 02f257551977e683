package assess

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/procdojo/procdojo/internal/termsafe"
)

// BarWidth is the width of a chart bar, in cells.
const BarWidth = 20

// ANSI colours of the chart; used only when the caller asks for colour.
const (
	green  = "\x1b[32m"
	yellow = "\x1b[33m"
	red    = "\x1b[31m"
	dim    = "\x1b[2m"
	reset  = "\x1b[0m"
)

// painter colours text when on is set.
type painter struct{ on bool }

func (p painter) paint(code, s string) string {
	if !p.on || s == "" {
		return s
	}
	return code + s + reset
}

// forPercent colours by the verdict bars' accuracy: green from ReadyBar, yellow from
// AlmostBar, red below.
func (p painter) forPercent(v float64, s string) string {
	switch {
	case v >= ReadyBar.Accuracy:
		return p.paint(green, s)
	case v >= AlmostBar.Accuracy:
		return p.paint(yellow, s)
	}
	return p.paint(red, s)
}

func (p painter) verdict(v Verdict) string {
	switch v {
	case Ready:
		return p.paint(green, string(v))
	case Almost:
		return p.paint(yellow, string(v))
	}
	return p.paint(red, string(v))
}

// bar draws a percentage as width cells: █ for the filled part, ░ for the rest; blank for
// nil.
func (p painter) bar(v *float64, width int) string {
	if v == nil {
		return strings.Repeat(" ", width)
	}
	full := int(*v/100*float64(width) + 0.5)
	full = min(max(full, 0), width)
	return p.forPercent(*v, strings.Repeat("█", full)) + p.paint(dim, strings.Repeat("░", width-full))
}

// percent formats a percentage right-aligned in 6 cells, "—" for nil.
func (p painter) percent(v *float64) string {
	if v == nil {
		return "     —"
	}
	return p.forPercent(*v, fmt.Sprintf("%5.1f%%", *v))
}

// WriteJSON writes v (a Report or a Status) as one indented JSON document.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// WriteText writes the report for people. color adds ANSI colours to the chart: pass it
// only when the output is a terminal and NO_COLOR is unset.
func (r *Report) WriteText(w io.Writer, color bool) {
	p := painter{color}
	span := "all history"
	if r.Since != nil {
		span = "since " + r.Since.Format("2006-01-02 15:04")
	}
	fmt.Fprintf(w, "Score, %s: %d answer(s), %d kata check(s)\n", span, r.Answers, r.Checks)

	fmt.Fprintf(w, "\n  %-7s  %6s  %7s  %5s  %s\n", "Level", "Quiz", "Seen", "Katas", "Verdict")
	for _, l := range r.Levels {
		fmt.Fprintf(w, "  %-7s  %s  %7s  %5s  %s\n", l.Name, p.percent(l.Accuracy),
			fmt.Sprintf("%d/%d", l.QuestionsSeen, l.QuestionsTotal),
			fmt.Sprintf("%d/%d", l.KatasPassed, l.KatasTotal), p.verdict(l.Verdict))
		for _, m := range l.Missing {
			fmt.Fprintf(w, "  %-7s  · %s\n", "", m)
		}
	}

	width := len("Topic")
	for _, t := range r.Topics {
		width = max(width, len(t.Name))
	}
	fmt.Fprintf(w, "\nTopics: mastery across quiz and katas\n")
	for _, t := range r.Topics {
		line := fmt.Sprintf("  %-*s  %s  %s  %7s questions", width, t.Name, p.bar(t.Mastery, BarWidth/2), p.percent(t.Mastery),
			fmt.Sprintf("%d/%d", t.QuestionsSeen, t.QuestionsTotal))
		if t.KatasTotal > 0 {
			line += fmt.Sprintf("  %d/%d katas passed", t.KatasPassed, t.KatasTotal)
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}

	fmt.Fprintf(w, "\nWeakest topics\n")
	if len(r.Weakest) == 0 {
		fmt.Fprintln(w, "  none yet: answer some questions or check a kata first")
	}
	for i, wk := range r.Weakest {
		m := wk.Mastery
		fmt.Fprintf(w, "  %d. %s %s   %s\n", i+1, wk.Topic, p.forPercent(m, fmt.Sprintf("%.1f%%", m)), wk.Command)
		for _, q := range wk.Review {
			fmt.Fprintf(w, "     review  %s (%.0f%%): %s\n", q.ID, q.Mastery, termsafe.Line(clip(q.Prompt, 50)))
		}
		for _, k := range wk.Katas {
			fmt.Fprintf(w, "     kata    %s (%s)   %s\n", k.ID, kataState(k), KataCommand(k))
		}
	}

	fmt.Fprintf(w, "\nWeekly accuracy\n")
	if len(r.Trend) == 0 {
		fmt.Fprintln(w, "  no answers yet")
	}
	for _, wk := range r.Trend {
		if wk.Accuracy == nil {
			fmt.Fprintf(w, "  %s  %s  %s\n", wk.Start.Format(time.DateOnly), strings.Repeat(" ", BarWidth), "     —  no answers")
			continue
		}
		fmt.Fprintf(w, "  %s  %s  %s  %d answer(s)\n", wk.Start.Format(time.DateOnly), p.bar(wk.Accuracy, BarWidth), p.percent(wk.Accuracy), wk.Answers)
	}

	r.Interviews.writeText(w, p, r.Now.Location())

	fmt.Fprintf(w, "\nVerdicts: ready = accuracy ≥ %.0f%%, ≥ %.0f%% of questions seen, ≥ 2/3 of katas passed;\n", ReadyBar.Accuracy, ReadyBar.Seen)
	fmt.Fprintf(w, "almost = accuracy ≥ %.0f%%, ≥ %.0f%% seen, ≥ 1/3 of katas passed. The latest answer to a\n", AlmostBar.Accuracy, AlmostBar.Seen)
	fmt.Fprintln(w, "question counts most; each older one half as much as the next.")
}

// kataState describes a kata's status in a few words.
func kataState(k KataProgress) string {
	switch {
	case k.Status == KataPassed:
		return "passed"
	case k.Status == KataAttempted:
		return fmt.Sprintf("attempted, best %d/%d tests", k.BestPassed, k.Total)
	case k.Started:
		return "started, not checked yet"
	}
	return "not started"
}

// KataCommand is the command that moves a kata on: watch it once attempted, check it once
// started, else start it.
func KataCommand(k KataProgress) string {
	switch {
	case k.Status == KataAttempted:
		return "procdojo kata watch " + k.ID
	case k.Started:
		return "procdojo kata check " + k.ID
	}
	return "procdojo kata start " + k.ID
}

// WriteText writes the one-screen status for people; color as for Report.WriteText.
func (s *Status) WriteText(w io.Writer, color bool) {
	p := painter{color}
	fmt.Fprintln(w, "procdojo: where you stand")
	fmt.Fprintln(w)
	for _, l := range s.Levels {
		fmt.Fprintf(w, "  %-7s %s %s  %7s questions  %5s katas  %s\n", l.Name, p.bar(l.Accuracy, BarWidth/2), p.percent(l.Accuracy),
			fmt.Sprintf("%d/%d", l.QuestionsSeen, l.QuestionsTotal), fmt.Sprintf("%d/%d", l.KatasPassed, l.KatasTotal), p.verdict(l.Verdict))
	}
	fmt.Fprintln(w)
	switch {
	case s.Due > 0:
		fmt.Fprintf(w, "Reviews:   %d due now\n", s.Due)
	case !s.NextDue.IsZero():
		fmt.Fprintf(w, "Reviews:   none due; the next on %s\n", s.NextDue.In(s.Now.Location()).Format("2006-01-02 15:04"))
	default:
		fmt.Fprintln(w, "Reviews:   none yet (questions you answer come back for review)")
	}
	if k := s.Kata; k != nil {
		fmt.Fprintf(w, "Next kata: %s, %s (%s, %s)\n", k.ID, k.Title, k.Level, kataState(*k))
	} else {
		total := 0
		for _, l := range s.Levels {
			total += l.KatasTotal
		}
		if total == 0 {
			fmt.Fprintln(w, "Next kata: none; procdojo has no katas yet")
		} else {
			fmt.Fprintln(w, "Next kata: none left; every kata is passed")
		}
	}
	fmt.Fprintf(w, "\nNext step: %s\n  (%s)\n", p.paint(green, s.Command), s.Why)
	fmt.Fprintln(w, "\nprocdojo score shows the details; procdojo --help lists every command.")
}

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
