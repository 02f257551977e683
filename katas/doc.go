// Package katas is procdojo's kata catalogue: one folder per kata, embedded in the binary,
// and the teaching order. The engine that loads, checks and verifies katas is
// internal/kata; katas/README.md documents a kata's files.
//
// A kata is a folder katas/<id>/ holding kata.toml (its metadata and statement), the
// reference solution, the reference tests *_test.go (including harness_test.go, generated
// from internal/kata/harness.go.tmpl), and testdata/ with the starter and known-broken
// variants. Together the reference solution and tests are an ordinary package of the root
// module, so "go test ./katas/..." proves every reference passes; this package's tests
// verify the rest through the checker (every starter and broken variant fails).
package katas

//go:generate go run ./internal/gen
