// Package batch converts many files by running a converter program per file, a few at a
// time.
package batch

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"time"
)

// Result is the outcome of converting one file.
type Result struct {
	File string // the file, as given to ConvertAll
	Err  error  // nil if the converter exited with status 0; see ConvertAll
}

// ConvertAll converts every file by running the converter — the program name with args, and
// then the file as its last argument — with at most limit converters running at once (limit
// below 1 means 1). It returns one Result per file, in the order of files.
//
// A converter that fails fails only its own file: that Result's Err wraps the
// *exec.ExitError and quotes the first line the converter wrote to stderr, and the other
// files go on. When ctx ends, no new converter starts, the running ones are killed, and
// every file not converted by then gets an Err wrapping ctx's error.
func ConvertAll(ctx context.Context, files []string, limit int, name string, args ...string) []Result {
	limit = max(limit, 1)
	results := make([]Result, len(files))
	// sem holds one token per running converter. Taking a token before starting the
	// goroutine, rather than inside it, keeps the goroutines bounded too, not just the
	// children.
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, file := range files {
		results[i].File = file
		// Wait for a free slot, or for ctx to end. Once ctx is done, no converter starts
		// (a token the select may still take is never needed again).
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if err := ctx.Err(); err != nil {
			results[i].Err = fmt.Errorf("batch: %s: not converted: %w", file, err)
			continue
		}
		// Each goroutine writes only its own element, so the results keep the order of
		// files whatever order the converters finish in.
		wg.Go(func() {
			defer func() { <-sem }()
			results[i].Err = convert(ctx, file, name, args)
		})
	}
	wg.Wait()
	return results
}

// maxStderr bounds how much of a converter's stderr is kept for its error message.
const maxStderr = 4 << 10

// convert runs the converter on one file.
func convert(ctx context.Context, file, name string, args []string) error {
	// slices.Concat copies: append(args, file) could write every file into the same spare
	// capacity of the caller's args, from many goroutines at once.
	cmd := exec.CommandContext(ctx, name, slices.Concat(args, []string{file})...)
	stderr := &headBuffer{max: maxStderr}
	cmd.Stderr = stderr
	cmd.WaitDelay = time.Second // if a grandchild holds stderr open after the kill
	err := cmd.Run()
	switch {
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("batch: %s: %w", file, ctx.Err())
	case err != nil:
		if line, _, _ := strings.Cut(strings.TrimSpace(string(stderr.buf)), "\n"); line != "" {
			return fmt.Errorf("batch: %s: %w: %q", file, err, line)
		}
		return fmt.Errorf("batch: %s: %w", file, err)
	}
	return nil
}

// headBuffer keeps the first max bytes written to it and drops the rest.
type headBuffer struct {
	buf []byte
	max int
}

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := h.max - len(h.buf); room > 0 {
		h.buf = append(h.buf, p[:min(room, len(p))]...)
	}
	return len(p), nil
}
