package interview

import (
	"encoding/json"
	"fmt"
	"github.com/procdojo/procdojo/internal/termsafe"
	"io"
	"strings"
	"time"
)

// WriteJSON writes the scorecard as one indented JSON document.
func (c *Scorecard) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WriteText writes the scorecard for people: a line per section (score, weight, time), the
// overall score and verdict with the thresholds, what was missed with sources, the weakest
// topics, the next steps and the command that replays the questions.
func (c *Scorecard) WriteText(w io.Writer) {
	lang := c.Lang
	if lang == "" {
		lang = "every language"
	}
	fmt.Fprintf(w, "\nScorecard: mock interview, %s level, %s, seed %d\n", c.Level, lang, c.Seed)
	how := map[string]string{Finished: "finished", Stopped: "stopped early", Interrupted: "interrupted"}[c.Outcome]
	fmt.Fprintf(w, "Time: %s of %s, %s\n\n", clock(ms(c.ElapsedMS)), clock(ms(c.BudgetMS)), how)

	fmt.Fprintf(w, "  %-12s  %6s  %-7s  %6s  %s\n", "Section", "Score", "", "Weight", "Time")
	for _, s := range c.Sections {
		detail := num(s.Score) + "/" + num(s.Max)
		if s.Kata != nil {
			detail = ""
		}
		line := fmt.Sprintf("  %-12s  %5.1f%%  %-7s  %5.0f%%  %s of %s", Title(s.Name), s.Percent, detail, s.Weight,
			clock(ms(s.ElapsedMS)), clock(ms(s.BudgetMS)))
		var notes []string
		switch {
		case !s.Reached:
			notes = append(notes, "not reached")
		case s.Kata == nil && s.Answered < s.Questions:
			notes = append(notes, fmt.Sprintf("%d of %d answered", s.Answered, s.Questions))
		}
		if s.TimeUp {
			notes = append(notes, "time up")
		}
		if len(notes) > 0 {
			line += "  (" + strings.Join(notes, ", ") + ")"
		}
		fmt.Fprintln(w, line)
		if k := s.Kata; k != nil {
			fmt.Fprintf(w, "  %-12s  %s\n", "", kataLine(k))
		}
	}

	fmt.Fprintf(w, "\nOverall: %.1f%%. Verdict for a %s interview: %s.\n", c.Percent, c.Level, c.Verdict)
	fmt.Fprintf(w, "  (ready: %.0f%% or more with the kata passed; almost: %.0f%% or more; each hint costs %.0f%% of the kata)\n",
		c.Thresholds.Ready, c.Thresholds.Almost, 100*c.Thresholds.HintCost)

	var missed bool
	for _, s := range c.Sections {
		for _, m := range s.Missed {
			if !missed {
				fmt.Fprintln(w, "\nMissed")
				missed = true
			}
			fmt.Fprintf(w, "  %s · %s (%s): %s\n", Title(s.Name), termsafe.Line(m.ID), termsafe.Line(m.Topic), termsafe.Line(m.Prompt))
			fmt.Fprintf(w, "      you: %s\n", termsafe.Line(m.Given))
			if m.Answer != "" {
				fmt.Fprintf(w, "      answer: %s\n", termsafe.Line(m.Answer))
			}
			for _, p := range m.Left {
				fmt.Fprintf(w, "      left out: %s\n", termsafe.Line(p))
			}
			fmt.Fprintf(w, "      source: %s\n", termsafe.Line(m.Source))
		}
	}
	if len(c.Weakest) > 0 {
		var ts []string
		for _, t := range c.Weakest {
			ts = append(ts, fmt.Sprintf("%s %.1f%%", t.Topic, t.Percent))
		}
		fmt.Fprintf(w, "\nWeakest topics: %s\n", strings.Join(ts, ", "))
	}
	fmt.Fprintln(w, "\nNext steps")
	for _, n := range c.Next {
		fmt.Fprintf(w, "  %s\n", n)
	}
	fmt.Fprintf(w, "\nSame questions again: %s\n", c.Replay)
}

// kataLine says how the kata section went, such as "run-capture: passed after 2 checks,
// 1 hint".
func kataLine(k *KataOutcome) string {
	s := fmt.Sprintf("%s: %s", k.ID, k.Outcome)
	if k.Outcome == KataNotReached {
		return s
	}
	s += fmt.Sprintf(", %d check(s)", k.Checks)
	if k.Checks > 0 && k.Outcome != KataPassed {
		s += fmt.Sprintf(", best %d/%d tests", k.BestPassed, k.Total)
	}
	if k.HintsTaken > 0 {
		s += fmt.Sprintf(", %d hint(s)", k.HintsTaken)
	}
	if k.LastReason != "" {
		s += "; last check: " + clip(k.LastReason, 70)
	}
	return s
}

func ms(n int64) time.Duration { return time.Duration(n) * time.Millisecond }

// num prints a score without trailing zeros: 3, 2.5, 1.33.
func num(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".")
}

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n-1]) + "…"
}
