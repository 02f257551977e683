//go:build unix

package questions_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/procdojo/procdojo/quiz"
)

// TestCodeQuestions runs every code question and checks that its output is exactly the
// text of the right choice. A program gets codeTimeout to finish; one that hangs fails with
// what it printed so far.
//
// Stress mode proves the questions deterministic: it runs each one N times, P at a time
// across all questions, and fails on any run whose output differs:
//
//	PROCDOJO_STRESS=100 PROCDOJO_STRESS_PARALLEL=4 go test ./questions -run TestCodeQuestions -timeout 60m
func TestCodeQuestions(t *testing.T) {
	t.Parallel()
	runs, par := stressSettings(t)
	nodePath, nodeErr := exec.LookPath("node")
	sem := make(chan struct{}, par)
	for _, q := range load(t) {
		if q.Run == "" {
			continue
		}
		t.Run(q.ID, func(t *testing.T) {
			t.Parallel()
			if q.Run == "node" && nodeErr != nil {
				t.Skipf("skipping %s: node is not installed (%v)", q.ID, nodeErr)
			}
			argv := snippetCommand(t, q, nodePath)
			want := strings.TrimRight(q.Options()[q.Correct()[0]-1], " \t\r\n")
			var wg sync.WaitGroup
			var mu sync.Mutex
			differ := 0
			for i := range runs {
				wg.Add(1)
				sem <- struct{}{}
				go func() {
					defer wg.Done()
					defer func() { <-sem }()
					got, err := runSnippet(argv, codeTimeout)
					if err == nil && got == want {
						return
					}
					mu.Lock()
					defer mu.Unlock()
					differ++
					if differ > 3 {
						return // the first few are enough to read
					}
					if err != nil {
						t.Errorf("%s: %s, run %d of %d: %v; it printed so far:\n%s", q.Pos, q.ID, i+1, runs, err, got)
						return
					}
					t.Errorf("%s: %s, run %d of %d, prints\n%s\nbut the right choice (%d) says\n%s", q.Pos, q.ID, i+1, runs, got, q.Correct()[0], want)
				}()
			}
			wg.Wait()
			if differ > 0 && runs > 1 {
				t.Errorf("%s: %s differed in %d of %d runs", q.Pos, q.ID, differ, runs)
			}
		})
	}
}

// codeTimeout bounds one run of a code question (a build is bounded separately).
const codeTimeout = 30 * time.Second

// stressSettings reads PROCDOJO_STRESS (runs per question, default 1) and
// PROCDOJO_STRESS_PARALLEL (runs at once across all questions, default GOMAXPROCS).
func stressSettings(t *testing.T) (runs, par int) {
	runs, par = 1, runtime.GOMAXPROCS(0)
	for _, v := range []struct {
		name string
		dst  *int
	}{{"PROCDOJO_STRESS", &runs}, {"PROCDOJO_STRESS_PARALLEL", &par}} {
		s := os.Getenv(v.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive whole number", v.name, s)
		}
		*v.dst = n
	}
	return runs, par
}

// snippetCommand prepares q's code to run and returns the command line that runs it: for Go,
// the program is built once (with a deadline of its own) so that every run times only the
// program.
func snippetCommand(t *testing.T, q *quiz.Question, nodePath string) []string {
	t.Helper()
	dir := t.TempDir()
	switch q.Run {
	case "go":
		write(t, filepath.Join(dir, "go.mod"), "module snippet\n\ngo 1.26\n")
		write(t, filepath.Join(dir, "main.go"), q.Code)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		bin := filepath.Join(dir, "snippet")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=-mod=mod")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: building %s: %v\n%s", q.Pos, q.ID, err, out)
		}
		return []string{bin}
	case "node":
		p := filepath.Join(dir, "snippet.js")
		write(t, p, q.Code)
		return []string{nodePath, p}
	}
	t.Fatalf("unknown runner %q", q.Run)
	return nil
}

// runSnippet runs argv in a fresh folder and returns its standard output with trailing
// space trimmed. The program runs in a process group of its own, which is killed at
// limit (and afterwards, for anything it left behind); then the error says so, and
// the output is what it printed until then. A non-zero exit is not an error: some snippets
// exit non-zero on purpose, and only their output counts.
func runSnippet(argv []string, limit time.Duration) (string, error) {
	dir, err := os.MkdirTemp("", "procdojo-snippet-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Start()
	if err == nil {
		err = cmd.Wait()
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	got := strings.TrimRight(stdout.String(), " \t\r\n")
	if ctx.Err() != nil {
		return got, fmt.Errorf("did not finish within %s (stderr: %q)", limit, stderr.String())
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return got, err
	}
	return got, nil
}

// TestRunSnippetHangs: a program that hangs fails at the limit with what it printed, and
// its process group (here a shell and its sleep, which holds the output pipe) is killed.
func TestRunSnippetHangs(t *testing.T) {
	t.Parallel()
	start := time.Now()
	got, err := runSnippet([]string{"sh", "-c", "echo partial; sleep 300 & wait"}, time.Second)
	if err == nil || got != "partial" || !strings.Contains(err.Error(), "did not finish within 1s") {
		t.Errorf("runSnippet(hang) = %q, %v; want the partial output and a time-out", got, err)
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("runSnippet(hang) returned after %v; want soon after the limit", d)
	}
}
