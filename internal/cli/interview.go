package cli

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/interview"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/internal/prompt"
	"github.com/procdojo/procdojo/quiz"
)

func init() { commands = append(commands, newInterviewCommand) }

// interviewOptions is everything `procdojo interview` needs.
type interviewOptions struct {
	IO        *iostreams.IOStreams
	Level     string // "" for the level procdojo next recommends
	Lang      string // "", go or node
	Questions int    // before the kata; negative for the level's default
	Minutes   int    // 0 for the level's default
	Seed      uint64
	SeedSet   bool
	Banks     []string
	Plain     bool
	JSON      bool
	Poll      bool
	Log       *progress.Log
	WS        wsLocator
	Catalog   *kata.Catalog

	// Prompter replaces the terminal or plain prompter (tests).
	Prompter quiz.Prompter
	// Now replaces time.Now (tests).
	Now func() time.Time
}

func newInterviewCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "interview",
		Usage:     "a timed mock interview: screening, code reading, a design question and a kata, then a scorecard",
		ArgsUsage: " ",
		Description: `Runs one timed session the way a technical screen goes, in four sections: screening
questions (single, multi, true/false), code reading, one open design question that you grade
against its key points, and one kata of the level, started in your workspace (an existing
file is kept) and re-checked each time you save it. The time left is shown at each step.
During the kata: c checks now, h shows a hint (each costs 10% of the kata), s gives up, q
ends the interview; in plain mode type check, hint, skip or q and Enter.

At the end a scorecard shows each section's score and time, what you missed with its source,
an overall verdict for the level (ready: 75% or more with the kata passed; almost: 55% or
more), your weakest topics and the commands to run next. Every answer and check is saved to
the progress log, then one interview record; procdojo score shows past interviews.
Ctrl-C keeps what was done and exits 130.

Examples:
  procdojo interview
  procdojo interview --level senior --lang go
  printf '1\n1\n1\n1\nskip\n' | procdojo interview --level junior --questions 4 --plain --json`,
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "level", Usage: "the interview's `LEVEL`: junior, mid or senior (default: the level procdojo next works on)"},
			&ucli.StringFlag{Name: "lang", Usage: "`LANG` of the job: go or node (its questions and general ones, and a kata in it; default: every language)"},
			&ucli.IntFlag{Name: "minutes", Usage: "the whole interview's time, `M` minutes (default: 30 junior, 40 mid, 45 senior)"},
			&ucli.IntFlag{Name: "questions", Value: -1, DefaultText: "8 junior, 10 mid, 12 senior", Usage: "ask `N` questions before the kata (0: the kata alone)"},
			&ucli.Uint64Flag{Name: "seed", Usage: "draw the questions with `SEED`, to replay an interview"},
			&ucli.BoolFlag{Name: "plain", Usage: "ask with plain numbered lines even in a terminal"},
			&ucli.BoolFlag{Name: "json", Usage: "print the scorecard as JSON on stdout (the interview itself goes to stderr)"},
			&ucli.BoolFlag{Name: "poll", Usage: "find saves of the kata file by polling instead of by file events"},
			&ucli.StringSliceFlag{Name: "bank", Usage: "load banks from this file or folder instead of the built-in ones; repeatable", TakesFile: true},
			workspaceFlag(),
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 0 {
				return usageErr("interview takes no arguments, got %q (did you mean --level %s?)", c.Args().First(), c.Args().First())
			}
			opts := &interviewOptions{
				IO: ios, Level: c.String("level"), Lang: c.String("lang"), Questions: c.Int("questions"),
				Minutes: c.Int("minutes"), Seed: c.Uint64("seed"), SeedSet: c.IsSet("seed"), Banks: c.StringSlice("bank"),
				Plain: c.Bool("plain"), JSON: c.Bool("json"), Poll: c.Bool("poll"), WS: locatorFrom(c),
			}
			if c.IsSet("questions") && opts.Questions < 0 {
				return usageErr("--questions must be 0 (the kata alone) or more, got %d", opts.Questions)
			}
			if c.IsSet("minutes") && opts.Minutes <= 0 {
				return usageErr("--minutes must be 1 or more, got %d", opts.Minutes)
			}
			if !kata.Supported {
				return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%w; the interview ends with a kata, so it needs one too (procdojo quiz works here)", kata.ErrUnsupported)}
			}
			cat, err := loadCatalog()
			if err != nil {
				return err
			}
			opts.Catalog = cat
			if opts.Log, err = openLog(c); err != nil {
				return err
			}
			return runInterview(c.Context, opts)
		},
	}
}

