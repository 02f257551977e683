//go:build unix

package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/procdojo/procdojo/quiz"
)

// validBank returns a sound bank of n questions whose prompts are about promptBytes long.
func validBank(n, promptBytes int) []byte {
	var b strings.Builder
	b.WriteString("level = \"junior\"\n")
	words := strings.Repeat("spawn runs a program without a shell ", promptBytes/37+1)[:promptBytes]
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "\n[[questions]]\nid = \"big-%d\"\nkind = \"single\"\ntopic = \"spawn\"\nlang = \"node\"\n", i)
		fmt.Fprintf(&b, "prompt = \"\"\"\n%s\"\"\"\nchoices = [\"yes\", \"no\"]\nanswer = 1\nexplanation = \"e\"\nsource = \"https://nodejs.org/api/child_process.html\"\n", words)
	}
	return []byte(b.String())
}

// TestHostileBanksProcess runs procdojo itself on hostile banks and checks the exit status,
// the message, and the cost measured by the kernel: at most 10 times the file's size plus
// 32 MiB of memory more than "procdojo --version" takes, and at most a second of CPU time
// more. Every case also has a deadline (runChild), so a hang fails rather than blocks.
func TestHostileBanksProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o700)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := os.ReadFile("testdata/three.toml")
	if err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	write("folder/a.toml", good)
	syscall.Mkfifo(filepath.Join(folder, "z.toml"), 0o600)
	os.Mkdir(filepath.Join(folder, "sub.toml"), 0o700)
	maxBank := validBank(440, 18_000)
	if len(maxBank) > quiz.MaxBankSize || len(maxBank) < quiz.MaxBankSize-(1<<20) {
		t.Fatalf("the large valid bank is %d bytes; want just under %d", len(maxBank), quiz.MaxBankSize)
	}
	evilName := "evil\x1b[2J\nfake.toml:1:1: all good.toml"
	write(evilName, []byte("level = \"expert\"\n"))
	escapes := strings.Replace(string(good), `prompt = "Which function runs its command through a shell by default?"`,
		`prompt = "\u001b[2J\u001b]0;pwned\u0007Which function runs its command \u202ethrough a shell?"`, 1)

	tests := []struct {
		name string
		args []string
		size int // bytes of the bank, for the memory bound
		code int
		want string // in stdout or stderr
	}{
		{"deep nesting", []string{"questions", "lint", write("deep.toml", []byte("x = "+strings.Repeat("{a=", 10_000)+"1"+strings.Repeat("}", 10_000)+"\n"))},
			40_006, 1, "deep.toml:1:26: nested deeper than 8 levels"},
		{"deep nesting unclosed, in a quiz", []string{"quiz", "--no-save", "--bank", write("open.toml", []byte("x = "+strings.Repeat("{a=", 10_000)+"\n"))},
			30_005, 2, "open.toml:1:26: nested deeper than 8 levels"},
		{"2,000,000 [", []string{"questions", "lint", write("brackets.toml", []byte("x = "+strings.Repeat("[", 2_000_000)))},
			2_000_004, 1, "brackets.toml:1:65537: the line is longer than 65536 bytes"},
		{"named pipe", []string{"questions", "lint", fifo}, 0, 2, `is a named pipe (FIFO), not a regular file`},
		{"named pipe, in a quiz", []string{"quiz", "--no-save", "--bank", fifo}, 0, 2, `is a named pipe (FIFO), not a regular file`},
		{"folder with a pipe and a folder named *.toml", []string{"questions", "lint", folder}, 0, 0, `z.toml": it is a named pipe (FIFO), not a bank file`},
		{"/dev/zero", []string{"questions", "lint", "/dev/zero"}, 0, 2, `bank "/dev/zero" is a character device, not a regular file`},
		{"over 8 MiB", []string{"questions", "lint", write("big.toml", make([]byte, quiz.MaxBankSize+1))}, 0, 2, `is over 8 MiB, the limit for one bank file`},
		{"a sound bank just under 8 MiB", []string{"questions", "lint", write("max.toml", maxBank)}, len(maxBank), 0, "ok: 440 questions"},
		{"escape sequences", []string{"questions", "lint", write("escapes.toml", []byte(escapes))}, len(escapes), 1,
			`escapes.toml:9:11: escape \u001b (character \x1b) is a terminal control character`},
		{"a file name that forges lines", []string{"questions", "lint", filepath.Join(dir, evilName)}, 0, 1,
			`evil\x1b[2J\nfake.toml:1:1: all good.toml:1:1: level "expert" is not one of junior, mid, senior`},
	}
	base := runChild(t, childOptions{}, "--version")
	t.Logf("procdojo --version: %d MiB, %v CPU", base.maxRSS>>20, base.cpu)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := runChild(t, childOptions{env: []string{"PROCDOJO_HOME=" + t.TempDir()}}, tt.args...)
			out := r.stdout + r.stderr
			if r.code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("procdojo %s = exit %d; want %d and %q\nstdout:\n%.3000s\nstderr:\n%.3000s", tt.name, r.code, tt.code, tt.want, r.stdout, r.stderr)
			}
			if strings.ContainsAny(out, "\x1b\x07\u202e") {
				t.Errorf("procdojo %s printed a control character or bidi override raw:\n%q", tt.name, out)
			}
			if limit := base.maxRSS + int64(10*tt.size) + 32<<20; r.maxRSS > limit {
				t.Errorf("procdojo %s used %d MiB; want at most %d MiB", tt.name, r.maxRSS>>20, limit>>20)
			}
			if limit := base.cpu + time.Second; r.cpu > limit {
				t.Errorf("procdojo %s took %v of CPU time; want at most %v", tt.name, r.cpu, limit)
			}
			t.Logf("%s: %d KiB bank, %d MiB max RSS, %v CPU, %v wall", tt.name, tt.size>>10, r.maxRSS>>20, r.cpu.Round(time.Millisecond), r.wall.Round(time.Millisecond))
		})
	}
}

