// A correct solution that also leaves processes behind, out of the test binary's process
// group: a "sleep 1000" in a new session that holds the test binary's stdout, one in a new
// process group, and one whose parent (a shell) exits at once. Their pids go to escapees/,
// one file each, written whole (renamed into place).
package fixture

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Add returns a plus b.
func Add(a, b int) int { return a + b }

// Output runs name with args and returns what it wrote to standard output.
func Output(ctx context.Context, name string, args ...string) (string, error) {
	os.MkdirAll("escapees", 0o755)
	note := func(tag string, pid int) {
		tmp := filepath.Join("escapees", "."+tag)
		os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o644)
		os.Rename(tmp, filepath.Join("escapees", tag))
	}
	session := exec.Command("sleep", "1000")
	session.Stdout = os.Stdout // holds the pipe the checker reads
	session.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := session.Start(); err == nil {
		note("setsid", session.Process.Pid)
	}
	group := exec.Command("sleep", "1000")
	group.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := group.Start(); err == nil {
		note("setpgid", group.Process.Pid)
	}
	if out, err := exec.Command("sh", "-c", "sleep 1000 >/dev/null 2>&1 & echo $!").Output(); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(out))); err == nil {
			note("orphan", pid)
		}
	}
	out, err := exec.CommandContext(ctx, name, args...).Output()
	return string(out), err
}
