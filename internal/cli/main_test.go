package cli

import (
	"os"
	"strings"
	"testing"

	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
)

// mainEnv makes the test binary run procdojo itself, so end-to-end tests start the real
// program as a child process without building it separately.
const mainEnv = "PROCDOJO_TEST_MAIN"

// peakEnv, when set in a child that runs procdojo, names a file where the child writes its
// own peak memory (see writePeak) before it exits.
const peakEnv = "PROCDOJO_TEST_PEAK"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		code := Main(iostreams.System(), append([]string{"procdojo"}, os.Args[1:]...))
		if p := os.Getenv(peakEnv); p != "" {
			writePeak(p)
		}
		os.Exit(code)
	}
	// The checks the tests run cache their test binaries in a folder of this run, not in
	// the user's cache (go's build cache stays the user's).
	cache, err := os.MkdirTemp("", "procdojo-cli-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv(kata.CacheEnv, cache)
	code := m.Run()
	os.RemoveAll(cache)
	os.Exit(code)
}

// writePeak writes the process's peak resident memory, in kB, to path: the VmHWM line of
// /proc/self/status, which counts this program alone. (The kernel's rusage of a child, on
// Linux, also counts the parent's peak, as os/exec starts the child sharing the parent's
// memory until exec.) Nothing is written where there is no /proc.
func writePeak(path string) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			os.WriteFile(path, []byte(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))), 0o600)
		}
	}
}

// procdojoCommandEnv returns the environment for a child that runs procdojo.
func procdojoCommandEnv(extra ...string) []string {
	return append(append(os.Environ(), mainEnv+"=1", "NO_COLOR=1"), extra...)
}
