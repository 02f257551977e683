// A solution that hangs after starting a grandchild of go test (a "sleep 300" it never
// waits for), whose pid it writes to grandchild.pid in the package folder (renamed into
// place, so that a reader never sees it half written).
package fixture

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// Add returns a plus b.
func Add(a, b int) int { return a + b }

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) {
	sleep := exec.Command("sleep", "300")
	if err := sleep.Start(); err != nil {
		return "", err
	}
	if err := os.WriteFile(".grandchild.pid", []byte(strconv.Itoa(sleep.Process.Pid)), 0o644); err != nil {
		return "", err
	}
	if err := os.Rename(".grandchild.pid", "grandchild.pid"); err != nil {
		return "", err
	}
	time.Sleep(time.Hour)
	return "", nil
}
