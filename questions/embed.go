// Package questions holds procdojo's default question banks, one TOML file per level,
// embedded in the binary. The format is described in this folder's README.md.
package questions

import "embed"

// FS holds the default banks: junior.toml, mid.toml and senior.toml.
//
//go:embed *.toml
var FS embed.FS
