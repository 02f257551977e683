package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/katas"
)

// The whole-process cost of "procdojo kata check run-capture" against plain
// "go test -json -count=1" on the same package (the reference solution and tests on disk),
// measured side by side, alternating, in one run: after an edit of the file (both build),
// and for an unchanged file (procdojo reuses its cached test binary); then both on an empty
// build cache; and "kata check --all" against the same checks one by one:
//
//	go test -run '^$' -bench 'BenchmarkKataCheckVsGoTest' -benchtime 10x ./internal/cli/
//	go test -run '^$' -bench 'BenchmarkKataCheckColdCache' -benchtime 1x ./internal/cli/
//	go test -run '^$' -bench 'BenchmarkKataCheckAll' -benchtime 1x ./internal/cli/
//
// Each procdojo process is the test binary run as procdojo, as in bench_test.go.

func BenchmarkKataCheckVsGoTest(b *testing.B) {
	b.Run("edited", func(b *testing.B) { benchCheckVsGoTest(b, "run-capture", true, "") })
	b.Run("unchanged", func(b *testing.B) { benchCheckVsGoTest(b, "run-capture", false, "") })
	// A Node kata's test binary does not depend on the user's file: an edit builds nothing.
	b.Run("node-edited", func(b *testing.B) { benchCheckVsGoTest(b, "node-run-capture", true, "") })
}

// BenchmarkKataCheckColdCache compares the first check on an empty build cache (GOCACHE and
// procdojo's test binaries) with go test on an empty build cache.
func BenchmarkKataCheckColdCache(b *testing.B) {
	benchCheckVsGoTest(b, "run-capture", false, "cold")
}

// benchCheckVsGoTest alternates procdojo's check and go test of kata id's reference.
// edited appends a new comment to both files before each run; cold gives each run an empty
// GOCACHE (and procdojo an empty cache of test binaries).
func benchCheckVsGoTest(b *testing.B, id string, edited bool, cold string) {
	cat, err := katas.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	k, err := cat.Get(id)
	if err != nil {
		b.Skipf("no %s kata", id)
	}
	ws := startedWorkspace(b, k)
	// The same package for plain go test: the reference solution and tests as files.
	plain := b.TempDir()
	writeBench(b, filepath.Join(plain, "go.mod"), []byte("module example.com/plain\n\ngo "+kata.GoVersion+"\n"))
	src, _ := k.Solution()
	writeBench(b, filepath.Join(plain, k.FileName()), src)
	tests, err := k.TestFiles()
	if err != nil {
		b.Fatal(err)
	}
	for name, t := range tests {
		writeBench(b, filepath.Join(plain, name), t)
	}
	procdojo := benchCommand(b, ws.Dir, "kata", "check", k.ID)
	goTest := func() *exec.Cmd {
		cmd := exec.Command("go", "test", "-json", "-count=1", ".")
		cmd.Dir = plain
		cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
		return cmd
	}
	edits := 0
	edit := func() {
		edits++
		for _, p := range []string{ws.File(k), filepath.Join(plain, k.FileName())} {
			writeBench(b, p, append(append([]byte(nil), src...), fmt.Sprintf("\n// edit %d\n", edits)...))
		}
	}
	run := func(cmd *exec.Cmd) time.Duration {
		if cold != "" {
			cmd.Env = append(cmd.Env, "GOCACHE="+b.TempDir(), kata.CacheEnv+"="+b.TempDir())
		}
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
		}
		return time.Since(start)
	}
	if cold == "" {
		run(procdojo()) // warm the build caches for both
		run(goTest())
	}
	var ours, theirs time.Duration
	i := 0
	for b.Loop() {
		if edited {
			edit()
		}
		if i%2 == 0 {
			ours += run(procdojo())
			theirs += run(goTest())
		} else {
			theirs += run(goTest())
			ours += run(procdojo())
		}
		i++
	}
	b.ReportMetric(ours.Seconds()/float64(i), "procdojo-s/op")
	b.ReportMetric(theirs.Seconds()/float64(i), "gotest-s/op")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio")
}

func BenchmarkKataCheckAll(b *testing.B) {
	cat, err := katas.Catalog()
	if err != nil {
		b.Fatal(err)
	}
	ws := startedWorkspace(b, cat.All()...)
	all := benchCommand(b, ws.Dir, "kata", "check", "--all")
	if out, err := all().CombinedOutput(); err != nil { // warm the build cache
		b.Fatalf("kata check --all: %v\n%s", err, out)
	}
	var together, oneByOne time.Duration
	n := 0
	for b.Loop() {
		start := time.Now()
		if out, err := all().CombinedOutput(); err != nil {
			b.Fatalf("kata check --all: %v\n%s", err, out)
		}
		together += time.Since(start)
		start = time.Now()
		for _, k := range cat.All() {
			if out, err := benchCommand(b, ws.Dir, "kata", "check", k.ID)().CombinedOutput(); err != nil {
				b.Fatalf("kata check %s: %v\n%s", k.ID, err, out)
			}
		}
		oneByOne += time.Since(start)
		n++
	}
	b.ReportMetric(float64(len(cat.All())), "katas")
	b.ReportMetric(together.Seconds()/float64(n), "all-s/op")
	b.ReportMetric(oneByOne.Seconds()/float64(n), "one-by-one-s/op")
	b.ReportMetric(float64(together)/float64(oneByOne), "ratio")
}

// startedWorkspace returns a workspace in which each kata is solved with its reference.
func startedWorkspace(b *testing.B, ks ...*kata.Kata) *kata.Workspace {
	ws, err := kata.InitWorkspace(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for _, k := range ks {
		src, err := k.Solution()
		if err != nil {
			b.Fatal(err)
		}
		writeBench(b, ws.File(k), src)
	}
	return ws
}

// benchCommand returns a maker of commands that run procdojo with args in dir, with a
// throw-away data directory.
func benchCommand(b *testing.B, dir string, args ...string) func() *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	env := procdojoCommandEnv("PROCDOJO_HOME=" + b.TempDir())
	return func() *exec.Cmd {
		cmd := exec.Command(exe, args...)
		cmd.Dir = dir
		cmd.Env = env
		return cmd
	}
}

func writeBench(b *testing.B, path string, data []byte) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
}
