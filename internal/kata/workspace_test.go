package kata

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestInitWorkspace(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "ws")
	ws, err := InitWorkspace(dir)
	if err != nil {
		t.Fatalf("InitWorkspace(%s) = %v", dir, err)
	}
	for _, name := range WorkspaceFiles() {
		got, err := os.ReadFile(filepath.Join(ws.Dir, name))
		want, _ := WorkspaceFile(name)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
	// Twice is fine, and keeps what the user changed.
	writeFile(t, filepath.Join(dir, "README.md"), "mine\n")
	if _, err := InitWorkspace(dir); err != nil {
		t.Errorf("InitWorkspace twice = %v; want nil", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "README.md")); string(b) != "mine\n" {
		t.Errorf("README.md after a second init = %q; want the user's", b)
	}
	other := t.TempDir()
	writeFile(t, filepath.Join(other, "go.mod"), "module example.com/other\n\ngo 1.22\n")
	if _, err := InitWorkspace(other); err == nil || !strings.Contains(err.Error(), "another module") {
		t.Errorf("InitWorkspace(a folder with another go.mod) = %v; want an error naming another module", err)
	}
}

func TestFindWorkspace(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	ws := filepath.Join(root, "ws")
	checkout := filepath.Join(root, "checkout")
	plain := filepath.Join(root, "plain", "deep")
	for _, d := range []string{ws, filepath.Join(checkout, "solutions")} {
		if _, err := InitWorkspace(d); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{filepath.Join(ws, "run-capture", "sub"), filepath.Join(checkout, "katas"), plain} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name           string
		flag, env, cwd string
		want           string // the workspace found, or "" for an error
		errIs          error
		errText        string
	}{
		{name: "flag", flag: ws, env: plain, cwd: plain, want: ws},
		{name: "flag not a workspace", flag: plain, cwd: ws, errIs: ErrNoWorkspace, errText: `procdojo kata init`},
		{name: "env", env: ws, cwd: plain, want: ws},
		{name: "env not a workspace", env: plain, cwd: ws, errIs: ErrNoWorkspace, errText: "$PROCDOJO_WORKSPACE"},
		{name: "cwd is the workspace", cwd: ws, want: ws},
		{name: "walk up", cwd: filepath.Join(ws, "run-capture", "sub"), want: ws},
		{name: "checkout's solutions", cwd: filepath.Join(checkout, "katas"), want: filepath.Join(checkout, "solutions")},
		{name: "checkout root", cwd: checkout, want: filepath.Join(checkout, "solutions")},
		{name: "none", cwd: plain, errIs: ErrNoWorkspace, errText: `make one with "procdojo kata init DIR"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FindWorkspace(tc.flag, tc.env, tc.cwd)
			if tc.want != "" {
				if err != nil || got.Dir != tc.want {
					t.Errorf("FindWorkspace(%q, %q, %q) = %v, %v; want %s", tc.flag, tc.env, tc.cwd, got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, tc.errIs) || !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("FindWorkspace(%q, %q, %q) error = %v; want %v saying %q", tc.flag, tc.env, tc.cwd, err, tc.errIs, tc.errText)
			}
		})
	}
}

func TestStartReset(t *testing.T) {
	t.Parallel()
	k := fixtureKata(t)
	starter, _ := k.Starter()
	ws, err := InitWorkspace(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	c := newCatalog([]*Kata{k}, nil)
	if got := ws.StartedKatas(c); len(got) != 0 {
		t.Errorf("StartedKatas before Start = %d katas; want 0", len(got))
	}
	if _, err := ws.Reset(k); !errors.Is(err, ErrNotStarted) {
		t.Errorf("Reset(not started) = %v; want ErrNotStarted", err)
	}
	p, err := ws.Start(k, false)
	if err != nil || p != filepath.Join(ws.Dir, "fixture", "fixture.go") {
		t.Fatalf("Start = %q, %v; want <ws>/fixture/fixture.go", p, err)
	}
	assertFile(t, p, string(starter))
	if got := ws.StartedKatas(c); len(got) != 1 {
		t.Errorf("StartedKatas after Start = %d katas; want 1", len(got))
	}
	writeFile(t, p, "my work\n")
	if _, err := ws.Start(k, false); !errors.Is(err, ErrStarted) {
		t.Errorf("Start(started, no force) = %v; want ErrStarted", err)
	}
	assertFile(t, p, "my work\n")
	if _, err := ws.Start(k, true); err != nil {
		t.Fatalf("Start(force) = %v", err)
	}
	assertFile(t, p, string(starter))
	assertFile(t, p+".bak", "my work\n")
	writeFile(t, p, "more work\n")
	bak, err := ws.Reset(k)
	if err != nil || bak != p+".bak" {
		t.Fatalf("Reset = %q, %v; want %q", bak, err, p+".bak")
	}
	assertFile(t, p, string(starter))
	assertFile(t, bak, "more work\n")
}

func assertFile(t *testing.T, path, want string) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Errorf("%s = %.60q, %v; want %.60q", path, got, err, want)
	}
}

// TestRepoSolutions checks that the repository's solutions/ folder is a workspace as
// InitWorkspace makes one, and that its go line is the root module's. Rewrite it with
//
//	go test ./internal/kata -run TestRepoSolutions -update
func TestRepoSolutions(t *testing.T) {
	dir := filepath.Join("..", "..", "solutions")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range WorkspaceFiles() {
			content, _ := WorkspaceFile(name)
			writeFile(t, filepath.Join(dir, name), content)
		}
	}
	for _, name := range WorkspaceFiles() {
		want, _ := WorkspaceFile(name)
		assertFile(t, filepath.Join(dir, name), want)
	}
	root, err := os.ReadFile(filepath.Join("..", "..", "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\S+)$`).FindSubmatch(root)
	if m == nil || string(m[1]) != GoVersion {
		t.Errorf("the root go.mod's go line = %q; want GoVersion %q (keep them equal so katas compile alike)", m, GoVersion)
	}
}
