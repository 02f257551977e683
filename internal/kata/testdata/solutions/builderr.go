// A solution that does not compile: line 7 uses an undefined name.
package fixture

import "context"

// Add returns a plus b.
func Add(a, b int) int { return a + b + undefinedName }

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) { return "", nil }
