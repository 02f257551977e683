package kata

import (
	"os"
	"strings"
)

// keptGoVars are the GO* variables of the user's environment that reach the build: where
// modules and the build cache are, and how modules are fetched. Every other GO* variable
// (GOFLAGS, GOOS, GOARCH, GOEXPERIMENT, GOTOOLCHAIN, GOENV...) is dropped, and the go env
// file is not read (GOENV=off), so that nothing but the user's file changes what is built.
var keptGoVars = []string{
	"GOPATH", "GOMODCACHE", "GOCACHE", "GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE",
	"GONOPROXY", "GOINSECURE", "GOROOT",
}

// buildEnv is the environment of "go test -c": the user's environment without their go
// settings, plus the settings of the check. dir is the user's kata folder (PWD makes go's
// working directory match the overlay's paths, as os.Getwd trusts it); gotmp holds go's
// temporary files, inside the check's folder so that a killed build leaves nothing behind.
func buildEnv(base []string, dir, gotmp string) []string {
	env := make([]string, 0, len(base)+8)
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "GO") && !contains(keptGoVars, name) || name == "PWD" || name == "CGO_ENABLED" || strings.HasPrefix(name, "PROCDOJO_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"PWD="+dir,
		"GOENV=off",  // no "go env -w" file: its GOFLAGS=-exec=... could replace the test run
		"GOFLAGS=",   // no -race, -mod=vendor, -tags from the environment
		"GOWORK=off", // the workspace is a module of its own
		"GO111MODULE=on",
		"GOTOOLCHAIN=local", // never download another toolchain in the middle of a check
		"GOTMPDIR="+gotmp,
	)
}

// runEnv is the environment of the test binary: the user's environment (tests look up
// programs on PATH), with TMPDIR in the check's folder so that the tests' temporary folders
// go away with it, and the nonce with which the harness signs the end of the tests.
func runEnv(base []string, tmpdir, nonce string) []string {
	env := make([]string, 0, len(base)+3)
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if name == "TMPDIR" || name == "GOFLAGS" || strings.HasPrefix(name, "PROCDOJO_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TMPDIR="+tmpdir, nonceEnv+"="+nonce)
}

// environ is os.Environ, a variable for tests.
var environ = os.Environ
