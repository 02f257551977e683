package quiz

import (
	"strings"

	"github.com/procdojo/procdojo/internal/termsafe"
)

// This file is the structural half of the pre-check: it follows the TOML text well enough
// to count nesting, keys and values, and to see what the escapes of basic strings stand
// for. precheck.go has the limits and the checks of the raw text.

func (c *prechecker) eof() bool { return c.stop || c.i >= len(c.s) }

func (c *prechecker) peek() byte {
	if c.i < len(c.s) {
		return c.s[c.i]
	}
	return 0
}

// newline moves past the newline at c.i.
func (c *prechecker) newline() {
	c.i++
	c.line++
	c.lineStart = c.i
}

func (c *prechecker) skipSpace() {
	for c.i < len(c.s) && (c.s[c.i] == ' ' || c.s[c.i] == '\t') {
		c.i++
	}
}

// skipBlank skips spaces, newlines and comments, as between the entries of an array.
func (c *prechecker) skipBlank() {
	for !c.eof() {
		switch c.s[c.i] {
		case ' ', '\t', '\r':
			c.i++
		case '\n':
			c.newline()
		case '#':
			c.skipLine()
		default:
			return
		}
	}
}

// skipLine moves to the newline ending the current line (or the end of the text).
func (c *prechecker) skipLine() {
	if j := strings.IndexByte(c.s[c.i:], '\n'); j >= 0 {
		c.i += j
	} else {
		c.i = len(c.s)
	}
}

// item counts one key or value, which starts at byte at.
func (c *prechecker) item(at int) {
	c.items++
	if c.items > MaxItems {
		c.fail(at, "more than %d keys and values in one file, the limit for a bank; split it into several files", MaxItems)
	}
}

// nest is where a value sits: its nesting level, and the length of the key path (table
// name and key parts) above it.
type nest struct{ level, path int }

// level checks the nesting level n of what starts at byte at.
func (c *prechecker) level(at, n int) {
	if n > MaxDepth {
		c.fail(at, "nested deeper than %d levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)", MaxDepth)
	}
}

// document scans top-level lines: table headers and key = value pairs.
func (c *prechecker) document() {
	for !c.eof() {
		start := c.i
		c.skipSpace()
		switch c.peek() {
		case 0:
		case '\r':
			c.i++
		case '\n':
			c.newline()
		case '#':
			c.skipLine()
		case '[':
			c.header()
			c.endLine()
		default:
			c.keyValue(c.table)
			c.endLine()
		}
		if c.i == start && !c.stop {
			c.i++ // never loop in place on text the decoder will refuse
		}
	}
}

// endLine expects the end of a top-level line: a comment or a newline. Anything else is a
// syntax error left to the decoder; the scan goes on at the next line.
func (c *prechecker) endLine() {
	c.skipSpace()
	switch c.peek() {
	case '\n', '\r', '#', 0:
	default:
		c.skipLine()
	}
}

// header scans [a.b] or [[a.b]].
func (c *prechecker) header() {
	c.i++
	if c.peek() == '[' {
		c.i++
	}
	c.table = c.key(nest{})
	c.skipSpace()
	for c.peek() == ']' {
		c.i++
	}
}

// key scans a key, dotted or not, whose parts sit below base, and returns where its value
// sits. It returns base when there is no key.
func (c *prechecker) key(base nest) nest {
	n := base
	for !c.eof() {
		c.skipSpace()
		start := c.i
		switch c.peek() {
		case '"':
			c.basic()
		case '\'':
			c.literal()
		default:
			for c.i < len(c.s) && isBareKeyByte(c.s[c.i]) {
				c.i++
			}
		}
		if c.i == start || c.stop {
			return n
		}
		n.level++
		n.path += c.i - start
		if n.path > MaxKeyLength {
			c.fail(start, "key path longer than %d bytes (the table name and every part of a dotted key count), the limit for a bank", MaxKeyLength)
			return n
		}
		if c.level(start, n.level); !c.stop {
			c.item(start)
		}
		c.skipSpace()
		if c.peek() != '.' {
			return n
		}
		c.i++
	}
	return n
}

func isBareKeyByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == '-'
}

// keyValue scans key = value inside a table or inline table at base.
func (c *prechecker) keyValue(base nest) {
	n := c.key(base)
	if c.stop {
		return
	}
	c.skipSpace()
	if c.peek() != '=' {
		if n == base {
			c.skipLine()
		}
		return
	}
	c.i++
	c.skipSpace()
	c.value(n)
}

