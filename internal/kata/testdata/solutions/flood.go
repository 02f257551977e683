// A correct solution that floods standard output: 8 MiB in lines, then one 2 MiB line.
package fixture

import (
	"bytes"
	"context"
	"os"
	"os/exec"
)

// Add returns a plus b.
func Add(a, b int) int {
	line := append(bytes.Repeat([]byte("flood "), 170), '\n') // 1021 bytes
	chunk := bytes.Repeat(line, 1024)
	for range 8 {
		os.Stdout.Write(chunk)
	}
	os.Stdout.Write(bytes.Repeat([]byte("x"), 2<<20))
	os.Stdout.Write([]byte("\n"))
	return a + b
}

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}
