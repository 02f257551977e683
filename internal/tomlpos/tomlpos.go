// Package tomlpos finds where keys are in a TOML document, for error messages that point at
// file:line:col. The TOML decoder (BurntSushi/toml) reports positions of syntax errors but
// not of keys, so this scanner walks the text, skipping strings, arrays and comments, and
// notes each key that starts a line. Run it only on text the decoder accepted.
package tomlpos

import "strings"

// Pos is a 1-based line and column.
type Pos struct {
	Line, Col int
}

// Positions is where the keys of one document are.
type Positions struct {
	// Top holds the top-level keys, and the first header of each table or array of tables
	// other than the one given to Scan.
	Top map[string]Pos
	// Headers holds each [[name]] header of the array of tables given to Scan, in order,
	// and Keys the keys under each.
	Headers []Pos
	Keys    []map[string]Pos
}

// Scan returns the positions of the keys in text. Keys under [[array]] headers go to
// Headers and Keys; everything else to Top. The first part of a dotted key is what counts.
func Scan(text, array string) *Positions {
	kp := &Positions{Top: map[string]Pos{}}
	sink := kp.Top // where the keys of the current table go; nil for tables not tracked
	var (
		multi string // the open multi-line string delimiter, if any
		depth int    // nesting of arrays and inline tables in a value
	)
	for n, rest := 1, text; rest != "" || n == 1; n++ {
		line, after, _ := strings.Cut(rest, "\n")
		rest = after
		if multi != "" || depth > 0 {
			multi, depth = scanValue(line, 0, multi, depth)
			continue
		}
		trimmed := strings.TrimLeft(line, " \t")
		col := len(line) - len(trimmed) + 1
		switch {
		case trimmed == "" || trimmed[0] == '#':
		case strings.HasPrefix(trimmed, "[["):
			name := strings.TrimSpace(strings.TrimPrefix(trimmed, "[["))
			name, _, _ = strings.Cut(name, "]]")
			name = strings.TrimSpace(name)
			if name == array {
				kp.Headers = append(kp.Headers, Pos{n, col})
				sink = map[string]Pos{}
				kp.Keys = append(kp.Keys, sink)
				continue
			}
			if _, ok := kp.Top[name]; !ok {
				kp.Top[name] = Pos{n, col}
			}
			sink = nil
		case trimmed[0] == '[':
			name, _, _ := strings.Cut(strings.TrimPrefix(trimmed, "["), "]")
			name, _, _ = strings.Cut(strings.Trim(strings.TrimSpace(name), `"'`), ".")
			if _, ok := kp.Top[name]; !ok {
				kp.Top[name] = Pos{n, col}
			}
			sink = nil
		default:
			key, rest := splitKey(trimmed)
			if key == "" {
				continue
			}
			if _, seen := sink[key]; sink != nil && !seen {
				sink[key] = Pos{n, col}
			}
			multi, depth = scanValue(trimmed, len(trimmed)-len(rest), "", 0)
		}
	}
	return kp
}

// splitKey returns the first part of a "key = value" line (a dotted key's first part) and
// the text after the '='. It returns "" when the line is not a key line.
func splitKey(s string) (key, rest string) {
	var k strings.Builder
	i := 0
	if i < len(s) && (s[i] == '"' || s[i] == '\'') {
		q := s[i]
		j := strings.IndexByte(s[i+1:], q)
		if j < 0 {
			return "", ""
		}
		k.WriteString(s[i+1 : i+1+j])
		i += j + 2
	} else {
		for i < len(s) && isBareKeyChar(s[i]) {
			k.WriteByte(s[i])
			i++
		}
	}
	eq := strings.IndexByte(s[i:], '=')
	if k.Len() == 0 || eq < 0 {
		return "", ""
	}
	return k.String(), s[i+eq+1:]
}

func isBareKeyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// scanValue follows line from byte start, given the open multi-line string and nesting
// depth at that point, and returns them at the end of the line.
func scanValue(line string, start int, multi string, depth int) (string, int) {
	for i := start; i < len(line); {
		if multi != "" {
			j := strings.Index(line[i:], multi)
			if j < 0 {
				return multi, depth
			}
			i += j + 3
			for i < len(line) && line[i] == multi[0] { // up to two extra quotes end the string
				i++
			}
			multi = ""
			continue
		}
		switch c := line[i]; c {
		case '#':
			return multi, depth
		case '"', '\'':
			delim := strings.Repeat(string(c), 3)
			if strings.HasPrefix(line[i:], delim) {
				multi = delim
				i += 3
				continue
			}
			i++
			for i < len(line) && line[i] != c {
				if c == '"' && line[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case '[', '{':
			depth++
			i++
		case ']', '}':
			depth--
			i++
		default:
			i++
		}
	}
	return multi, depth
}
