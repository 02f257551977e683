package cli

import (
	"os"
	"testing"

	"github.com/procdojo/procdojo/internal/iostreams"
)

// mainEnv makes the test binary run procdojo itself, so end-to-end tests start the real
// program as a child process without building it separately.
const mainEnv = "PROCDOJO_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(mainEnv) == "1" {
		os.Exit(Main(iostreams.System(), append([]string{"procdojo"}, os.Args[1:]...)))
	}
	// The checks the tests run cache their test binaries in a folder of this run, not in
	// the user's cache.
	cache, err := os.MkdirTemp("", "procdojo-cli-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", cache)
	code := m.Run()
	os.RemoveAll(cache)
	os.Exit(code)
}

// procdojoCommandEnv returns the environment for a child that runs procdojo.
func procdojoCommandEnv(extra ...string) []string {
	return append(append(os.Environ(), mainEnv+"=1", "NO_COLOR=1"), extra...)
}
