// Package progressparse runs a long job, such as a transcoder, and reports its progress
// while it runs by parsing the updates the job writes on stderr.
package progressparse

import (
	"context"
	"errors"
)

// Run runs name with args, returns what it wrote on stdout, and calls onProgress (if not
// nil) with each new percentage, 0 to 100, as soon as the job reports it on stderr.
//
// Updates end with '\r' (redrawing one terminal line) or '\n'. Two forms are understood:
//
//	progress=42%                                     42
//	frame=  120 fps=30 ... time=00:00:04.00 ...      time / Duration, 50 if Duration was 8s
//
// where Duration comes from an earlier ffmpeg line such as "  Duration: 00:00:08.00, start:
// 0.000000, ...". Percentages are rounded down and reported only when they grow. Other
// stderr lines are noise, but the last one is quoted in the error if the job fails (the
// error then wraps *exec.ExitError). onProgress is called from Run's goroutine.
func Run(ctx context.Context, name string, args []string, onProgress func(percent int)) (string, error) {
	// TODO: collect stdout while reading stderr as it arrives, split it on '\r' and '\n',
	// turn "progress=NN%" and "time=" (against "Duration: ") into percentages, report
	// the ones that grow, then Wait.
	return "", errors.New("not implemented")
}
