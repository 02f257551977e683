// Package kata is procdojo's kata engine: loading a catalogue of katas (kata.toml and the
// files beside it), the user's workspace, the checker that runs a kata's reference tests
// against the user's solution, and verification of the catalogue itself. The catalogue that
// procdojo ships is package katas (the folder katas/).
//
// The usual call order is: Load for a catalogue, FindWorkspace (or InitWorkspace) for the
// user's workspace, Workspace.Start to write a starter, then Check to judge the user's file.
// Check never uses a shell; it needs a Unix-like OS (Supported reports whether this is
// one).
//
// The package knows nothing of flags, prompts or the progress log: commands live in
// internal/cli.
package kata
