//go:build unix

package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/katas"
)

// firstKata returns a kata of the built-in catalogue, whichever it is.
func firstKata(t *testing.T) *kata.Kata {
	t.Helper()
	cat, err := katas.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.All()) == 0 {
		t.Skip("no built-in kata")
	}
	return cat.All()[0]
}

// TestKataCheckCtrlC runs procdojo kata check on a solution whose package hangs in an init
// function after starting a grandchild ("sleep 300"), then sends procdojo SIGINT, as Ctrl-C
// in a terminal does (go test, in its own process group, gets nothing from the terminal):
// exit status 130 and no process left.
func TestKataCheckCtrlC(t *testing.T) {
	t.Parallel()
	k := firstKata(t)
	ws, err := kata.InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Start(k, false); err != nil {
		t.Fatal(err)
	}
	pidFile := filepath.Join(ws.KataDir(k), "grandchild.pid")
	hang := fmt.Sprintf(`package %s

import (
	"os"
	"os/exec"
	"strconv"
	"time"
)

func init() {
	sleep := exec.Command("sleep", "300")
	if err := sleep.Start(); err != nil {
		panic(err)
	}
	os.WriteFile(%q, []byte(strconv.Itoa(sleep.Process.Pid)), 0o644)
	time.Sleep(time.Hour)
}
`, k.Package, pidFile)
	if err := os.WriteFile(filepath.Join(ws.KataDir(k), "hang.go"), []byte(hang), 0o644); err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "--data-dir", t.TempDir(), "kata", "check", "--workspace", ws.Dir, k.ID)
	cmd.Env = procdojoCommandEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the solution never started its grandchild; output:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != ExitInterrupted {
		t.Errorf("procdojo kata check after SIGINT = %v; want exit status %d\n%s", err, ExitInterrupted, out.String())
	}
	if !strings.Contains(out.String(), "interrupted") {
		t.Errorf("output = %q; want it to say interrupted", out.String())
	}
	b, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(string(b))
	for deadline := time.Now().Add(10 * time.Second); processAlive(pid); {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("grandchild %d survived the interrupted check", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processAlive reports whether pid exists and is not a zombie (Linux), as the katas tests do.
func processAlive(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return false
	}
	if runtime.GOOS != "linux" {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	return i < 0 || i+2 >= len(stat) || stat[i+2] != 'Z'
}

// TestKataResetTerminal answers kata reset's confirmation in a pseudo-terminal.
func TestKataResetTerminal(t *testing.T) {
	t.Parallel()
	k := firstKata(t)
	ws, err := kata.InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(ws.KataDir(k), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ws.File(k), []byte("my work\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := startTerminal(t, "kata", "reset", "--workspace", ws.Dir, k.ID)
	s.step("[y/N]", "y\r")
	s.step("Restored the starter")
	if code := s.exitCode(); code != 0 {
		t.Errorf("procdojo kata reset exit status = %d; want 0\nscreen:\n%s", code, s.raw.String())
	}
	if b, _ := os.ReadFile(ws.File(k) + ".bak"); string(b) != "my work\n" {
		t.Errorf(".bak = %q; want the old file", b)
	}
}
