package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v2"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/internal/watch"
)

func init() { kataSubcommands = append(kataSubcommands, newKataWatchCommand) }

// kataSubcommands holds the constructors of "kata" subcommands that live in files of their
// own; newKataCommand appends them to its list.
var kataSubcommands []func(*iostreams.IOStreams) *ucli.Command

// kataWatchOptions is everything "kata watch" needs.
type kataWatchOptions struct {
	IO      *iostreams.IOStreams
	Catalog *kata.Catalog
	Log     *progress.Log // checks and hints are recorded here; nil records nothing
	WS      wsLocator
	ID      string // "" watches the current kata (see currentKata)
	Poll    bool
	Plain   bool          // read keys as lines even in a terminal
	Timeout time.Duration // 0: the kata's time limit

	// Check replaces kata.Check (tests).
	Check func(ctx context.Context, ws *kata.Workspace, k *kata.Kata) (*kata.Result, error)
	// Debounce and PollInterval replace the watcher's defaults (tests).
	Debounce, PollInterval time.Duration
}

func newKataWatchCommand(ios *iostreams.IOStreams) *ucli.Command {
	return &ucli.Command{
		Name:      "watch",
		Usage:     "re-check a kata each time you save its file",
		ArgsUsage: "[ID]",
		Description: `Checks the kata at once, then again whenever a .go file in its folder is saved (saves
within 200 ms count as one; a save during a check queues exactly one more check). On PASS it
suggests the next kata. Without an ID it watches the kata whose folder you are in, else the
one you last checked. Keys: h shows one more hint, n moves to the next kata (starting it),
q quits; without a terminal, type the letter and Enter.

Use --poll where file events do not arrive (WSL's /mnt, network or container mounts):
procdojo suggests it when it notices a save that produced no event.

Examples:
  procdojo kata watch run-capture
  procdojo kata watch --poll`,
		Flags: []ucli.Flag{
			workspaceFlag(),
			&ucli.BoolFlag{Name: "poll", Usage: "find saves by polling twice a second instead of by file events"},
			&ucli.BoolFlag{Name: "plain", Usage: "read keys as lines (letter and Enter) even in a terminal"},
			&ucli.DurationFlag{Name: "timeout", Usage: "the deadline `D` of each check (default: the kata's time limit)"},
		},
		Action: func(c *ucli.Context) error {
			if c.NArg() > 1 {
				return usageErr("kata watch takes at most one kata id, got %d arguments", c.NArg())
			}
			cat, err := loadCatalog()
			if err != nil {
				return err
			}
			log, err := openLog(c)
			if err != nil {
				return err
			}
			return runKataWatch(c.Context, &kataWatchOptions{
				IO: ios, Catalog: cat, Log: log, WS: locatorFrom(c), ID: c.Args().First(),
				Poll: c.Bool("poll"), Plain: c.Bool("plain"), Timeout: c.Duration("timeout"),
			})
		},
	}
}

// watchAction is how one kata's watch loop ended.
type watchAction int

const (
	watchQuit watchAction = iota
	watchNext
	watchInterrupt
)

func runKataWatch(ctx context.Context, opts *kataWatchOptions) error {
	ws, err := opts.WS.find()
	if err != nil {
		return err
	}
	k, err := watchedKata(opts, ws)
	if err != nil {
		return err
	}
	ios := *opts.IO // a copy whose writers are made safe for the check and key goroutines
	var keys <-chan rune
	if !opts.Plain && ios.InTTY && ios.InFile != nil {
		restore, err := rawKeys(&ios)
		if err != nil {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("cannot read keys from the terminal (%w); try --plain", err)}
		}
		defer restore()
		keys = readKeys(ios.InFile, false)
	} else {
		keys = readKeys(ios.In, true)
	}
	ios.Out, ios.ErrOut = newSyncWriter(ios.Out), newSyncWriter(ios.ErrOut)
	opts.IO = &ios

	for {
		if !ws.Started(k) {
			return &ExitError{Code: ExitFailure, Err: fmt.Errorf("%s is not started (%s does not exist); start it with procdojo kata start %s", k.ID, ws.File(k), k.ID)}
		}
		action, err := watchOne(ctx, opts, ws, k, keys)
		if err != nil {
			return err
		}
		switch action {
		case watchInterrupt:
			return interrupted()
		case watchQuit:
			return nil
		}
		next, ok := nextKataAfter(opts, k)
		if !ok {
			fmt.Fprintln(ios.Out, "Every kata is passed; nothing left to watch.")
			return nil
		}
		k = next
		if !ws.Started(k) {
			p, err := ws.Start(k, false)
			if err != nil {
				return &ExitError{Code: ExitFailure, Err: err}
			}
			fmt.Fprintf(ios.Out, "\nStarted %s: %s\nYour file: %s (procdojo kata show %s prints the statement)\n", k.ID, k.Title, p, k.ID)
		}
	}
}

