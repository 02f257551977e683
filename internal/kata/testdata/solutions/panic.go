// A solution that panics in Add, which ends the test binary.
package fixture

import "context"

// Add returns a plus b.
func Add(a, b int) int { panic("fixture: Add is broken") }

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) { return "", nil }
