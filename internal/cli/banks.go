package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/termsafe"
	"github.com/procdojo/procdojo/questions"
	"github.com/procdojo/procdojo/quiz"
)

// loadBanks loads the banks at paths, or the embedded banks when there are none. Bank
// problems are printed one per line on stderr and returned as a usage error (exit 2).
func loadBanks(ctx context.Context, ios *iostreams.IOStreams, paths []string) ([]*quiz.Question, error) {
	qs, err := loadBanksRaw(ctx, ios, paths)
	var ps quiz.Problems
	switch {
	case errors.As(err, &ps):
		for _, p := range ps {
			fmt.Fprintln(ios.ErrOut, p)
		}
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("%d problem(s) in the question banks; fix them, or check with procdojo questions lint", len(ps))}
	case ctx.Err() != nil:
		return nil, interrupted()
	case err != nil:
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return qs, nil
}

// loadBanksRaw loads without printing problems; a bad bank gives quiz.Problems. Entries of
// a bank folder that are skipped are reported on stderr as warnings. It stops between
// files once ctx is done.
func loadBanksRaw(ctx context.Context, ios *iostreams.IOStreams, paths []string) ([]*quiz.Question, error) {
	var (
		srcs []quiz.Source
		err  error
	)
	if len(paths) == 0 {
		srcs, err = quiz.SourcesFromFS(questions.FS)
	} else {
		srcs, err = quiz.ReadSources(ctx, paths, func(w string) {
			fmt.Fprintf(ios.ErrOut, "warning: %s\n", termsafe.Line(w))
		})
	}
	if err != nil {
		return nil, err
	}
	return quiz.LoadContext(ctx, srcs)
}
