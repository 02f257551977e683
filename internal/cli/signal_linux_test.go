package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalDuringLint interrupts "procdojo questions lint" while it reads a folder of 400
// banks: it must stop reading and exit 130, not finish and exit 1. inotify tells when the
// child has opened the folder, so the signal arrives while the work has just begun.
func TestSignalDuringLint(t *testing.T) {
	t.Parallel()
	bank, err := filepath.Abs("../../questions/junior.toml")
	if err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(t.TempDir(), "banks")
	os.Mkdir(folder, 0o700)
	for i := 0; i < 400; i++ {
		if err := os.Symlink(bank, filepath.Join(folder, fmt.Sprintf("bank%03d.toml", i))); err != nil {
			t.Fatal(err)
		}
	}
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Skipf("no inotify here: %v", err)
	}
	events := os.NewFile(uintptr(fd), "inotify")
	defer events.Close()
	if _, err := syscall.InotifyAddWatch(fd, folder, syscall.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	var sent time.Time
	r := runChild(t, childOptions{started: func(p *os.Process) {
		events.SetReadDeadline(time.Now().Add(time.Minute))
		if _, err := events.Read(make([]byte, 4096)); err != nil {
			t.Errorf("waiting for procdojo to open %s: %v", folder, err)
		}
		sent = time.Now()
		p.Signal(syscall.SIGINT)
	}}, "questions", "lint", folder)
	if r.code != ExitInterrupted || r.stdout != "" || !strings.Contains(r.stderr, "procdojo: interrupted") {
		t.Errorf("lint interrupted = exit %d, stdout %.500q, stderr %.500q; want 130, nothing on stdout, and \"interrupted\"", r.code, r.stdout, r.stderr)
	}
	if d := time.Since(sent); d > 10*time.Second {
		t.Errorf("lint ended %v after SIGINT; want well under a second", d)
	}
	t.Logf("lint ended %v after SIGINT, %v of CPU time in all", time.Since(sent).Round(time.Millisecond), r.cpu.Round(time.Millisecond))
}
