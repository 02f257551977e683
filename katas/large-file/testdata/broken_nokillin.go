// Broken: when the input fails, closes the child's stdin but does not kill it, so a child that does not exit at the end of its input keeps Filter waiting.
// Package largefile streams data of any size through a child process used as a filter.
package largefile

import (
	"context"
	"fmt"
	"io"
	"os/exec"
)

// Result counts the bytes that went through the filter.
type Result struct {
	In  int64 // bytes written to the child's standard input
	Out int64 // bytes copied from the child's standard output to the output
}

// bufSize is the size of each of the two copy buffers. The memory Filter needs is fixed by
// it, not by how much data flows through.
const bufSize = 64 << 10

// Filter runs the program name with args, streams in to its standard input and its standard
// output to out, and waits for it to exit. Both directions are copied at the same time
// through fixed-size buffers, so the data never has to fit in memory and a child that writes
// while it reads cannot deadlock against Filter. The child's stdin is closed as soon as in
// returns io.EOF: that is how the child learns the input is over. Its stderr is discarded.
//
// Filter returns when the child has exited and both copies are done. The error, if any, is
// the first that applies of: ctx's error, if ctx ended before the child (the child is
// killed); the error of in (other than io.EOF) or of out, after which the child is killed;
// the child's *exec.ExitError if it failed; an error writing to its stdin, when it exited
// without reading all the input. Each is wrapped, so errors.Is and errors.As see through.
func Filter(ctx context.Context, in io.Reader, out io.Writer, name string, args ...string) (Result, error) {
	// stop kills the child early when one end of the stream fails: without it, a child
	// whose output nobody reads blocks forever on a full pipe.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	cmd := exec.CommandContext(runCtx, name, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Result{}, fmt.Errorf("largefile: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, fmt.Errorf("largefile: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("largefile: starting %q: %w", name, err)
	}

	// Feed stdin from a goroutine while this one drains stdout. Done one after the other,
	// the two deadlock as soon as the child's output fills the stdout pipe (64 KiB on
	// Linux): the child blocks writing, stops reading, and then Filter blocks writing too.
	var (
		fed              = make(chan struct{})
		inN              int64
		readErr, feedErr error
	)
	go func() {
		defer close(fed)
		inN, readErr, feedErr = pump(stdin, in)
		// Closing stdin is the child's end of input; a filter waits for it before it
		// finishes its output and exits.
		if err := stdin.Close(); feedErr == nil {
			feedErr = err
		}
	}()
	outN, drainErr, writeErr := pump(out, stdout)
	if writeErr != nil {
		stop()
	}
	<-fed
	// Wait only after stdout reached EOF (or was abandoned): Wait closes the pipe.
	waitErr := cmd.Wait()

	res := Result{In: inN, Out: outN}
	switch {
	case ctx.Err() != nil:
		return res, fmt.Errorf("largefile: %q stopped: %w", name, ctx.Err())
	case readErr != nil:
		return res, fmt.Errorf("largefile: reading the input: %w", readErr)
	case writeErr != nil:
		return res, fmt.Errorf("largefile: writing the output: %w", writeErr)
	case waitErr != nil:
		return res, fmt.Errorf("largefile: %q: %w", name, waitErr)
	case drainErr != nil:
		return res, fmt.Errorf("largefile: reading the stdout of %q: %w", name, drainErr)
	case feedErr != nil:
		return res, fmt.Errorf("largefile: %q did not read all its input: %w", name, feedErr)
	}
	return res, nil
}

// pump copies src to dst through one fixed buffer until src returns io.EOF, like io.Copy,
// but reports a failing source (srcErr) apart from a failing destination (dstErr), since
// the caller reacts differently to each.
func pump(dst io.Writer, src io.Reader) (n int64, srcErr, dstErr error) {
	buf := make([]byte, bufSize)
	for {
		nr, rerr := src.Read(buf)
		if nr > 0 {
			nw, werr := dst.Write(buf[:nr])
			n += int64(nw)
			if werr == nil && nw < nr {
				werr = io.ErrShortWrite
			}
			if werr != nil {
				return n, nil, werr
			}
		}
		if rerr == io.EOF {
			return n, nil, nil
		}
		if rerr != nil {
			return n, rerr, nil
		}
	}
}
