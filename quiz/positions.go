package quiz

import "strings"

// keyPositions records where keys are in a bank file. The TOML decoder does not expose key
// positions, so this scanner walks the text, skipping strings, arrays and comments, and notes
// each key at the start of a line. It runs only on text the decoder accepted.
type keyPositions struct {
	top       map[string]Pos   // keys before the first [[questions]], and other table headers
	headers   []Pos            // each [[questions]] header
	questions []map[string]Pos // keys of each question, by header order
}

func scanPositions(file, text string) *keyPositions {
	kp := &keyPositions{top: map[string]Pos{}}
	var (
		multi string // the open multi-line string delimiter, if any
		depth int    // nesting of arrays and inline tables in a value
	)
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
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
			if name == "questions" {
				kp.headers = append(kp.headers, Pos{file, n, col})
				kp.questions = append(kp.questions, map[string]Pos{})
			} else if _, ok := kp.top[name]; !ok {
				kp.top[name] = Pos{file, n, col}
			}
		case trimmed[0] == '[':
			name, _, _ := strings.Cut(strings.TrimPrefix(trimmed, "["), "]")
			name = strings.TrimSpace(name)
			if _, ok := kp.top[name]; !ok {
				kp.top[name] = Pos{file, n, col}
			}
		default:
			key, rest := splitKey(trimmed)
			if key == "" {
				continue
			}
			pos := Pos{file, n, col}
			if len(kp.questions) == 0 {
				kp.top[key] = pos
			} else {
				kp.questions[len(kp.questions)-1][key] = pos
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
