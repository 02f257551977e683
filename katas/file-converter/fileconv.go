// Package fileconv is a file-conversion service: it converts a queue of files, a few at a
// time, each with a converter process, and reports the overall progress of the batch.
//
// The converter is run as NAME ARGS... INPUT. It writes the converted file on its stdout,
// and on its stderr lines of progress, "progress=NN%", among other messages.
package fileconv

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
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
	results := make([]Result, len(jobs))
	prog := newProgress(len(jobs), s.OnProgress)
	slots := make(chan struct{}, max(s.Workers, 1))
	var wg sync.WaitGroup
	for i, job := range jobs {
		results[i].Job = job
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			results[i].Err = fmt.Errorf("fileconv: %q not converted: %w", job.Input, ctx.Err())
			prog.finish(i)
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			results[i].Err = s.convert(ctx, job, func(p int) { prog.update(i, p) })
			prog.finish(i)
		})
	}
	wg.Wait()
	return results
}

// convert runs one converter, writing to a temporary file that becomes job.Output only if
// the converter succeeds.
func (s *Service) convert(ctx context.Context, job Job, onProgress func(int)) (err error) {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("fileconv: %q not converted: %w", job.Input, err)
	}
	// In Output's directory, so that the rename is atomic: same file system. A dot file,
	// so that nobody takes it for a result.
	tmp, err := os.CreateTemp(filepath.Dir(job.Output), "."+filepath.Base(job.Output)+".tmp-*")
	if err != nil {
		return fmt.Errorf("fileconv: %q: %w", job.Input, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()

	cmd := exec.CommandContext(ctx, s.Name, append(append([]string{}, s.Args...), job.Input)...)
	cmd.Stdout = tmp // an *os.File: the converter writes to it directly
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("fileconv: %q: %w", job.Input, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("fileconv: %q: %w", job.Input, err)
	}
	last := readStderr(stderr, onProgress) // until EOF, before Wait
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("fileconv: %q not converted: %w", job.Input, ctx.Err())
		}
		return fmt.Errorf("fileconv: converting %q: %w: %q", job.Input, err, last)
	}

	// The converter succeeded: make the whole file appear at once.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("fileconv: %q: %w", job.Input, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("fileconv: %q: %w", job.Input, err)
	}
	if err := os.Rename(tmp.Name(), job.Output); err != nil {
		return fmt.Errorf("fileconv: %q: %w", job.Input, err)
	}
	return nil
}

// readStderr reads a converter's stderr to the end, passes each "progress=NN%" to
// onProgress, and returns the last other line.
func readStderr(r io.Reader, onProgress func(int)) (last string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "progress="); ok {
			if p, err := strconv.Atoi(strings.TrimSuffix(v, "%")); err == nil {
				onProgress(p)
				continue
			}
		}
		if line != "" {
			last = line
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, os.ErrClosed) {
		last = "reading stderr: " + err.Error()
	}
	return last
}

// progress aggregates the progress of a batch of jobs.
type progress struct {
	mu       sync.Mutex
	percent  []int // each job's: at most 99 until it finishes, then 100
	sum      int   // of percent
	reported int   // the last overall percentage reported
	on       func(int)
}

func newProgress(n int, on func(int)) *progress {
	return &progress{percent: make([]int, n), on: on}
}

// update records that job i reported p percent.
func (g *progress) update(i, p int) {
	g.set(i, min(p, 99))
}

// finish records that job i is done, whatever its outcome.
func (g *progress) finish(i int) {
	g.set(i, 100)
}

// set raises job i's percentage to p, if that is higher, and reports the overall
// percentage if it grew. The callback runs under the lock: calls never overlap, and come in
// the order of the values.
func (g *progress) set(i, p int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if p <= g.percent[i] {
		return // a converter's progress never goes back
	}
	g.sum += p - g.percent[i]
	g.percent[i] = p
	if overall := g.sum / len(g.percent); overall > g.reported {
		g.reported = overall
		if g.on != nil {
			g.on(overall)
		}
	}
}
