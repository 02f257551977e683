package cli

import (
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
// skipped.
func loadStanding(ios *iostreams.IOStreams, src standingSource) (assess.Input, error) {
	qs, err := loadBanks(ios, src.Banks)
	if err != nil {
		return assess.Input{}, err
	}
	ks := src.Katas
	if ks == nil {
		if ks, err = assessKatas(); err != nil {
			return assess.Input{}, err
		}
	}
	recs, err := readHistory(ios, src.Log)
	if err != nil {
		return assess.Input{}, err
	}
	now := time.Now
	if src.Now != nil {
		now = src.Now
	}
	return assess.Input{Records: recs, Questions: qs, Katas: ks, Now: now()}, nil
}

// readHistory reads the log, printing a warning on stderr for each damaged line. A nil log
// is an empty history.
func readHistory(ios *iostreams.IOStreams, log *progress.Log) ([]progress.Record, error) {
	if log == nil {
		return nil, nil
	}
	recs, warns, err := log.Read()
	for _, w := range warns {
		fmt.Fprintf(ios.ErrOut, "warning: %s\n", w)
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