// watchOne watches kata k until a key or ctx ends it.
func watchOne(ctx context.Context, opts *kataWatchOptions, ws *kata.Workspace, k *kata.Kata, keys <-chan rune) (watchAction, error) {
	out := opts.IO.Out
	w, err := watch.New(ws.KataDir(k), watch.Options{Poll: opts.Poll, Debounce: opts.Debounce, PollInterval: opts.PollInterval})
	if err != nil {
		return watchQuit, &ExitError{Code: ExitFailure, Err: fmt.Errorf("%w (or try --poll)", err)}
	}
	defer w.Close()
	mode := "file events"
	if opts.Poll {
		mode = "polling"
	}
	fmt.Fprintf(out, "Watching %s for %s: %s (%s).\n", ws.KataDir(k), k.ID, k.Title, mode)
	action := watchQuit
	loop := &watch.Loop{
		Changes: w.C,
		Check:   func(ctx context.Context) { watchCheck(ctx, opts, ws, k) },
		Keys:    keys,
		Missed:  w.Missed,
		OnMissed: func() {
			fmt.Fprintln(opts.IO.ErrOut, "A save was noticed only by polling: this filesystem does not send file events\n"+
				"(as on WSL's /mnt or a network mount). Restart with --poll for prompt re-checks.")
		},
		Key: func(r rune) bool {
			switch r {
			case 'h', 'H':
				if err := runKataHint(&kataHintOptions{IO: opts.IO, Catalog: opts.Catalog, Log: opts.Log, ID: k.ID}); err != nil {
					fmt.Fprintf(opts.IO.ErrOut, "procdojo: %v\n", err)
				}
			case 'n', 'N':
				action = watchNext
				return true
			case 'q', 'Q', 4: // q, Ctrl-D
				action = watchQuit
				return true
			case 3: // Ctrl-C, as a raw terminal delivers it
				action = watchInterrupt
				return true
			}
			return false
		},
	}
	if err := loop.Run(ctx); err != nil {
		return watchInterrupt, nil
	}
	return action, nil
}

// watchCheck checks k once, records the check and prints the result, then the keys; on
// PASS it suggests the next kata.
func watchCheck(ctx context.Context, opts *kataWatchOptions, ws *kata.Workspace, k *kata.Kata) {
	var b bytes.Buffer
	fmt.Fprintf(opts.IO.ErrOut, "\nchecking %s (%s)...\n", k.ID, time.Now().Format("15:04:05"))
	check := opts.Check
	if check == nil {
		check = func(ctx context.Context, ws *kata.Workspace, k *kata.Kata) (*kata.Result, error) {
			return kata.Check(ctx, ws, k, kata.CheckOptions{Timeout: opts.Timeout, OnBuild: buildNotice(opts.IO, k)})
		}
	}
	res, err := check(ctx, ws, k)
	switch {
	case errors.Is(err, kata.ErrInterrupted) || ctx.Err() != nil:
		return // the watch is ending; an interrupted check is not recorded
	case res == nil:
		fmt.Fprintf(&b, "procdojo: %v\n", err)
	default:
		recordCheck(opts.Log, k.ID, res, &b)
		writeResult(&b, res, false, false)
		if res.Status == kata.StatusPass {
			if next, ok := nextKataAfter(opts, k); ok {
				fmt.Fprintf(&b, "Well done. Next kata: %s, %s (%s); press n to start it.\n", next.ID, next.Title, next.Level)
			} else {
				fmt.Fprintln(&b, "Well done: that was the last kata you had left.")
			}
		}
	}
	fmt.Fprintf(&b, "Watching for saves; keys: h hint, n next kata, q quit.\n")
	opts.IO.Out.Write(b.Bytes())
}

// watchedKata returns the kata named by opts.ID, else the current kata: the one whose folder
// holds the current directory, else the last checked that is started and not passed, else
// the first started and not passed.
func watchedKata(opts *kataWatchOptions, ws *kata.Workspace) (*kata.Kata, error) {
	if opts.ID != "" {
		return getKata(opts.Catalog, opts.ID)
	}
	if rel, err := filepath.Rel(ws.Dir, opts.WS.Cwd); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		id, _, _ := strings.Cut(filepath.ToSlash(rel), "/")
		if k, err := opts.Catalog.Get(id); err == nil {
			return k, nil
		}
	}
	kps, err := watchProgress(opts)
	if err != nil {
		return nil, err
	}
	var best *kata.Kata
	var bestTime time.Time
	for i, kp := range kps {
		k := opts.Catalog.All()[i]
		if kp.Status == assess.KataPassed || !ws.Started(k) {
			continue
		}
		if best == nil || kp.LastCheck.After(bestTime) {
			best, bestTime = k, kp.LastCheck
		}
	}
	if best == nil {
		return nil, usageErr("which kata? name one: procdojo kata watch ID (procdojo kata list shows them; start one with procdojo kata start ID)")
	}
	return best, nil
}

// watchProgress returns each kata of the catalogue with its status from the log.
func watchProgress(opts *kataWatchOptions) ([]assess.KataProgress, error) {
	recs, err := readHistory(opts.IO, opts.Log)
	if err != nil {
		return nil, err
	}
	var ks []assess.Kata
	for _, k := range opts.Catalog.All() {
		ks = append(ks, assess.Kata{ID: k.ID, Title: k.Title, Level: k.Level, Lang: k.Lang, Topics: k.Topics})
	}
	return assess.KataProgressOf(ks, recs), nil
}

// nextKataAfter returns the first kata after k, in catalogue order and wrapping round, that
// is not passed.
func nextKataAfter(opts *kataWatchOptions, k *kata.Kata) (*kata.Kata, bool) {
	kps, err := watchProgress(opts)
	if err != nil {
		return nil, false
	}
	i := 0
	for j, kp := range kps {
		if kp.ID == k.ID {
			i = j
		}
	}
	next, ok := assess.NextAfter(kps, i)
	if !ok || next.ID == k.ID {
		return nil, false
	}
	nk, err := opts.Catalog.Get(next.ID)
	return nk, err == nil
}
