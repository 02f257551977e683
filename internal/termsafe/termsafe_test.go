package termsafe

import (
	"testing"
	"unicode/utf8"
)

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, escape, line string
	}{
		{"plain text, é and ✓", "plain text, é and ✓", "plain text, é and ✓"},
		{"two\nlines\tand a tab", "two\nlines\tand a tab", `two\nlines\tand a tab`},
		{"\x1b[2Jcleared", `\x1b[2Jcleared`, `\x1b[2Jcleared`},
		{"\x1b]0;title\x07", `\x1b]0;title\x07`, `\x1b]0;title\x07`},
		{"\x1b]8;;https://evil.example\x1b\\docs\x1b]8;;\x1b\\", `\x1b]8;;https://evil.example\x1b\docs\x1b]8;;\x1b\`, `\x1b]8;;https://evil.example\x1b\docs\x1b]8;;\x1b\`},
		{"abc\u202edcba", `abc\u202edcba`, `abc\u202edcba`},
		{"\u2066isolate\u2069", `\u2066isolate\u2069`, `\u2066isolate\u2069`},
		{"cr\rover", `cr\x0dover`, `cr\x0dover`},
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"c1 \u009b csi", `c1 \x9b csi`, `c1 \x9b csi`},
		{"raw byte \x9b", `raw byte \x9b`, `raw byte \x9b`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`, `bad \xff\xfe utf8`},
		{"lrm \u200e stays", "lrm \u200e stays", "lrm \u200e stays"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.escape {
			t.Errorf("Escape(%q) = %q; want %q", tt.in, got, tt.escape)
		}
		if got := Line(tt.in); got != tt.line {
			t.Errorf("Line(%q) = %q; want %q", tt.in, got, tt.line)
		}
	}
}

func TestFind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in  string
		at  int
		bad rune
	}{
		{"fine\n\ttext", -1, 0},
		{"ab\x1bc", 2, 0x1b},
		{"é\u202e", 2, 0x202e},
		{"x\xff", 1, utf8.RuneError},
		{"x\uFFFDy", -1, 0}, // a real replacement character is text
	}
	for _, tt := range tests {
		if at, r := Find(tt.in); at != tt.at || r != tt.bad {
			t.Errorf("Find(%q) = %d, %U; want %d, %U", tt.in, at, r, tt.at, tt.bad)
		}
	}
}

// FuzzEscape checks that escaped text never holds an unsafe rune or invalid UTF-8, and that
// Line output never holds a newline.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"a\x1b[2Jb", "\u202e", "\xff", "x\ny"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, out := range []string{Escape(s), Line(s)} {
			if at, r := Find(out); at >= 0 {
				t.Fatalf("escape of %q holds %U at %d: %q", s, r, at, out)
			}
		}
		if l := Line(s); utf8.ValidString(l) && containsAny(l, "\n\t") {
			t.Fatalf("Line(%q) = %q holds a newline or tab", s, l)
		}
	})
}

func containsAny(s, chars string) bool {
	for _, c := range s {
		for _, d := range chars {
			if c == d {
				return true
			}
		}
	}
	return false
}
