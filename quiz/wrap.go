package quiz

import (
	"strings"
	"unicode/utf8"
)

// Wrap breaks each line of s that is longer than width columns at spaces, so that no word is
// cut: the continuation lines keep the line's indentation. A word wider than the width
// stays whole on a line of its own. Lines that fit are left as they are. Columns count
// characters. A width of 0 or less leaves s unchanged: output that is not a terminal is
// not wrapped.
func Wrap(s string, width int) string {
	if width <= 0 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		indent := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		lines[i] = wrapLine(l, width, indent)
	}
	return strings.Join(lines, "\n")
}

// wrapLine wraps one line at width, starting each continuation line with cont.
func wrapLine(line string, width int, cont string) string {
	if width <= 0 || utf8.RuneCountInString(line) <= width {
		return line
	}
	body := strings.TrimLeft(line, " \t")
	var b strings.Builder
	b.WriteString(line[:len(line)-len(body)])
	col := utf8.RuneCountInString(line) - utf8.RuneCountInString(body)
	start := col
	for _, w := range strings.Fields(body) {
		n := utf8.RuneCountInString(w)
		switch {
		case col == start:
		case col+1+n > width:
			b.WriteString("\n" + cont)
			col = utf8.RuneCountInString(cont)
			start = col
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += n
	}
	return b.String()
}
