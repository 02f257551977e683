// Package katas is procdojo's kata engine: the catalogue of katas embedded in the binary, the
// user's workspace, and the checker that runs a kata's reference tests against the user's
// solution.
//
// A kata is a folder katas/<id>/ holding kata.toml (its metadata and statement), the
// reference solution <package>.go, the reference tests *_test.go (including harness_test.go,
// generated from harness.go.tmpl), and testdata/ with the starter and known-broken variants.
// Together the reference solution and tests are an ordinary package of the root module, so
// "go test ./katas/..." proves every reference passes; Verify proves the rest (the starter
// and every broken variant fail). katas/README.md documents the format.
//
// The usual call order is: Embedded (or Load) for the catalogue, FindWorkspace (or
// InitWorkspace) for the user's workspace, Workspace.Start to write a starter, then Check to
// judge the user's file. Check runs "go test -json" in its own process group with a deadline
// and never uses a shell; it needs a Unix-like OS (Supported reports whether this is one).
//
// The package knows nothing of flags, prompts or the progress log: commands live in
// internal/cli.
package katas
