package cli

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/procdojo/procdojo/internal/assess"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/katas"
)

// standingSource says where loadStanding reads from. The zero value reads the built-in
// banks and katas and an empty history.
type standingSource struct {
	Log   *progress.Log    // nil: no history
	Banks []string         // bank files or folders; none: the built-in banks
	Katas []assess.Kata    // nil: the built-in catalogue
	Now   func() time.Time // nil: time.Now
}

// loadStanding loads what score, next and review read: the banks, the katas and the
// history, as of now. Damaged lines of the log are reported on stderr as warnings and
// skipped, and so are records dated in the future (with one warning for all of them). It
// stops once ctx is done.
func loadStanding(ctx context.Context, ios *iostreams.IOStreams, src standingSource) (assess.Input, error) {
	qs, err := loadBanks(ctx, ios, src.Banks)
	if err != nil {
		return assess.Input{}, err
	}
	ks := src.Katas
	if ks == nil {
		if ks, err = assessKatas(); err != nil {
			return assess.Input{}, err
		}
	}
	recs, err := readHistoryContext(ctx, ios, src.Log)
	if err != nil {
		return assess.Input{}, err
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	in := assess.Input{Questions: qs, Katas: ks, Now: now()}
	var future int
	var latest time.Time
	in.Records, future, latest = assess.DropFuture(recs, in.Now)
	if future > 0 {
		fmt.Fprintf(ios.ErrOut, "warning: %s holds %d record(s) dated in the future (up to %s); they are left out. Is the system clock right?\n",
			progress.FileName, future, latest.Format(time.DateOnly))
	}
	return in, nil
}

// readHistory is readHistoryContext without a deadline.
func readHistory(ios *iostreams.IOStreams, log *progress.Log) ([]progress.Record, error) {
	return readHistoryContext(context.Background(), ios, log)
}

// readHistoryContext reads the log, printing the warnings for damaged lines on stderr (at
// most progress.MaxWarnings, then a count). A nil log is an empty history.
func readHistoryContext(ctx context.Context, ios *iostreams.IOStreams, log *progress.Log) ([]progress.Record, error) {
	if log == nil {
		return nil, nil
	}
	recs, warns, err := log.ReadContext(ctx)
	for _, w := range warns {
		fmt.Fprintf(ios.ErrOut, "warning: %s\n", w)
	}
	if ctx.Err() != nil {
		return nil, interrupted()
	}
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: err}
	}
	return recs, nil
}

// assessKatas returns the built-in kata catalogue as assess needs it: id, title, level,
// topics and whether the kata is started in the workspace found from $PROCDOJO_WORKSPACE or
// the current folder, in catalogue order (level, then id).
func assessKatas() ([]assess.Kata, error) {
	c, err := katas.Catalog()
	if err != nil {
		return nil, &ExitError{Code: ExitFailure, Err: fmt.Errorf("the built-in katas: %w", err)}
	}
	// The workspace, when there is one, tells which katas are started; a missing one is fine.
	cwd, _ := os.Getwd()
	ws, _ := kata.FindWorkspace("", os.Getenv(kata.EnvWorkspace), cwd)
	out := make([]assess.Kata, 0, len(c.All()))
	for _, k := range c.All() {
		out = append(out, assess.Kata{ID: k.ID, Title: k.Title, Level: k.Level, Lang: k.Lang, Topics: k.Topics, Started: ws != nil && ws.Started(k)})
	}
	return out, nil
}
