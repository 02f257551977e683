// Broken: lets os/exec copy to out, so a failing writer is reported as the child's broken pipe.
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

type counter struct {
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// Filter runs name with args as a filter from in to out.
func Filter(ctx context.Context, in io.Reader, out io.Writer, name string, args ...string) (Result, error) {
	var inN, outN counter
	cmd := exec.CommandContext(ctx, name, args...)
	// os/exec streams concurrently and closes stdin at EOF, all good so far. But when out
	// fails, its copier closes the pipe, the child dies of SIGPIPE, and Wait reports that
	// death instead of out's error (it reports copy errors only for a child that exited 0).
	cmd.Stdin = io.TeeReader(in, &inN)
	cmd.Stdout = io.MultiWriter(out, &outN)
	err := cmd.Run()
	res := Result{In: inN.n, Out: outN.n}
	if err != nil {
		return res, fmt.Errorf("largefile: %q: %w", name, err)
	}
	return res, nil
}
