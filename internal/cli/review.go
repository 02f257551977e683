package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/fsrs"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/internal/prompt"
	"github.com/procdojo/procdojo/internal/termsafe"
	"github.com/procdojo/procdojo/quiz"
)

func init() { commands = append(commands, newReviewCommand) }

// reviewOptions is everything `procdojo review` needs.
type reviewOptions struct {
	IO     *iostreams.IOStreams
	Source standingSource // Source.Log also receives the answers; nil saves nothing
	N      int
	Plain  bool
	JSON   bool

	// Seed shuffles the choices; zero means a random seed (tests set it).
	Seed uint64
	// Prompter replaces the terminal or plain prompter (tests).
	Prompter quiz.Prompter
}

func newReviewCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "review",
		Usage:     "review the questions that are due, by spaced repetition (FSRS)",
		ArgsUsage: " ",
		Description: `Asks again the questions you have answered, when they are due: each question's schedule
comes from your answers in the progress log, through the FSRS-5 model (target retention
90%). Most overdue first; when nothing is due, questions you have never seen instead.
A right answer is rated Easy, Good or Hard by how long it took against the time the
question should take, a wrong one Again; for open questions you rate your own recall.

Examples:
  procdojo review
  procdojo review -n 5
  printf '2\n1\n' | procdojo review --json`,
		Flags: []ucli.Flag{
			&ucli.IntFlag{Name: "n", Value: 10, Usage: "review at most `N` questions (0 = every question due)"},
			&ucli.BoolFlag{Name: "plain", Usage: "ask with plain numbered lines even in a terminal"},
			&ucli.BoolFlag{Name: "json", Usage: "print the result as JSON on stdout (questions and feedback go to stderr)"},
			&ucli.StringSliceFlag{Name: "bank", Usage: "review the banks in this file or folder instead of the built-in ones; repeatable", TakesFile: true},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usageErr("review takes no arguments, got %q", c.Args().First())
			}
			if c.Int("n") < 0 {
				return usageErr("-n must be 0 (every question due) or more, got %d", c.Int("n"))
			}
			log, err := openLog(c)
			if err != nil {
				return err
			}
			if err := log.CheckWritable(); err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			return runReview(c.Context, &reviewOptions{
				IO: ios, N: c.Int("n"), Plain: c.Bool("plain"), JSON: c.Bool("json"),
				Source: standingSource{Log: log, Banks: c.StringSlice("bank"), Katas: []assess.Kata{}},
			})
		},
	}
}

// reviewReport is the outcome of a review session; its JSON form is what --json prints.
type reviewReport struct {
	New     bool           `json:"new"` // the session asked new questions, as none was due
	Asked   int            `json:"asked"`
	Stopped bool           `json:"stopped"`
	Cards   []reviewedCard `json:"cards"`
	Due     int            `json:"due"`               // still due after the session
	NextDue time.Time      `json:"next_due,omitzero"` // when the next question falls due
}

// reviewedCard is one answered question and its new schedule.
type reviewedCard struct {
	ID         string    `json:"id"`
	Correct    bool      `json:"correct"`
	Score      float64   `json:"score"`
	ElapsedMS  int64     `json:"elapsed_ms"`
	Rating     string    `json:"rating"`
	Due        time.Time `json:"due"`
	Stability  float64   `json:"stability"`
	Difficulty float64   `json:"difficulty"`
}

// ratingOptions are the choices for an open question's self-rating, Again to Easy.
var ratingOptions = []string{
	"Again: I did not recall it",
	"Hard: I recalled it with serious difficulty",
	"Good: I recalled it after some thought",
	"Easy: I recalled it at once",
}

