//go:build unix

package cli

import (
	"bufio"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSignalWhileWaiting sends SIGINT or SIGTERM to procdojo while it waits for an answer on
// a pipe that stays open, once it has printed the prompt: it must end at once with 130 or
// 143 and say so. Before, a command that never looked at its context swallowed the signal.
func TestSignalWhileWaiting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		sig  syscall.Signal
		code int
		say  string
	}{
		{"quiz, SIGINT", []string{"quiz", "--bank", "testdata/three.toml", "--no-shuffle"}, syscall.SIGINT, 130, "procdojo: interrupted"},
		{"quiz, SIGTERM", []string{"quiz", "--bank", "testdata/three.toml", "--no-shuffle"}, syscall.SIGTERM, 143, "procdojo: terminated"},
		{"review, SIGTERM", []string{"review", "--bank", "testdata/three.toml"}, syscall.SIGTERM, 143, "procdojo: terminated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			inR, inW, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer inW.Close()
			outR, outW, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			var sent time.Time
			r := runChild(t, childOptions{stdin: inR, stdout: outW, env: []string{"PROCDOJO_HOME=" + t.TempDir()}, started: func(p *os.Process) {
				inR.Close()
				outW.Close()
				// Wait for the prompt: then procdojo is reading its input.
				br := bufio.NewReader(outR)
				var seen strings.Builder
				for !strings.Contains(seen.String(), "Your answer:") {
					b, err := br.ReadByte()
					if err != nil {
						t.Errorf("procdojo ended before asking: %v\n%s", err, seen.String())
						return
					}
					seen.WriteByte(b)
				}
				sent = time.Now()
				p.Signal(tt.sig)
				go io.Copy(io.Discard, br)
			}}, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.say) {
				t.Errorf("procdojo %s after %v = exit %d, stderr %q; want %d and %q", tt.name, tt.sig, r.code, r.stderr, tt.code, tt.say)
			}
			// Ctrl-C must end a command within a second; a loaded machine may take longer to
			// run the child at all, so only a clear hang fails here.
			if d := time.Since(sent); d > 10*time.Second {
				t.Errorf("procdojo %s ended %v after the signal; want well under a second", tt.name, d)
			}
			t.Logf("ended %v after the signal", time.Since(sent).Round(time.Millisecond))
		})
	}
}
