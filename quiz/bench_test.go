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

// bigBanks returns files banks of n questions each, with ids unique across them.
func bigBanks(files, n int) []Source {
	srcs := make([]Source, files)
	for i := range srcs {
		data := strings.ReplaceAll(string(bigBank(n)), `id = "gen-`, fmt.Sprintf(`id = "gen-%d-`, i))
		srcs[i] = Source{Name: fmt.Sprintf("big%d.toml", i), Data: []byte(data)}
	}
	return srcs
}

func TestBigBankLoads(t *testing.T) {
	t.Parallel()
	// 900 questions fit in one file; 1,000 go over the limit of keys and values.
	qs, err := Load([]Source{{Name: "big.toml", Data: bigBank(900)}})
	if err != nil || len(qs) != 900 {
		t.Fatalf("Load(big bank) = %d questions, %v; want 900, nil", len(qs), err)
	}
	if _, err := Load([]Source{{Name: "big.toml", Data: bigBank(1000)}}); err == nil || !strings.Contains(err.Error(), "more than 25000 keys and values") {
		t.Errorf("Load(1,000 questions in one file) = %v; want the limit of keys and values", err)
	}
}

// BenchmarkLoad loads and checks 10,000 generated questions in 20 files of 500:
//
//	go test -run '^$' -bench BenchmarkLoad -benchmem ./quiz/
func BenchmarkLoad(b *testing.B) {
	srcs := bigBanks(20, 500)
	size := 0
	for _, s := range srcs {
		size += len(s.Data)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		qs, err := Load(srcs)
		if err != nil || len(qs) != 10_000 {
			b.Fatalf("Load = %d, %v", len(qs), err)
		}
	}
}