func runReview(ctx context.Context, opts *reviewOptions) error {
	ios := opts.IO
	in, err := loadStanding(ctx, ios, opts.Source)
	if err != nil {
		return err
	}
	now := time.Now
	if opts.Source.Now != nil {
		now = opts.Source.Now
	}
	sched := fsrs.Default()
	cards := assess.Cards(in.Records, in.Questions, sched)
	plan, fresh := assess.Plan(cards, in.Now, opts.N)

	human := ios.Out
	if opts.JSON {
		human = ios.ErrOut
	}
	rep := &reviewReport{New: fresh, Asked: len(plan), Cards: []reviewedCard{}}
	if len(plan) == 0 {
		rep.Due, rep.NextDue = assess.DueCount(cards, in.Now)
		fmt.Fprintln(human, "Nothing to review: no question is due and you have seen every question.")
		writeNextDue(human, rep.NextDue)
		if opts.JSON {
			return assess.WriteJSON(ios.Out, rep)
		}
		return nil
	}
	if fresh {
		fmt.Fprintf(human, "No question is due for review; here are %d you have not seen yet.\n", len(plan))
	} else {
		fmt.Fprintf(human, "%d question(s) due for review.\n", len(plan))
	}

	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	qs := make([]*quiz.Question, len(plan))
	byID := map[string]int{}
	for i, c := range plan {
		qs[i] = c.Q
		byID[c.Q.ID] = i
	}
	// Pick without shuffling questions keeps the plan's order; shuffle the choices alone.
	items := quiz.Pick(qs, 0, seed, false)
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	for _, it := range items {
		if it.Q.Kind != quiz.KindTrueFalse {
			rng.Shuffle(len(it.Order), func(a, b int) { it.Order[a], it.Order[b] = it.Order[b], it.Order[a] })
		}
	}

	p := opts.Prompter
	if p == nil {
		if !opts.Plain && !opts.JSON && ios.CanPrompt() {
			p = prompt.New(ctx, ios.InFile, ios.OutFile, ios.ErrOut)
		} else {
			pp := quiz.NewPlainPrompter(ctx, ios.In, human, ios.InTTY)
			pp.Width = ios.Width(human)
			p = pp
		}
	}
	id := progress.NewSessionID()
	session := &quiz.Session{Items: items, Seed: seed, Prompter: p, Out: human, Now: opts.Source.Now, Width: ios.Width(human)}
	session.OnAnswer = func(r quiz.Result) error {
		i := byID[r.ID]
		card := plan[i]
		var rating fsrs.Rating
		if card.Q.Kind == quiz.KindOpen {
			choice, err := p.Select("How well did you recall it?", ratingOptions)
			if err != nil {
				return err
			}
			rating = fsrs.Rating(choice + 1)
		} else {
			rating = fsrs.RatingFromAnswer(r.Correct, time.Duration(r.ElapsedMS)*time.Millisecond, assess.ExpectedTime(card.Q))
		}
		t := now()
		card.Card = sched.Review(card.Card, rating, t)
		plan[i] = card
		if log := opts.Source.Log; log != nil {
			if err := log.Append(progress.Record{
				Time: t, Type: progress.TypeAnswer, Session: id, Mode: "review",
				Question: r.ID, Level: r.Level, Topic: r.Topic, Kind: r.Kind,
				Score: r.Score, Max: r.Max, Given: joinInts(r.Given), ElapsedMS: r.ElapsedMS,
				Rating: int(rating),
			}); err != nil {
				return err
			}
		}
		rep.Cards = append(rep.Cards, reviewedCard{
			ID: r.ID, Correct: r.Correct, Score: r.Score, ElapsedMS: r.ElapsedMS, Rating: rating.String(),
			Due: card.Due, Stability: round2(card.Stability), Difficulty: round2(card.Difficulty),
		})
		fmt.Fprintf(human, "Rated %s; next review %s.\n", rating, inDays(t, card.Due))
		return nil
	}
	_, runErr := session.Run(ctx)
	rep.Stopped = len(rep.Cards) < len(plan)

	// What is due now, with this session's answers replayed like any others.
	for i, c := range cards {
		if j, ok := byID[c.Q.ID]; ok {
			cards[i] = plan[j]
		}
	}
	rep.Due, rep.NextDue = assess.DueCount(cards, now())
	writeReviewSummary(human, rep)
	if opts.JSON {
		if err := assess.WriteJSON(ios.Out, rep); err != nil {
			return err
		}
	}
	if opts.Source.Log != nil && len(rep.Cards) > 0 {
		fmt.Fprintf(ios.ErrOut, "Saved %d answer(s) to %s\n", len(rep.Cards), termsafe.Line(opts.Source.Log.Path()))
	}
	switch {
	case errors.Is(runErr, quiz.ErrInterrupted):
		return interrupted()
	case errors.Is(runErr, quiz.ErrQuit):
		return nil
	case errors.Is(runErr, quiz.ErrBadAnswer):
		return usageErr("%v%s", runErr, savedSoFar(opts.Source.Log != nil, len(rep.Cards)))
	}
	return runErr
}

func writeReviewSummary(w io.Writer, rep *reviewReport) {
	right := 0
	for _, c := range rep.Cards {
		if c.Correct {
			right++
		}
	}
	fmt.Fprintln(w)
	if rep.Stopped {
		fmt.Fprintf(w, "Stopped early: %d of %d question(s) reviewed, %d right.\n", len(rep.Cards), rep.Asked, right)
	} else {
		fmt.Fprintf(w, "Reviewed %d question(s), %d right.\n", len(rep.Cards), right)
	}
	if rep.Due > 0 {
		fmt.Fprintf(w, "Still due: %d (procdojo review)\n", rep.Due)
		return
	}
	writeNextDue(w, rep.NextDue)
}

func writeNextDue(w io.Writer, next time.Time) {
	if !next.IsZero() {
		fmt.Fprintf(w, "Next review due on %s; meanwhile, procdojo quiz brings new questions.\n", next.Format("2006-01-02 15:04"))
	}
}

// inDays says when due falls after now: "in 3 days (2026-11-29)".
func inDays(now, due time.Time) string {
	days := int(due.Sub(now).Round(time.Hour).Hours() / 24)
	if days == 1 {
		return "tomorrow (" + due.Format(time.DateOnly) + ")"
	}
	return fmt.Sprintf("in %d days (%s)", days, due.Format(time.DateOnly))
}

func round2(x float64) float64 { return float64(int64(x*100+0.5)) / 100 }
