package quiz

import (
	"fmt"
	"strings"
	"testing"
)

// bigBank returns a bank of n questions, cycling through the four kinds.
func bigBank(n int) []byte {
	var b strings.Builder
	b.WriteString("level = \"mid\"\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\n[[questions]]\nid = \"gen-%d\"\ntopic = \"spawn\"\nlang = \"go\"\n", i)
		b.WriteString("prompt = '''\nWhat does this print?\n'''\ncode = '''\npackage main\nfunc main() { println(1) }\n'''\n")
		b.WriteString("explanation = \"Because.\"\nsource = \"https://pkg.go.dev/os/exec\"\ntags = [\"a\", \"b\"]\n")
		switch i % 4 {
		case 0:
			b.WriteString("kind = \"single\"\nchoices = [\"one\", \"two\", \"three\", \"four\"]\nanswer = 3\n")
		case 1:
			b.WriteString("kind = \"multi\"\nchoices = [\"one\", \"two\", \"three\", \"four\"]\nanswer = [1, 4]\n")
		case 2:
			b.WriteString("kind = \"truefalse\"\nanswer = false\n")
		default:
			b.WriteString("kind = \"open\"\nmodel_answer = '''\nA model.\n'''\nrubric = [\"x\", \"y\", \"z\"]\n")
		}
	}
	return []byte(b.String())
}

func TestBigBankLoads(t *testing.T) {
	t.Parallel()
	qs, err := Load([]Source{{Name: "big.toml", Data: bigBank(100)}})
	if err != nil || len(qs) != 100 {
		t.Fatalf("Load(big bank) = %d questions, %v; want 100, nil", len(qs), err)
	}
}

// BenchmarkLoad loads and checks a generated bank of 10,000 questions:
//
//	go test -run '^$' -bench BenchmarkLoad -benchmem ./quiz/
func BenchmarkLoad(b *testing.B) {
	src := []Source{{Name: "big.toml", Data: bigBank(10_000)}}
	b.SetBytes(int64(len(src[0].Data)))
	b.ReportAllocs()
	for b.Loop() {
		qs, err := Load(src)
		if err != nil || len(qs) != 10_000 {
			b.Fatalf("Load = %d, %v", len(qs), err)
		}
	}
}
