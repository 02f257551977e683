// A solution whose Output is right but whose Add prints a line on every call.
package fixture

import (
	"context"
	"fmt"
	"os/exec"
)

// Add returns a plus b.
func Add(a, b int) int {
	fmt.Printf("adding %d and %d\n", a, b)
	return a + b
}

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) {
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}
