package kata

import (
	"os"
	"testing"
)

// BenchmarkLoad loads the shipped catalogue (the katas folder), as every kata command does
// once.
func BenchmarkLoad(b *testing.B) {
	fsys := os.DirFS("../../katas")
	for b.Loop() {
		if _, err := Load(fsys, "katas"); err != nil {
			b.Fatal(err)
		}
	}
}
