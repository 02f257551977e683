package quiz

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/procdojo/procdojo/internal/termsafe"
)

// Limits of one bank file. They are checked on the text before the TOML decoder sees it,
// because the decoder's cost grows much faster than the file for deep nesting (10,000
// nested inline tables in 40 KB took gigabytes) and for files dense with tiny keys and
// values; within these limits, loading any file takes well under a second. README.md
// ("Limits") states them.
const (
	// MaxBankSize is the largest bank file read, in bytes.
	MaxBankSize = 8 << 20
	// MaxLineLength is the longest line of a bank, in bytes.
	MaxLineLength = 64 << 10
	// MaxLines is the most lines a bank file may have. A bank of 70 questions has about
	// 2,000.
	MaxLines = 50_000
	// MaxDepth is the deepest nesting of a value: each part of a table header and of a
	// dotted key counts one, and so does each array or inline table around it. A bank needs
	// 3 (choices = [...] in a [[questions]] table).
	MaxDepth = 8
	// MaxItems is the most keys and values one file may hold, counting each part of a
	// dotted key or table header and each array entry. A bank of 70 questions has about
	// 2,000.
	MaxItems = 25_000
	// MaxKeyLength is the longest key path, in bytes as written: the table name a key is
	// under and every part of a dotted key count ("questions" and "choices" make 16).
	MaxKeyLength = 256
	// maxCharProblems is how many forbidden characters are reported one by one in a file;
	// the rest are counted in one more problem.
	maxCharProblems = 20
)

// prechecker scans the text of one bank for what the decoder must never see: lines,
// nesting and item counts over the limits, invalid UTF-8, and characters that would act
// on a terminal (termsafe.Unsafe), whether written raw or as an escape in a basic string.
// It follows TOML's strings, comments, arrays and inline tables well enough to count
// nesting on any text the decoder accepts; on text it does not, it keeps going line by
// line and leaves the syntax error to the decoder. Every loop moves forward, and nesting is
// refused beyond MaxDepth before it recurses, so the scan is linear in the text.
type prechecker struct {
	file      string
	s         string
	i         int // the byte being looked at
	line      int // its line, from 1
	lineStart int // the offset of that line's first byte
	items     int
	table     nest // the current [table] header
	stop      bool
	problems  []Problem
	chars     int // forbidden characters found
}

// precheck checks text and returns its problems, and whether the text is safe to hand to
// the decoder (false when a limit was exceeded or the text is not UTF-8).
func precheck(file, text string) (problems []Problem, decodable bool) {
	c := &prechecker{file: file, s: text, line: 1}
	if len(text) > MaxBankSize {
		return []Problem{{Pos{file, 1, 1}, fmt.Sprintf("the bank is over %s, the limit for one bank file; split it into several files", mib(MaxBankSize))}}, false
	}
	c.raw()
	if c.stop {
		return c.problems, false
	}
	c.i, c.line, c.lineStart = 0, 1, 0
	c.document()
	if c.chars > maxCharProblems {
		c.problems = append(c.problems, Problem{Pos{file, 1, 1},
			fmt.Sprintf("and %d more forbidden characters in this file", c.chars-maxCharProblems)})
	}
	return c.problems, !c.stop
}

// mib writes a size of whole mebibytes.
func mib(n int) string { return fmt.Sprintf("%d MiB", n>>20) }

// pos returns the place of byte offset at, on the current line; columns count characters.
func (c *prechecker) pos(at int) Pos {
	return Pos{c.file, c.line, utf8.RuneCountInString(c.s[c.lineStart:at]) + 1}
}

func (c *prechecker) fail(at int, format string, a ...any) {
	c.problems = append(c.problems, Problem{c.pos(at), fmt.Sprintf(format, a...)})
	c.stop = true
}

// forbidden reports a character that would act on a terminal.
func (c *prechecker) forbidden(at int, r rune, escape string) {
	c.chars++
	if c.chars > maxCharProblems {
		return
	}
	what := "a terminal control character"
	if r >= 0x2000 {
		what = "a bidirectional override, which shows text in another order than it is stored"
	}
	how := "character " + termsafe.Name(r)
	if escape != "" {
		how = "escape " + escape + " (character " + termsafe.Name(r) + ")"
	}
	c.problems = append(c.problems, Problem{c.pos(at), fmt.Sprintf("%s is %s, which a bank may not hold; remove it", how, what)})
}

// raw checks the text as it is: line lengths, UTF-8, and forbidden characters written raw
// (a carriage return is allowed before a newline).
func (c *prechecker) raw() {
	for c.lineStart < len(c.s) {
		if c.line > MaxLines {
			c.fail(c.lineStart, "more than %d lines, the limit for a bank; split it into several files", MaxLines)
			return
		}
		end := strings.IndexByte(c.s[c.lineStart:], '\n')
		if end < 0 {
			end = len(c.s)
		} else {
			end += c.lineStart
		}
		if end-c.lineStart > MaxLineLength {
			c.fail(c.lineStart+MaxLineLength, "the line is longer than %d bytes, the limit for a bank; is this a bank file?", MaxLineLength)
			return
		}
		line := c.s[c.lineStart:end]
		for j, r := range line {
			switch {
			case r == utf8.RuneError:
				if _, n := utf8.DecodeRuneInString(line[j:]); n == 1 {
					c.fail(c.lineStart+j, "invalid UTF-8 (byte \\x%02x); a bank must be UTF-8 text", line[j])
					return
				}
			case r == '\r' && j == len(line)-1:
			case termsafe.Unsafe(r):
				c.forbidden(c.lineStart+j, r, "")
			}
		}
		c.line++
		c.lineStart = end + 1
	}
}

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
