package katas

import "testing"

// BenchmarkLoad loads the embedded catalogue, as every kata command does once.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(files, "katas"); err != nil {
			b.Fatal(err)
		}
	}
}
