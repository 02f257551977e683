package kata

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Workspace files and settings.
const (
	// MarkerFile marks a folder as a workspace; FindWorkspace looks for it.
	MarkerFile = ".procdojo-workspace"
	// EnvWorkspace names the environment variable that points at the workspace.
	EnvWorkspace = "PROCDOJO_WORKSPACE"
	// ModulePath is the module path of every workspace's go.mod.
	ModulePath = "procdojo/solutions"
	// GoVersion is the go line of a workspace's go.mod: the language version the katas are
	// written in (the root module's).
	GoVersion = "1.26.0"
)

// Sentinel errors of the workspace; test with errors.Is.
var (
	ErrNoWorkspace = errors.New("no workspace")
	ErrStarted     = errors.New("kata already started")
	ErrNotStarted  = errors.New("kata not started")
)

// Workspace is a folder, a Go module of its own, holding the user's solutions: the user's
// file for kata id is <Dir>/<id>/<package>.go. Build one with InitWorkspace, OpenWorkspace
// or FindWorkspace.
type Workspace struct {
	Dir string // absolute
}

// workspaceFiles are the files InitWorkspace writes, by name.
var workspaceFiles = map[string]string{
	"go.mod":     "module " + ModulePath + "\n\ngo " + GoVersion + "\n",
	MarkerFile:   "# This folder is a procdojo workspace: your kata solutions live here, one folder per kata.\n# procdojo finds it by walking up from the current directory to this file.\n",
	".gitignore": "# The kata folders that \"procdojo kata start\" creates hold your own solutions.\n/*/\n",
	"README.md": `# procdojo workspace

This folder is a procdojo workspace: a Go module of its own (` + "`" + ModulePath + "`" + `, no
requirements) holding your kata solutions, one folder per kata.

    procdojo kata list              # the katas and your status in each
    procdojo kata start run-capture # writes run-capture/runcapture.go, the starter
    procdojo kata check run-capture # runs the kata's reference tests on your file
    procdojo kata hint run-capture  # one more hint each time

You edit one file per kata, <id>/<package>.go. "procdojo kata check" runs "go test" in the
kata's folder with the kata's reference tests taken from the procdojo binary, so test files
you add or edit here are left out of the check (write your own tests freely). The kata folders
are git-ignored; this README, go.mod, .gitignore and ` + "`" + MarkerFile + "`" + ` may be committed.

procdojo finds the workspace through --workspace DIR, the PROCDOJO_WORKSPACE variable, or
by walking up from the current directory to the ` + "`" + MarkerFile + "`" + ` file (also as
./solutions/` + MarkerFile + ` of each folder on the way, so a procdojo checkout finds its own
solutions/ folder). Being a separate module, it is never compiled by the root module's
"go test ./...".
`,
}

// WorkspaceFiles returns the names of the files a new workspace gets, sorted.
func WorkspaceFiles() []string {
	names := make([]string, 0, len(workspaceFiles))
	for n := range workspaceFiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// WorkspaceFile returns the content InitWorkspace writes to the workspace file name.
func WorkspaceFile(name string) (string, bool) {
	s, ok := workspaceFiles[name]
	return s, ok
}

// InitWorkspace makes dir a workspace, creating it if needed. Files already there are kept,
// but a go.mod of another module is an error. It is safe to run twice.
func InitWorkspace(dir string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("kata: %w", err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("kata: making the workspace: %w", err)
	}
	if b, err := os.ReadFile(filepath.Join(abs, "go.mod")); err == nil && !bytes.HasPrefix(b, []byte("module "+ModulePath+"\n")) {
		return nil, fmt.Errorf("kata: %q already holds a go.mod of another module; choose an empty folder for the workspace", abs)
	}
	for _, name := range WorkspaceFiles() {
		p := filepath.Join(abs, name)
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if err := os.WriteFile(p, []byte(workspaceFiles[name]), 0o644); err != nil {
			return nil, fmt.Errorf("kata: making the workspace: %w", err)
		}
	}
	return &Workspace{Dir: abs}, nil
}

// OpenWorkspace returns the workspace at dir, which must hold MarkerFile.
func OpenWorkspace(dir string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("kata: %w", err)
	}
	if _, err := os.Stat(filepath.Join(abs, MarkerFile)); err != nil {
		return nil, fmt.Errorf("kata: %q is not a workspace (it has no %s): %w; make it one with \"procdojo kata init %s\"",
			abs, MarkerFile, ErrNoWorkspace, dir)
	}
	return &Workspace{Dir: abs}, nil
}

