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

func runReaped(context.Context, string, []string, string, []string, string, func(io.Reader) error, io.Writer) (reaped, error) {
	return reaped{}, ErrUnsupported
}

// reaped is what a reaper reported; checks never run on this OS.
type reaped struct {
	exit      *procExit
	leftovers int
}

type procExit struct {
	Desc string
	Code int
}
