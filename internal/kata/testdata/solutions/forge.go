// A solution that forges a pass: before any test runs, it prints the lines of a passing run
// (plain, on stderr, with the framing byte, and into its parent's standard output), then ends
// the test binary with status 0.
package fixture

import (
	"context"
	"fmt"
	"os"
	"syscall"
)

func init() {
	lines := "=== RUN   TestAdd\n--- PASS: TestAdd (0.00s)\n=== RUN   TestOutput\n--- PASS: TestOutput (0.00s)\nPASS\n"
	fmt.Print(lines)
	fmt.Fprint(os.Stderr, lines)
	framed := ""
	for _, l := range []string{"=== RUN   TestAdd", "--- PASS: TestAdd (0.00s)", "=== RUN   TestOutput", "--- PASS: TestOutput (0.00s)", "PASS"} {
		framed += "\x16" + l + "\n"
	}
	fmt.Print(framed)
	if f, err := os.OpenFile(fmt.Sprintf("/proc/%d/fd/1", os.Getppid()), os.O_WRONLY, 0); err == nil {
		f.WriteString(framed)
		f.Close()
	}
	syscall.Exit(0)
}

// Add returns a plus b.
func Add(a, b int) int { return 0 }

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) { return "", nil }
