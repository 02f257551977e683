package cli

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/internal/prompt"
	"github.com/procdojo/procdojo/internal/termsafe"
	"github.com/procdojo/procdojo/quiz"
)

func init() { commands = append(commands, newQuizCommand) }

// quizOptions is everything `procdojo quiz` needs.
type quizOptions struct {
	IO      *iostreams.IOStreams
	Filter  quiz.Filter
	N       int
	Seed    uint64
	SeedSet bool
	Shuffle bool
	Banks   []string
	Plain   bool
	JSON    bool
	Log     *progress.Log // nil with --no-save

	// Prompter replaces the terminal or plain prompter (tests).
	Prompter quiz.Prompter
	// Now replaces time.Now (tests).
	Now func() time.Time
}

// filterFlags are the flags quiz and questions list share.
func filterFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringSliceFlag{Name: "level", Usage: "only questions of this `LEVEL` (junior, mid, senior); repeatable"},
		&ucli.StringSliceFlag{Name: "topic", Usage: "only questions on this `TOPIC`; repeatable (procdojo questions list shows them)"},
		&ucli.StringFlag{Name: "lang", Usage: "only questions about `LANG`: node, go or general"},
		&ucli.StringSliceFlag{Name: "bank", Usage: "load banks from this file or folder instead of the built-in ones; repeatable", TakesFile: true},
	}
}

func filterFrom(c *ucli.Context) quiz.Filter {
	return quiz.Filter{Levels: c.StringSlice("level"), Topics: c.StringSlice("topic"), Lang: c.String("lang")}
}

func newQuizCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:  "quiz",
		Usage: "take a quiz on child processes",
		Description: `Asks questions from the junior, mid and senior banks and explains each answer with
its source. In a terminal you pick answers with the arrow keys; when input or output is not a
terminal (or with --plain) you type one line per answer: a choice number, numbers such as 1,3
for "choose every right answer", the rubric points you covered for open questions; q stops.
Each answer is saved to the progress log as soon as it is given.

Examples:
  procdojo quiz --level junior -n 5
  procdojo quiz --topic signals --lang go --seed 42
  printf '1\n2\n' | procdojo quiz --no-shuffle -n 2 --json`,
		Flags: append(filterFlags(),
			&ucli.IntFlag{Name: "n", Value: 10, Usage: "ask `N` questions (0 = every matching question)"},
			&ucli.Uint64Flag{Name: "seed", Usage: "shuffle with `SEED`, to replay a session"},
			&ucli.BoolFlag{Name: "no-shuffle", Usage: "keep bank order for questions and choices"},
			&ucli.BoolFlag{Name: "plain", Usage: "ask with plain numbered lines even in a terminal"},
			&ucli.BoolFlag{Name: "json", Usage: "print the result as JSON on stdout (questions and feedback go to stderr)"},
			&ucli.BoolFlag{Name: "no-save", Usage: "do not record answers in the progress log"},
		),
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usageErr("quiz takes no arguments, got %q (did you mean --topic %s?)", c.Args().First(), c.Args().First())
			}
			if c.Int("n") < 0 {
				return usageErr("-n must be 0 (every question) or more, got %d", c.Int("n"))
			}
			opts := &quizOptions{
				IO: ios, Filter: filterFrom(c), N: c.Int("n"),
				Seed: c.Uint64("seed"), SeedSet: c.IsSet("seed"), Shuffle: !c.Bool("no-shuffle"),
				Banks: c.StringSlice("bank"), Plain: c.Bool("plain"), JSON: c.Bool("json"),
			}
			if opts.SeedSet && !opts.Shuffle {
				return usageErr("--seed and --no-shuffle do not go together: --no-shuffle keeps bank order")
			}
			log, err := openLog(c)
			if err != nil {
				return err
			}
			if err := log.CheckWritable(); err != nil {
				if !c.Bool("no-save") {
					return &ExitError{Code: ExitFailure, Err: err}
				}
				fmt.Fprintf(ios.ErrOut, "warning: %v\n", err)
			}
			if !c.Bool("no-save") {
				opts.Log = log
			}
			return runQuiz(c.Context, opts)
		},
	}
}

func runQuiz(ctx context.Context, opts *quizOptions) error {
	ios := opts.IO
	qs, err := loadBanks(ctx, ios, opts.Banks)
	if err != nil {
		return err
	}
	pool, err := opts.Filter.Apply(qs)
	if errors.Is(err, quiz.ErrNoMatch) {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%w; procdojo questions list shows what there is", err)}
	}
	if err != nil { // an unknown level, topic or lang: the message has its own hint
		return &ExitError{Code: ExitUsage, Err: err}
	}
	if !opts.SeedSet {
		opts.Seed = rand.Uint64() % 1_000_000_000
	}
	items := quiz.Pick(pool, opts.N, opts.Seed, opts.Shuffle)

	// Human text goes to stdout, or to stderr when stdout carries JSON.
	human := ios.Out
	if opts.JSON {
		human = ios.ErrOut
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
	session := &quiz.Session{
		Items: items, Seed: opts.Seed, Shuffled: opts.Shuffle,
		Prompter: p, Out: human, Now: opts.Now, Width: ios.Width(human),
	}
	saved := 0
	if opts.Log != nil {
		id := progress.NewSessionID()
		session.OnAnswer = func(r quiz.Result) error {
			err := opts.Log.Append(progress.Record{
				Type: progress.TypeAnswer, Session: id, Mode: "quiz",
				Question: r.ID, Level: r.Level, Topic: r.Topic, Kind: r.Kind,
				Score: r.Score, Max: r.Max, Given: joinInts(r.Given), ElapsedMS: r.ElapsedMS,
			})
			if err == nil {
				saved++
			}
			return err
		}
	}
	rep, runErr := session.Run(ctx)
	if opts.JSON {
		if err := rep.WriteJSON(ios.Out); err != nil {
			return err
		}
	} else {
		rep.WriteText(human)
	}
	if opts.Log != nil && saved > 0 {
		fmt.Fprintf(ios.ErrOut, "Saved %d answer(s) to %s\n", saved, termsafe.Line(opts.Log.Path()))
	}
	switch {
	case errors.Is(runErr, quiz.ErrInterrupted):
		return interrupted()
	case errors.Is(runErr, quiz.ErrBadAnswer):
		return usageErr("%v%s", runErr, savedSoFar(opts.Log != nil, saved))
	}
	return runErr
}

// savedSoFar says, after a bad answer, what became of the answers before it.
func savedSoFar(saving bool, saved int) string {
	switch {
	case !saving:
		return " (nothing was saved: --no-save)"
	case saved == 0:
		return ""
	}
	return fmt.Sprintf(" (the %d answer(s) before it are saved)", saved)
}

func joinInts(xs []int) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ",")
}