// FindWorkspace returns the user's workspace: flagDir when set, else envDir (the value of
// $PROCDOJO_WORKSPACE) when set, else the nearest folder at or above cwd holding MarkerFile,
// or holding solutions/MarkerFile (a procdojo checkout). Without one, the error wraps
// ErrNoWorkspace and says how to make one.
func FindWorkspace(flagDir, envDir, cwd string) (*Workspace, error) {
	if flagDir != "" {
		return OpenWorkspace(flagDir)
	}
	if envDir != "" {
		ws, err := OpenWorkspace(envDir)
		if err != nil {
			return nil, fmt.Errorf("%w (from $%s)", err, EnvWorkspace)
		}
		return ws, nil
	}
	dir, err := filepath.Abs(cwd)
	if err != nil {
		return nil, fmt.Errorf("kata: %w", err)
	}
	for {
		for _, cand := range []string{dir, filepath.Join(dir, "solutions")} {
			if _, err := os.Stat(filepath.Join(cand, MarkerFile)); err == nil {
				return &Workspace{Dir: cand}, nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return nil, fmt.Errorf("kata: %w: no %s in %s or any folder above it; make one with \"procdojo kata init DIR\" and work inside it, or point at one with --workspace DIR or $%s",
		ErrNoWorkspace, MarkerFile, cwd, EnvWorkspace)
}

// KataDir is the folder of kata k in the workspace.
func (w *Workspace) KataDir(k *Kata) string { return filepath.Join(w.Dir, k.ID) }

// File is the path of the user's file for kata k.
func (w *Workspace) File(k *Kata) string { return filepath.Join(w.Dir, k.ID, k.FileName()) }

// Started reports whether the user's file for k exists.
func (w *Workspace) Started(k *Kata) bool {
	_, err := os.Stat(w.File(k))
	return err == nil
}

// StartedKatas returns the katas of c whose file exists in the workspace, in catalogue order.
func (w *Workspace) StartedKatas(c *Catalog) []*Kata {
	var ks []*Kata
	for _, k := range c.All() {
		if w.Started(k) {
			ks = append(ks, k)
		}
	}
	return ks
}

// Start writes k's starter to the user's file and returns its path. When the file exists,
// Start returns an error wrapping ErrStarted, unless force is set: then the old file is
// first kept as <file>.bak.
func (w *Workspace) Start(k *Kata, force bool) (string, error) {
	p := w.File(k)
	if _, err := os.Stat(p); err == nil {
		if !force {
			return p, fmt.Errorf("kata: %w: %s exists", ErrStarted, p)
		}
		if _, err := w.backup(k); err != nil {
			return p, err
		}
	}
	return p, w.writeStarter(k)
}

// Reset replaces the user's file for k with the starter, keeping the old file as
// <file>.bak (replacing an older .bak), and returns the backup's path. A kata not started
// is an error wrapping ErrNotStarted.
func (w *Workspace) Reset(k *Kata) (string, error) {
	if !w.Started(k) {
		return "", fmt.Errorf("kata: %w: %s does not exist", ErrNotStarted, w.File(k))
	}
	bak, err := w.backup(k)
	if err != nil {
		return "", err
	}
	return bak, w.writeStarter(k)
}

func (w *Workspace) backup(k *Kata) (string, error) {
	p := w.File(k)
	bak := p + ".bak"
	if err := os.Rename(p, bak); err != nil {
		return "", fmt.Errorf("kata: keeping your file: %w", err)
	}
	return bak, nil
}

func (w *Workspace) writeStarter(k *Kata) error {
	src, err := k.Starter()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(w.KataDir(k), 0o755); err != nil {
		return fmt.Errorf("kata: %w", err)
	}
	if err := os.WriteFile(w.File(k), src, 0o644); err != nil {
		return fmt.Errorf("kata: writing the starter: %w", err)
	}
	return nil
}

// userTestFiles returns the *_test.go files in the user's kata folder: the checker leaves
// them out.
func (w *Workspace) userTestFiles(k *Kata) ([]string, error) {
	entries, err := os.ReadDir(w.KataDir(k))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("kata: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), "_test.go") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
