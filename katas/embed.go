package katas

import (
	"embed"
	"sync"

	"github.com/procdojo/procdojo/internal/kata"
)

// files holds every kata as the binary ships it.
//
//go:embed */kata.toml */*.go */*.js */testdata/*.go */testdata/*.js
var files embed.FS

// FS returns the catalogue's files: one folder per kata.
func FS() embed.FS { return files }

// catalog loads the catalogue once.
var catalog = sync.OnceValues(func() (*kata.Catalog, error) { return kata.Load(files, "katas", Curriculum...) })

// Catalog returns the catalogue built into procdojo, in curriculum order. It is loaded on
// first use; a problem in a kata (a bug that this package's tests catch) is returned as a
// kata.Problems error.
func Catalog() (*kata.Catalog, error) { return catalog() }
