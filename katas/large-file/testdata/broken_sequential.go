// Broken: writes all of stdin before reading any stdout, so both sides block on full pipes.
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

// Filter runs name with args as a filter from in to out.
func Filter(ctx context.Context, in io.Reader, out io.Writer, name string, args ...string) (Result, error) {
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
	var res Result
	// The mistake: first all the input, then all the output. Once the child's stdout pipe
	// is full it stops reading stdin, and this copy never ends.
	res.In, err = io.Copy(stdin, in)
	stdin.Close()
	if err != nil {
		stop()
		cmd.Wait()
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, fmt.Errorf("largefile: feeding %q: %w", name, err)
	}
	res.Out, err = io.Copy(out, stdout)
	if err != nil {
		stop()
		cmd.Wait()
		return res, fmt.Errorf("largefile: writing the output: %w", err)
	}
	if err := cmd.Wait(); err != nil {
		return res, fmt.Errorf("largefile: %q: %w", name, err)
	}
	return res, nil
}
