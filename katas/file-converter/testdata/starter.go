// Package fileconv is a file-conversion service: it converts a queue of files, a few at a
// time, each with a converter process, and reports the overall progress of the batch.
//
// The converter is run as NAME ARGS... INPUT. It writes the converted file on its stdout,
// and on its stderr lines of progress, "progress=NN%", among other messages.
package fileconv

import (
	"context"
	"errors"
)

// Job is one file to convert.
type Job struct {
	Input  string // the file to convert, given to the converter as its last argument
	Output string // where the converted file goes; it appears, whole, only if the conversion succeeds
}

// Result is the outcome of one job.
type Result struct {
	Job Job
	Err error // nil if the file was converted; see Convert
}

// Service converts files. Set its fields before calling Convert, and do not change them
// while Convert runs.
type Service struct {
	Name    string   // the converter program
	Args    []string // its first arguments; the input file comes after them
	Workers int      // the most converters running at once; less than 1 means 1

	// OnProgress, if not nil, is called with the overall progress of a Convert call, in
	// percent, each time it grows. Calls never overlap, and their percentages only grow.
	OnProgress func(percent int)
}

// Convert converts every job's Input into its Output, with at most s.Workers converters
// running at once, in the order of jobs, and returns one Result per job, in the same order.
//
// Each converter's stdout goes to a temporary file next to Output, renamed to Output when
// the converter exits with status 0, so Output never holds a partial file; on failure the
// temporary file is removed. A failure is the job's own: its Err wraps the *exec.ExitError
// and quotes the last line the converter wrote on stderr that was not progress, and the
// other jobs go on. When ctx ends, running converters are killed, no new one starts, and
// every job not converted by then has an Err wrapping ctx.Err().
//
// The overall progress is the mean of the jobs' progress. A job counts for 100% once it has
// finished, with success or not; until then, for the highest percentage its converter has
// reported, at most 99%. So the overall progress reaches 100 only when every job is done.
func (s *Service) Convert(ctx context.Context, jobs []Job) []Result {
	// TODO: run a converter per job, at most s.Workers at once; stream each one's stdout
	// into a temporary file next to Output and rename it on success; read stderr for
	// progress and messages; aggregate the progress of all jobs for OnProgress.
	results := make([]Result, len(jobs))
	for i, job := range jobs {
		results[i] = Result{Job: job, Err: errors.New("fileconv: not implemented")}
	}
	return results
}
