// Package batch converts many files by running a converter program per file, a few at a
// time.
package batch

import (
	"context"
	"errors"
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
	// TODO: a buffered channel of limit tokens bounds the converters; run each with
	// exec.CommandContext(ctx, name, args..., file) and keep its stderr for the error.
	results := make([]Result, len(files))
	for i, file := range files {
		results[i] = Result{File: file, Err: errors.New("not implemented")}
	}
	return results
}
