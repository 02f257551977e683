package kata

import (
	"os"
	"path/filepath"
	"testing"
)

// fixtureDir holds the engine's test kata, "fixture" (katas/testdata is not embedded).
const fixtureDir = "testdata/katas"

// fixtureKata loads the test kata.
func fixtureKata(t testing.TB) *Kata {
	t.Helper()
	c, err := Load(os.DirFS(fixtureDir), fixtureDir)
	if err != nil {
		t.Fatalf("Load(%s) = %v; want no problems", fixtureDir, err)
	}
	k, err := c.Get("fixture")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// workspaceWith returns a new workspace in which kata k is started with the solution
// testdata/solutions/<solution>.go.
func workspaceWith(t testing.TB, k *Kata, solution string) *Workspace {
	t.Helper()
	ws, err := InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join("testdata", "solutions", solution+".go"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, ws.File(k), string(src))
	return ws
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
