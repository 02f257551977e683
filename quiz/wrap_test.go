package quiz

import (
	"strings"
	"testing"
)

func TestWrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string
		width int
		want  string
	}{
		{"fits", "short line", 20, "short line"},
		{"no width: a pipe", "a line much longer than any terminal would be wide", 0, "a line much longer than any terminal would be wide"},
		{"at spaces", "the quick brown fox jumps over the lazy dog", 15, "the quick brown\nfox jumps over\nthe lazy dog"},
		{"keeps the indent", "  model answer text that goes on", 14, "  model answer\n  text that\n  goes on"},
		{"long word alone", "see https://nodejs.org/api/child_process.html#child_processspawncommand-args-options now", 20,
			"see\nhttps://nodejs.org/api/child_process.html#child_processspawncommand-args-options\nnow"},
		{"several lines", "one two three\nfour five six", 9, "one two\nthree\nfour five\nsix"},
		{"characters, not bytes", "éééé éééé éééé", 9, "éééé éééé\néééé"},
	}
	for _, tt := range tests {
		if got := Wrap(tt.in, tt.width); got != tt.want {
			t.Errorf("%s: Wrap(%q, %d) =\n%s\nwant\n%s", tt.name, tt.in, tt.width, got, tt.want)
		}
	}
	if got := wrapLine("  1) spawn starts a process without a shell", 20, "     "); got != "  1) spawn starts a\n     process without\n     a shell" {
		t.Errorf("wrapLine(option) =\n%s", got)
	}
	for _, l := range strings.Split(Wrap(strings.Repeat("word ", 100), 33), "\n") {
		if len(l) > 33 {
			t.Errorf("line %q is wider than 33", l)
		}
	}
}
