package cli

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// BenchmarkLintVsVersion measures the whole-process cost of `procdojo questions lint` (load
// and check every built-in bank) against `procdojo --version` (start-up alone), alternating
// the two in one run so both see the same machine:
//
//	go test -run '^$' -bench BenchmarkLintVsVersion -benchtime 200x ./internal/cli/
//
// Each iteration starts the test binary as procdojo, so both pay the same start-up.
func BenchmarkLintVsVersion(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	env := procdojoCommandEnv()
	run := func(args ...string) time.Duration {
		cmd := exec.Command(exe, args...)
		cmd.Env = env
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("procdojo %v: %v\n%s", args, err, out)
		}
		return time.Since(start)
	}
	var lint, version time.Duration
	n := 0
	for b.Loop() {
		if n%2 == 0 {
			lint += run("questions", "lint")
			version += run("--version")
		} else {
			version += run("--version")
			lint += run("questions", "lint")
		}
		n++
	}
	b.ReportMetric(float64(lint.Microseconds())/1000/float64(n), "lint-ms/op")
	b.ReportMetric(float64(version.Microseconds())/1000/float64(n), "version-ms/op")
	b.ReportMetric(float64(lint)/float64(version), "ratio")
}
