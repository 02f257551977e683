package cli

import (
	"errors"
	"fmt"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/questions"
	"github.com/procdojo/procdojo/quiz"
)

// loadBanks loads the banks at paths, or the embedded banks when there are none. Bank
// problems are printed one per line on stderr and returned as a usage error (exit 2).
func loadBanks(ios *iostreams.IOStreams, paths []string) ([]*quiz.Question, error) {
	qs, err := loadBanksRaw(paths)
	var ps quiz.Problems
	if errors.As(err, &ps) {
		for _, p := range ps {
			fmt.Fprintln(ios.ErrOut, p)
		}
		return nil, &ExitError{Code: ExitUsage, Err: fmt.Errorf("%d problem(s) in the question banks; fix them, or check with procdojo questions lint", len(ps))}
	}
	if err != nil {
		return nil, &ExitError{Code: ExitUsage, Err: err}
	}
	return qs, nil
}

// loadBanksRaw loads without printing; a bad bank gives quiz.Problems.
func loadBanksRaw(paths []string) ([]*quiz.Question, error) {
	var (
		srcs []quiz.Source
		err  error
	)
	if len(paths) == 0 {
		srcs, err = quiz.SourcesFromFS(questions.FS)
	} else {
		srcs, err = quiz.SourcesFromPaths(paths)
	}
	if err != nil {
		return nil, err
	}
	return quiz.Load(srcs)
}
