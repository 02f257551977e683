// A solution whose Add prints without end.
package fixture

import (
	"bytes"
	"context"
	"os"
)

// Add returns a plus b.
func Add(a, b int) int {
	line := append(bytes.Repeat([]byte("endless "), 127), '\n') // 1017 bytes
	chunk := bytes.Repeat(line, 64)
	for {
		os.Stdout.Write(chunk)
	}
}

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) { return "", nil }
