// Package termsafe makes text from outside procdojo (question banks, the progress log, file
// names, typed answers) safe to print on a terminal: control characters and bidirectional
// overrides are shown as visible escapes instead of acting on the terminal. A bank could
// otherwise clear the screen (ESC [2J), retitle the window (OSC 0), hide a choice behind a
// right-to-left override (U+202E) or spoof a link (OSC 8); a file name holding a newline
// could forge a line of lint output.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Unsafe reports whether r must not reach a terminal as it is: a C0 control other than tab
// and newline, DEL, a C1 control (U+0080 to U+009F), or a bidirectional embedding, override
// or isolate (U+202A to U+202E, U+2066 to U+2069). Carriage return counts as unsafe: it
// moves the cursor back over what was printed.
func Unsafe(r rune) bool {
	switch {
	case r == '\n' || r == '\t':
		return false
	case r < 0x20 || r == 0x7f:
		return true
	case r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// Find returns the byte offset of the first unsafe rune (or byte of invalid UTF-8) in s and
// that rune, or -1 when s is safe. An invalid byte is returned as utf8.RuneError.
func Find(s string) (int, rune) {
	for i, r := range s {
		if Unsafe(r) {
			return i, r
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i, utf8.RuneError
			}
		}
	}
	return -1, 0
}

// Name returns how r is written in messages: \x1b for a control below U+0100, \u202e above.
func Name(r rune) string {
	if r < 0x100 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// Escape returns s with every unsafe rune written as a visible escape (\x1b, \u202e) and
// every byte of invalid UTF-8 as \xNN, keeping newlines and tabs. Safe text is returned
// unchanged, without copying.
func Escape(s string) string { return escape(s, false) }

// Line is Escape for text that must stay on one line, such as a file name inside a message:
// newlines and tabs are escaped too (\n, \t).
func Line(s string) string { return escape(s, true) }

func escape(s string, oneLine bool) string {
	clean := true
	for i, r := range s {
		if Unsafe(r) || oneLine && (r == '\n' || r == '\t') {
			clean = false
			break
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				clean = false
				break
			}
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case oneLine && r == '\n':
			b.WriteString(`\n`)
		case oneLine && r == '\t':
			b.WriteString(`\t`)
		case Unsafe(r):
			b.WriteString(Name(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
