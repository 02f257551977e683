// A solution that ends the test binary: Add calls os.Exit(3).
package fixture

import (
	"context"
	"os"
)

// Add returns a plus b.
func Add(a, b int) int {
	os.Exit(3)
	return 0
}

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) { return "", nil }
