// Package fixture is the kata engine's test kata.
package fixture

import (
	"context"
	"os/exec"
)

// Add returns a plus b.
func Add(a, b int) int { return a + b }

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}
