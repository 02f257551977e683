// A solution that makes the reference tests skip: it sets the tests' own package state
// (outputUnavailable) so that TestOutput skips instead of failing.
package fixture

import "context"

func init() { outputUnavailable = true }

// Add returns a plus b.
func Add(a, b int) int { return a + b }

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) { return "", nil }
