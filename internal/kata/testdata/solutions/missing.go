// A solution that lacks Output, which the reference tests call.
package fixture

// Add returns a plus b.
func Add(a, b int) int { return a + b }
