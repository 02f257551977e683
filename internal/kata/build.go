package kata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// DefaultBuildTimeout bounds the build of a kata's test binary. It is generous on purpose:
// on an empty build cache the first check compiles the testing framework, and a correct
// solution must not fail because a slow machine compiles slowly. The kata's time limit
// covers the tests alone.
const DefaultBuildTimeout = 5 * time.Minute

// maxCachedBinaries is how many test binaries the cache keeps; the least recently used go
// first.
const maxCachedBinaries = 24

// buildVersion changes whenever the way a test binary is built or run changes, so that a
// new procdojo never runs an old binary.
const buildVersion = "procdojo-check-2"

// buildSlots bounds the builds that run at once.
var buildSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

// binaryKey hashes everything a kata's test binary is built from: the kata, the reference
// tests, the go command, and (for a Go kata) every file of the user's kata folder that the
// build reads, with the workspace's go.mod and go.sum. A Node kata's binary does not depend
// on the user's file, so one binary serves every check of that kata.
func binaryKey(ws *Workspace, k *Kata, tests map[string][]byte, goCmd string, noVet bool) (string, error) {
	h := sha256.New()
	field := func(name string, data []byte) {
		fmt.Fprintf(h, "%s %d\n", name, len(data))
		h.Write(data)
	}
	field("version", []byte(buildVersion))
	field("kata", []byte(k.ID+" "+k.Package+" "+k.Lang))
	field("vet", []byte(strconv.FormatBool(noVet)))
	if fi, err := os.Stat(goCmd); err == nil {
		field("go", fmt.Appendf(nil, "%s %d %d", goCmd, fi.Size(), fi.ModTime().UnixNano()))
	} else {
		field("go", []byte(goCmd))
	}
	names := make([]string, 0, len(tests))
	for name := range tests {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		field("test "+name, tests[name])
	}
	for _, name := range []string{"go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(ws.Dir, name))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("kata: %w", err)
		}
		field("workspace "+name, b)
	}
	if k.Lang != LangNode {
		entries, err := os.ReadDir(ws.KataDir(k))
		if err != nil {
			return "", fmt.Errorf("kata: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			if !buildInput(name) {
				continue
			}
			b, err := os.ReadFile(filepath.Join(ws.KataDir(k), name))
			if err != nil {
				return "", fmt.Errorf("kata: %w", err)
			}
			field("user "+name, b)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// buildInput reports whether the go command may read the file name of a package folder when
// it builds the package (test files are the checker's own, never the user's).
func buildInput(name string) bool {
	if strings.HasSuffix(name, "_test.go") {
		return false
	}
	for _, ext := range []string{".go", ".s", ".c", ".h", ".syso", ".cc", ".cpp", ".S"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// binaryCache is a folder of test binaries named by their key. The zero value (no folder)
// caches nothing.
type binaryCache struct{ dir string }

// CacheEnv names the variable that moves the cache of test binaries.
const CacheEnv = "PROCDOJO_CACHE"

// defaultCacheDir is $PROCDOJO_CACHE, else <user cache dir>/procdojo/test-binaries, or ""
// when the system has no cache folder.
func defaultCacheDir() string {
	if d := os.Getenv(CacheEnv); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "procdojo", "test-binaries")
}

// lookup returns the path of the binary with key, and whether it is there. A hit is marked
// as used, for pruning.
func (c binaryCache) lookup(key string) (string, bool) {
	if c.dir == "" {
		return "", false
	}
	p := filepath.Join(c.dir, key)
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return "", false
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now)
	return p, true
}

// store moves the built binary bin into the cache under key, atomically (bin must be in
// the cache folder: see tempPath), and prunes the cache. It returns the binary's new path.
func (c binaryCache) store(key, bin string) (string, error) {
	p := filepath.Join(c.dir, key)
	if err := os.Rename(bin, p); err != nil {
		return "", fmt.Errorf("kata: caching the test binary: %w", err)
	}
	c.prune(maxCachedBinaries)
	return p, nil
}

// tempPath returns a new path in the cache folder for a binary being built, creating the
// folder if needed.
func (c binaryCache) tempPath(key string) (string, error) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return "", fmt.Errorf("kata: the test binary cache: %w", err)
	}
	f, err := os.CreateTemp(c.dir, key+".building-*")
	if err != nil {
		return "", fmt.Errorf("kata: the test binary cache: %w", err)
	}
	f.Close()
	return f.Name(), nil
}

// prune removes all but the keep most recently used binaries, and binaries being built
// that were abandoned more than an hour ago (by a check that was killed).
func (c binaryCache) prune(keep int) {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	type entry struct {
		path string
		mod  time.Time
	}
	var done []entry
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		p := filepath.Join(c.dir, e.Name())
		if strings.Contains(e.Name(), ".building-") {
			if time.Since(fi.ModTime()) > time.Hour {
				os.Remove(p)
			}
			continue
		}
		done = append(done, entry{p, fi.ModTime()})
	}
	slices.SortFunc(done, func(a, b entry) int { return b.mod.Compare(a.mod) })
	for _, e := range done[min(keep, len(done)):] {
		os.Remove(e.path)
	}
}

// buildBinary compiles a test binary in the user's folder dir with "go test -c -json" and
// the overlay, into out, without DWARF (stack traces keep their file:line). noVet leaves out
// go vet. The build's events (compiler and vet output) and its stderr go to col, which marks
// the build failed when go says so or exits non-zero. At most GOMAXPROCS builds run at once
// in this process: they are CPU-bound. The error is for a build that could not run at all;
// ctx ending shows as ctx.Err().
func buildBinary(ctx context.Context, goCmd, dir, overlay, out string, noVet bool, env []string, col *collector) error {
	select {
	case buildSlots <- struct{}{}:
		defer func() { <-buildSlots }()
	case <-ctx.Done():
		return nil
	}
	args := []string{"test", "-c", "-json", "-ldflags=-w", "-o", out, "-overlay=" + overlay}
	if noVet {
		args = append(args, "-vet=off")
	}
	args = append(args, ".")
	stderr := newCappedWriter(MaxTestOutput)
	state, err := runGroup(ctx, goCmd, args, dir, env, func(r io.Reader) error {
		return readEvents(r, col.add)
	}, stderr)
	if s := stderr.c.String(); s != "" {
		col.buildOut.write(s, &col.budget, &col.pkgBudget)
	}
	if err == nil && (state == nil || !state.Success()) && ctx.Err() == nil {
		col.buildFailed = true
	}
	return err
}
