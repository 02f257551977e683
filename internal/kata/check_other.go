//go:build !unix

package kata

import (
	"context"
	"io"
	"os"
)

// Supported reports whether katas can be checked on this OS: it needs process groups.
const Supported = false

func runGroup(context.Context, string, []string, string, []string, func(io.Reader) error, io.Writer) (*os.ProcessState, error) {
	return nil, ErrUnsupported
}

func exitInfo(ps *os.ProcessState) (string, int) {
	return ps.String(), ps.ExitCode()
}
