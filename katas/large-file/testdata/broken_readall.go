// Broken: reads the whole input into memory before starting the child.
package largefile

import (
	"bytes"
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

// Filter runs name with args as a filter from in to out.
func Filter(ctx context.Context, in io.Reader, out io.Writer, name string, args ...string) (Result, error) {
	data, err := io.ReadAll(in) // the mistake: 100 MB of input is 100 MB of heap
	if err != nil {
		return Result{}, fmt.Errorf("largefile: reading the input: %w", err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	cmd := exec.CommandContext(runCtx, name, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return Result{}, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("largefile: starting %q: %w", name, err)
	}
	var inN int64
	var feedErr error
	fed := make(chan struct{})
	go func() {
		defer close(fed)
		inN, feedErr = io.Copy(stdin, bytes.NewReader(data))
		stdin.Close()
	}()
	outN, copyErr := io.Copy(out, stdout)
	if copyErr != nil {
		stop()
	}
	<-fed
	waitErr := cmd.Wait()
	res := Result{In: inN, Out: outN}
	switch {
	case ctx.Err() != nil:
		return res, ctx.Err()
	case copyErr != nil:
		return res, fmt.Errorf("largefile: writing the output: %w", copyErr)
	case waitErr != nil:
		return res, fmt.Errorf("largefile: %q: %w", name, waitErr)
	case feedErr != nil:
		return res, fmt.Errorf("largefile: feeding %q: %w", name, feedErr)
	}
	return res, nil
}