// TestWriteErrorsFail runs commands whose standard output is /dev/full, where every write
// fails: each must exit 1 and say why, in text mode as in JSON mode.
func TestWriteErrorsFail(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skipf("no /dev/full here: %v", err)
	}
	for _, args := range [][]string{
		{"questions", "list"},
		{"questions", "lint"},
		{"score"},
		{"next", "--json"},
		{"quiz", "--no-save", "--bank", "testdata/three.toml", "-n", "1"},
		{"quiz", "--no-save", "--bank", "testdata/three.toml", "-n", "1", "--json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer full.Close()
			r := runChild(t, childOptions{stdin: strings.NewReader("1\n"), stdout: full, env: []string{"PROCDOJO_HOME=" + t.TempDir()}}, args...)
			if r.code != ExitFailure || !strings.Contains(r.stderr, "procdojo: cannot write the output: write /dev/stdout: no space left on device") {
				t.Errorf("procdojo %s > /dev/full = exit %d, stderr %q; want 1 and the write error", strings.Join(args, " "), r.code, r.stderr)
			}
		})
	}
}

// TestHostileHistoryProcess runs procdojo on hostile history files and checks the exit
// status, the message and the cost: at most 10 times the file's size plus 32 MiB more
// memory than "procdojo --version", and a second more of CPU time plus a quarter of a
// second per MiB of history (the log has no size limit, and every line is parsed: about
// 1.5 µs a line here).
func TestHostileHistoryProcess(t *testing.T) {
	t.Parallel()
	type setup func(t *testing.T, dir string) int // makes the data directory, returns the history's size
	write := func(data []byte) setup {
		return func(t *testing.T, dir string) int {
			if err := os.WriteFile(filepath.Join(dir, "history.jsonl"), data, 0o600); err != nil {
				t.Fatal(err)
			}
			return len(data)
		}
	}
	past := time.Now().Add(-time.Hour)
	tests := []struct {
		name  string
		setup setup
		args  []string
		code  int
		want  string
	}{
		{"a million damaged lines", write([]byte(strings.Repeat("garbage\n", 1_000_000))), []string{"score"}, 0,
			"warning: history.jsonl: 999995 more damaged lines skipped, the last at line 1000000"},
		{"a million damaged records", write([]byte(strings.Repeat("{\"type\":1}\n", 1_000_000))), []string{"score"}, 0,
			"warning: history.jsonl: 999995 more damaged lines skipped, the last at line 1000000"},
		{"a line of 20 MiB", write(append([]byte(strings.Repeat("x", 20<<20)+"\n"), answerLine(past, "e2e-one", 1)...)), []string{"score"}, 0,
			"warning: history.jsonl line 1: skipped a damaged record: the line is longer than 65536 bytes"},
		{"a named pipe", func(t *testing.T, dir string) int {
			syscall.Mkfifo(filepath.Join(dir, "history.jsonl"), 0o600)
			return 0
		}, []string{"next"}, 1, "is a named pipe, not a regular file"},
		{"a link to /dev/zero", func(t *testing.T, dir string) int {
			os.Symlink("/dev/zero", filepath.Join(dir, "history.jsonl"))
			return 0
		}, []string{"quiz"}, 1, "is a symbolic link; procdojo does not follow it"},
		{"year 9999", write([]byte(answerLine(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "e2e-one", 0))), []string{"next", "--json"}, 0,
			"holds 1 record(s) dated in the future (up to 9999-12-31)"},
	}
	base := runChild(t, childOptions{}, "--version")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			size := tt.setup(t, dir)
			args := append([]string{"--data-dir", dir}, tt.args...)
			r := runChild(t, childOptions{}, append(args, "--bank", "testdata/three.toml")...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("procdojo %s = exit %d; want %d and %q\nstdout:\n%.2000s\nstderr:\n%.2000s", tt.name, r.code, tt.code, tt.want, r.stdout, r.stderr)
			}
			if limit := base.maxRSS + int64(10*size) + 32<<20; r.maxRSS > limit {
				t.Errorf("procdojo %s used %d MiB; want at most %d MiB", tt.name, r.maxRSS>>20, limit>>20)
			}
			if limit := base.cpu + time.Second + time.Duration(size)*time.Second/(4<<20); r.cpu > limit {
				t.Errorf("procdojo %s took %v of CPU time; want at most %v", tt.name, r.cpu, limit)
			}
			t.Logf("%s: %d KiB history, %d MiB max RSS, %v CPU, %v wall", tt.name, size>>10, r.maxRSS>>20, r.cpu.Round(time.Millisecond), r.wall.Round(time.Millisecond))
		})
	}
}