// value scans one value at n.
func (c *prechecker) value(n nest) {
	if c.eof() {
		return
	}
	if c.item(c.i); c.stop {
		return
	}
	switch c.peek() {
	case '"':
		c.basic()
	case '\'':
		c.literal()
	case '[':
		c.array(n)
	case '{':
		c.inline(n)
	default: // a number, boolean or date
		for c.i < len(c.s) && !endsScalar(c.s[c.i]) {
			c.i++
		}
	}
}

func endsScalar(b byte) bool {
	switch b {
	case ' ', '\t', '\r', '\n', ',', ']', '}', '#':
		return true
	}
	return false
}

// array scans [ value, ... ] whose entries are one level below n.
func (c *prechecker) array(n nest) {
	n.level++
	if c.level(c.i, n.level); c.stop {
		return
	}
	c.i++
	for {
		c.skipBlank()
		if c.eof() {
			return
		}
		start := c.i
		switch c.peek() {
		case ']':
			c.i++
			return
		case ',':
			c.i++
		default:
			c.value(n)
		}
		if c.i == start && !c.stop {
			c.i++
		}
	}
}

// inline scans { key = value, ... } whose keys are one level below n.
func (c *prechecker) inline(n nest) {
	if c.level(c.i, n.level+1); c.stop {
		return
	}
	c.i++
	for {
		c.skipBlank()
		if c.eof() {
			return
		}
		start := c.i
		switch c.peek() {
		case '}':
			c.i++
			return
		case ',':
			c.i++
		default:
			c.keyValue(n)
		}
		if c.i == start && !c.stop {
			c.i++
		}
	}
}

// literal scans a literal string, in one or three single quotes, which has no escapes.
func (c *prechecker) literal() {
	if strings.HasPrefix(c.s[c.i:], "'''") {
		c.i += 3
		for !c.eof() {
			switch {
			case strings.HasPrefix(c.s[c.i:], "'''"):
				c.i += 3
				for c.peek() == '\'' { // up to two more quotes end the string
					c.i++
				}
				return
			case c.s[c.i] == '\n':
				c.newline()
			default:
				c.i++
			}
		}
		return
	}
	c.i++
	for c.i < len(c.s) && c.s[c.i] != '\'' && c.s[c.i] != '\n' {
		c.i++
	}
	if c.peek() == '\'' {
		c.i++
	}
}

// basic scans a basic string, "..." or """...""", and checks what its escapes stand for.
func (c *prechecker) basic() {
	multi := strings.HasPrefix(c.s[c.i:], `"""`)
	if multi {
		c.i += 3
	} else {
		c.i++
	}
	for !c.eof() {
		switch ch := c.s[c.i]; {
		case ch == '\\':
			c.escape()
		case ch == '"' && !multi:
			c.i++
			return
		case ch == '"' && strings.HasPrefix(c.s[c.i:], `"""`):
			c.i += 3
			for c.peek() == '"' {
				c.i++
			}
			return
		case ch == '\n':
			if !multi {
				return // the decoder reports the unterminated string
			}
			c.newline()
		default:
			c.i++
		}
	}
}

// escape checks the escape sequence at c.i and moves past it.
func (c *prechecker) escape() {
	at := c.i
	c.i++
	if c.eof() {
		return
	}
	var r rune
	switch e := c.s[c.i]; e {
	case 'u', 'U', 'x':
		n := map[byte]int{'u': 4, 'U': 8, 'x': 2}[e]
		c.i++
		if len(c.s)-c.i < n {
			return
		}
		var v rune
		for _, h := range []byte(c.s[c.i : c.i+n]) {
			d := hexValue(h)
			if d < 0 {
				return // the decoder reports a bad escape
			}
			v = v<<4 | rune(d)
		}
		c.i += n
		r = v
	case 'b':
		r, c.i = '\b', c.i+1
	case 'f':
		r, c.i = '\f', c.i+1
	case 'r':
		r, c.i = '\r', c.i+1
	case 'e':
		r, c.i = 0x1b, c.i+1
	case '\n':
		return // a line-ending backslash: the newline is handled by the caller
	default:
		c.i++
		return
	}
	if termsafe.Unsafe(r) {
		c.forbidden(at, r, c.s[at:c.i])
	}
}

func hexValue(h byte) int {
	switch {
	case h >= '0' && h <= '9':
		return int(h - '0')
	case h >= 'a' && h <= 'f':
		return int(h-'a') + 10
	case h >= 'A' && h <= 'F':
		return int(h-'A') + 10
	}
	return -1
}
