//go:build !linux

package safeexec

import (
	"errors"
	"runtime"
	"testing"
)

// probeNamespaces reports that user and network namespaces are Linux-only.
func probeNamespaces(t *testing.T) error {
	return errors.New("user and network namespaces are Linux-only, and this is " + runtime.GOOS)
}
