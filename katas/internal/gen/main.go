// Command gen regenerates the generated files of the katas folder: each kata's
// harness_test.go (and a Node kata's harness_node_test.go), from the templates in internal/kata, and the scenario table of katas/README.md, from the
// katas' kata.toml. Run it with "go generate ./katas" (it works in the katas folder); the
// katas package's tests fail while a generated file is stale.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/katas"
)

func main() {
	if err := run("."); err != nil {
		fmt.Fprintf(os.Stderr, "gen: %v\n", err)
		os.Exit(1)
	}
}

// run regenerates the files under dir, the katas folder.
func run(dir string) error {
	c, err := kata.Load(os.DirFS(dir), "katas", katas.Curriculum...)
	var ps kata.Problems
	if err != nil && !errors.As(err, &ps) {
		return err
	}
	for _, k := range c.All() {
		for name, data := range kata.GeneratedFiles(k) {
			if err := writeIfChanged(filepath.Join(dir, k.ID, name), data); err != nil {
				return err
			}
		}
	}
	readmePath := filepath.Join(dir, "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		return err
	}
	out, err := kata.SpliceTable(readme, c.ScenarioTable())
	if err != nil {
		return err
	}
	if err := writeIfChanged(readmePath, out); err != nil {
		return err
	}
	// Problems that generating cannot fix are the authors' to fix.
	if _, err := kata.Load(os.DirFS(dir), "katas", katas.Curriculum...); err != nil {
		return fmt.Errorf("files generated, but katas have problems:\n%w", err)
	}
	return nil
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	fmt.Fprintf(os.Stderr, "gen: writing %s\n", path)
	return os.WriteFile(path, data, 0o644)
}
