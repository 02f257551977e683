package cli

import (
	"os"
	"os/exec"
	"testing"
)

// The whole-process cost of `procdojo questions lint` (load and check every built-in bank)
// against `procdojo --version` (start-up alone), measured side by side in one run:
//
//	go test -run '^$' -bench 'BenchmarkProcess' -count 5 ./internal/cli/
//
// Each iteration starts the test binary as procdojo, so both pay the same start-up.
func BenchmarkProcessVersion(b *testing.B) { benchProcess(b, "--version") }

func BenchmarkProcessLint(b *testing.B) { benchProcess(b, "questions", "lint") }

func benchProcess(b *testing.B, args ...string) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	env := procdojoCommandEnv()
	for b.Loop() {
		cmd := exec.Command(exe, args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("procdojo %v: %v\n%s", args, err, out)
		}
	}
}
