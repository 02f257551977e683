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
	os.Exit(m.Run())
}

// procdojoCommandEnv returns the environment for a child that runs procdojo.
func procdojoCommandEnv(extra ...string) []string {
	return append(append(os.Environ(), mainEnv+"=1", "NO_COLOR=1"), extra...)
}
