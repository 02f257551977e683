package katas

// These tests hold the catalogue to the bar of katas/README.md: every kata loads, its
// reference passes and its starter and broken variants fail (through the checker), every
// scenario of the guide has a kata, and the generated files are fresh. Refresh the scenario
// table in README.md and every harness_test.go with:
//
//	go generate ./katas

import (
	"bytes"
	"context"
	"os"
	"path"
	"slices"
	"testing"

	"github.com/procdojo/procdojo/internal/kata"
)

// TestEmbedded loads the catalogue built into the binary: every kata must load without a
// problem.
func TestEmbedded(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatalf("Catalog() problems:\n%v", err)
	}
	if len(c.All()) == 0 {
		t.Fatal("Catalog() has no kata")
	}
}

// TestVerifyEmbedded is "procdojo kata verify" over every kata: each reference passes, each
// starter and broken variant fails. With -short, only the checks that run nothing.
func TestVerifyEmbedded(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatalf("Catalog() problems:\n%v", err)
	}
	for _, k := range c.All() {
		t.Run(k.ID, func(t *testing.T) {
			if testing.Short() {
				for _, p := range kata.Static(k) {
					t.Error(p)
				}
				return
			}
			t.Parallel() // at most -test.parallel (GOMAXPROCS) katas at once
			rep, err := kata.VerifyKata(context.Background(), k, kata.VerifyOptions{})
			if err != nil {
				t.Fatalf("VerifyKata(%s) error = %v", k.ID, err)
			}
			for _, p := range rep.Problems {
				t.Error(p)
			}
			for _, r := range rep.Runs {
				if r.Result != nil {
					t.Logf("%-28s %-4s %d/%d in %.1fs %s", r.Variant, r.Result.Status, r.Result.Passed, r.Result.Total, r.Result.Duration.Seconds(), r.Result.Reason)
				}
			}
		})
	}
}

// TestCoverage fails when a scenario of the guide has no kata, as "procdojo kata verify"
// (over every kata) does.
func TestCoverage(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range c.Uncovered() {
		t.Errorf("scenario %q has no kata (internal/kata/scenarios.go lists the scenarios)", key)
	}
}

// TestGenerated fails while a generated file is stale: every kata's harness_test.go (and a
// Node kata's harness_node_test.go) and the scenario table of README.md; "go generate ./katas" rewrites them.
func TestGenerated(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range c.All() {
		for name, want := range kata.GeneratedFiles(k) {
			got, err := os.ReadFile(path.Join(k.ID, name))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s is stale; run \"go generate ./katas\"", k.ID, name)
			}
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	want, err := kata.SpliceTable(readme, c.ScenarioTable())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readme, want) {
		t.Errorf("README.md's scenario table is stale; run \"go generate ./katas\"")
	}
}

// TestCurriculumListsEveryKata keeps curriculum.go in step with the katas: each kata has a
// place in the teaching order, and the order names no kata that does not exist.
func TestCurriculumListsEveryKata(t *testing.T) {
	c, err := Catalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range c.All() {
		if !slices.Contains(Curriculum, k.ID) {
			t.Errorf("kata %q is not in Curriculum (katas/curriculum.go)", k.ID)
		}
	}
	for _, id := range Curriculum {
		if _, err := c.Get(id); err != nil {
			t.Errorf("Curriculum names %q, which is not a kata", id)
		}
	}
}