func runInterview(ctx context.Context, opts *interviewOptions) error {
	ios := opts.IO
	if opts.Lang != "" && opts.Lang != "go" && opts.Lang != "node" {
		return usageErr("--lang %q: use go or node (or leave it out for every language)", opts.Lang)
	}
	if err := opts.Log.CheckWritable(); err != nil {
		return &ExitError{Code: ExitFailure, Err: err}
	}
	ws, err := kata.FindWorkspace(opts.WS.Flag, opts.WS.Env, opts.WS.Cwd)
	if err != nil {
		return &ExitError{Code: ExitFailure, Err: fmt.Errorf("the interview ends with a kata in your workspace: %w", err)}
	}
	qs, err := loadBanks(ctx, ios, opts.Banks)
	if err != nil {
		return err
	}
	recs, err := readHistoryContext(ctx, ios, opts.Log)
	if err != nil {
		return err
	}
	infos, level := interviewKatas(opts.Catalog, ws, recs, qs)
	if opts.Level != "" {
		level = opts.Level
	}
	if !opts.SeedSet {
		opts.Seed = rand.Uint64() % 1_000_000_000
	}
	plan, err := interview.NewPlan(interview.Config{Level: level, Lang: opts.Lang, Questions: opts.Questions,
		Budget: time.Duration(opts.Minutes) * time.Minute, Seed: opts.Seed}, qs, infos)
	if err != nil {
		return usageErr("%v", err)
	}

	// The interview goes to stdout, or to stderr when stdout carries JSON. The writer is
	// shared by the kata section's goroutines and turns to CR LF while keys are read raw.
	human := newTermWriter(ios.Out)
	if opts.JSON {
		human = newTermWriter(ios.ErrOut)
	}
	out := ios.Out
	if opts.JSON {
		out = ios.ErrOut
	}
	session := &interview.Session{Plan: plan, Out: human, Width: ios.Width(out), Now: opts.Now, Poll: opts.Poll,
		Kata: &kataRunner{cat: opts.Catalog, ws: ws, log: opts.Log, warn: human, onBuild: func(k *kata.Kata) func() { return buildNotice(opts.IO, k) }}}
	p := opts.Prompter
	if p == nil {
		if !opts.Plain && !opts.JSON && ios.CanPrompt() {
			p = prompt.New(ctx, ios.InFile, ios.OutFile, ios.ErrOut)
			session.Keys = terminalKeys(ios, human)
		} else {
			pp := quiz.NewPlainPrompter(ctx, ios.In, human, ios.InTTY)
			pp.Width = ios.Width(out)
			p = pp
			session.Keys, session.PlainKeys = plainKeys(pp, human, !ios.InTTY), true
		}
	}
	session.Prompter = p
	id := progress.NewSessionID()
	saved := 0
	session.OnAnswer = func(r quiz.Result) error {
		err := opts.Log.Append(progress.Record{
			Type: progress.TypeAnswer, Session: id, Mode: "interview",
			Question: r.ID, Level: r.Level, Topic: r.Topic, Kind: r.Kind,
			Score: r.Score, Max: r.Max, Given: joinInts(r.Given), ElapsedMS: r.ElapsedMS,
		})
		if err == nil {
			saved++
		}
		return err
	}

	card, runErr := session.Run(ctx)
	// An interview stopped before anything was answered, checked or hinted is not recorded.
	if saved > 0 || kataTouched(card) || card.Outcome == interview.Finished {
		if err := opts.Log.Append(card.Record(id)); err != nil {
			fmt.Fprintf(ios.ErrOut, "warning: the interview was not recorded: %v\n", err)
		}
	}
	if opts.JSON {
		if err := card.WriteJSON(ios.Out); err != nil {
			return err
		}
	} else {
		card.WriteText(human)
	}
	if saved > 0 {
		fmt.Fprintf(ios.ErrOut, "Saved %d answer(s) and the interview to %s\n", saved, opts.Log.Path())
	}
	switch {
	case errors.Is(runErr, interview.ErrInterrupted):
		return interrupted()
	case errors.Is(runErr, quiz.ErrBadAnswer):
		return usageErr("%v (answers so far are saved)", runErr)
	case runErr != nil:
		return &ExitError{Code: ExitFailure, Err: runErr}
	}
	return nil
}

// kataTouched reports whether the interview's kata was checked or a hint of it shown.
func kataTouched(c *interview.Scorecard) bool {
	for _, s := range c.Sections {
		if s.Kata != nil && (s.Kata.Checks > 0 || s.Kata.HintsTaken > 0) {
			return true
		}
	}
	return false
}

// interviewKatas returns the catalogue's katas as the interview needs them (with whether
// each is passed, from the history), and the level procdojo next works on: the first that
// is not ready.
func interviewKatas(cat *kata.Catalog, ws *kata.Workspace, recs []progress.Record, qs []*quiz.Question) ([]interview.KataInfo, string) {
	var aks []assess.Kata
	for _, k := range cat.All() {
		aks = append(aks, assess.Kata{ID: k.ID, Title: k.Title, Level: k.Level, Lang: k.Lang, Topics: k.Topics, Started: ws.Started(k)})
	}
	kps := assess.KataProgressOf(aks, recs)
	infos := make([]interview.KataInfo, len(kps))
	for i, k := range cat.All() {
		// Every kata is in Go today; a kata's language will come from the catalogue.
		infos[i] = interview.KataInfo{ID: k.ID, Title: k.Title, Level: k.Level, Lang: k.Lang, Topics: k.Topics,
			Statement: k.Statement, Hints: len(k.Hints), Passed: kps[i].Status == assess.KataPassed}
	}
	rep := assess.Score(assess.Input{Records: recs, Questions: qs, Katas: aks})
	return infos, assess.InterviewLevel(rep.Levels)
}
