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

// pos returns the place of byte offset at; columns count characters. It is quick for a
// place on the current line, and counts from the start for one before it (a key written as
// a string that went on over several lines).
func (c *prechecker) pos(at int) Pos {
	if at < c.lineStart {
		return linePos(c.file, c.s, at)
	}
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
