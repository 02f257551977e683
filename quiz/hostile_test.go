package quiz

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

// header is the start of a sound bank, for cases that need one.
const header = "level = \"junior\"\n\n[[questions]]\nid = \"q\"\nkind = \"single\"\ntopic = \"exec\"\nlang = \"go\"\n"

// goodRest completes header into a sound question.
const goodRest = "prompt = \"p\"\nchoices = [\"a\", \"b\"]\nanswer = 1\nexplanation = \"e\"\nsource = \"https://pkg.go.dev/os/exec\"\n"

// hostileBanks are banks written to hurt: each must fail fast, with the problem named at
// its place, within the memory and time bounds of TestHostileBanks.
var hostileBanks = []struct {
	name string
	text string
	want []string // every problem, as file:line:col: message
}{
	{
		// 10,000 nested inline tables in 40 KB used gigabytes in the decoder.
		name: "deep-inline-tables",
		text: "x = " + strings.Repeat("{a=", 10_000) + "1" + strings.Repeat("}", 10_000) + "\n",
		want: []string{"h:1:26: nested deeper than 8 levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)"},
	},
	{
		name: "deep-inline-tables-unclosed",
		text: "x = " + strings.Repeat("{a=", 10_000) + "\n",
		want: []string{"h:1:26: nested deeper than 8 levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)"},
	},
	{
		// 2,000,000 [ overflowed the decoder's stack.
		name: "deep-arrays",
		text: "x = " + strings.Repeat("[", 2_000_000),
		want: []string{"h:1:65537: the line is longer than 65536 bytes, the limit for a bank; is this a bank file?"},
	},
	{
		name: "deep-arrays-short",
		text: "x = " + strings.Repeat("[", 60_000) + "\n",
		want: []string{"h:1:12: nested deeper than 8 levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)"},
	},
	{
		name: "deep-arrays-multiline",
		text: "x = " + strings.Repeat("[\n", 40_000),
		want: []string{"h:8:1: nested deeper than 8 levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)"},
	},
	{
		name: "deep-dotted-key",
		text: "a" + strings.Repeat(".a", 10_000) + " = 1\n",
		want: []string{"h:1:17: nested deeper than 8 levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)"},
	},
	{
		name: "deep-table-header",
		text: "[a" + strings.Repeat(".a", 10_000) + "]\n",
		want: []string{"h:1:18: nested deeper than 8 levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)"},
	},
	{
		name: "deep-under-header",
		text: "[a.b.c.d.e]\nf.g = [[1]]\n",
		want: []string{"h:2:8: nested deeper than 8 levels (each table name part, dotted key part, array and inline table counts one; a bank needs 3)"},
	},
	{
		name: "long-key-path",
		text: "[" + strings.Repeat("k", 200) + "]\n" + strings.Repeat("k", 57) + " = 1\n",
		want: []string{"h:2:1: key path longer than 256 bytes (the table name and every part of a dotted key count), the limit for a bank"},
	},
	{
		// Found by FuzzLoad: a key written as a string that goes on over lines.
		name: "long-key-over-lines",
		text: "['''\n" + strings.Repeat("k", 300) + "\n''']\n",
		want: []string{"h:1:2: key path longer than 256 bytes (the table name and every part of a dotted key count), the limit for a bank"},
	},
	{
		name: "too-many-items",
		text: "x = [" + strings.Repeat("1,", 30_000) + "]\n",
		want: []string{"h:1:50002: more than 25000 keys and values in one file, the limit for a bank; split it into several files"},
	},
	{
		name: "too-many-lines",
		text: strings.Repeat("# a comment\n", 60_000),
		want: []string{"h:50001:1: more than 50000 lines, the limit for a bank; split it into several files"},
	},
	{
		name: "over-the-size-cap",
		text: strings.Repeat(strings.Repeat("#", 1000)+"\n", 8400),
		want: []string{"h:1:1: the bank is over 8 MiB, the limit for one bank file; split it into several files"},
	},
	{
		name: "invalid-utf8",
		text: "level = \"junior\"\n# caf\xe9\n",
		want: []string{"h:2:6: invalid UTF-8 (byte \\xe9); a bank must be UTF-8 text"},
	},
	{
		name: "escape-clears-screen",
		text: header + "prompt = \"\\u001b[2J\\u001b[Hpick one\"\n" + goodRest[len("prompt = \"p\"\n"):],
		want: []string{
			`h:8:11: escape \u001b (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
			`h:8:20: escape \u001b (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
		},
	},
	{
		name: "escape-window-title",
		text: header + goodRest + "tags = [\"\\u001b]0;pwned\\u0007\"]\n",
		want: []string{
			`h:13:10: escape \u001b (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
			`h:13:24: escape \u0007 (character \x07) is a terminal control character, which a bank may not hold; remove it`,
		},
	},
	{
		name: "toml-1.1-escapes",
		text: "level = \"junior\" # \\e is not an escape in a comment\nx = \"\\e[31m\\x9b\"\ny = '\\e'\n",
		want: []string{
			`h:1:1: no [[questions]] in this bank`,
			`h:2:1: unknown key "x" (a bank has level and [[questions]])`,
			`h:2:6: escape \e (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
			`h:2:12: escape \x9b (character \x9b) is a terminal control character, which a bank may not hold; remove it`,
			`h:3:1: unknown key "y" (a bank has level and [[questions]])`,
		},
	},
	{
		name: "control-escapes-b-f-r",
		text: header + "prompt = \"\"\"line\\bone\\f\\rtwo\\\n  three\"\"\"\n" + goodRest[len("prompt = \"p\"\n"):],
		want: []string{
			`h:8:17: escape \b (character \x08) is a terminal control character, which a bank may not hold; remove it`,
			`h:8:22: escape \f (character \x0c) is a terminal control character, which a bank may not hold; remove it`,
			`h:8:24: escape \r (character \x0d) is a terminal control character, which a bank may not hold; remove it`,
		},
	},
	{
		name: "bidi-override-hides-a-choice",
		text: header + "prompt = \"p\"\nchoices = [\"a\", \"b \u202e\"]\nanswer = 1\nexplanation = \"e\"\nsource = \"https://pkg.go.dev/os/exec\"\n",
		want: []string{`h:9:20: character \u202e is a bidirectional override, which shows text in another order than it is stored, which a bank may not hold; remove it`},
	},
	{
		name: "bidi-isolate-escape",
		text: header + "prompt = \"\\u2066p\\u2069\"\n" + goodRest[len("prompt = \"p\"\n"):],
		want: []string{
			`h:8:11: escape \u2066 (character \u2066) is a bidirectional override, which shows text in another order than it is stored, which a bank may not hold; remove it`,
			`h:8:18: escape \u2069 (character \u2069) is a bidirectional override, which shows text in another order than it is stored, which a bank may not hold; remove it`,
		},
	},
	{
		name: "osc8-link-in-source",
		text: header + "prompt = \"p\"\nchoices = [\"a\", \"b\"]\nanswer = 1\nexplanation = \"e\"\nsource = \"\\u001b]8;;https://evil.example\\u001b\\\\https://nodejs.org/api/\\u001b]8;;\\u001b\\\\\"\n",
		want: []string{
			`h:12:11: escape \u001b (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
			`h:12:41: escape \u001b (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
			`h:12:72: escape \u001b (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
			`h:12:82: escape \u001b (character \x1b) is a terminal control character, which a bank may not hold; remove it`,
		},
	},
	{
		name: "raw-control-in-comment",
		text: "level = \"junior\" # \x1b[2J\n",
		want: []string{
			`h:1:20: character \x1b is a terminal control character, which a bank may not hold; remove it`,
		},
	},
	{
		name: "raw-carriage-return",
		text: "level = \"junior\"\r\n# over\rwrite\r\n",
		want: []string{
			`h:2:7: character \x0d is a terminal control character, which a bank may not hold; remove it`,
		},
	},
	{
		name: "many-forbidden-characters",
		text: "level = \"junior\"\n" + strings.Repeat("# \u202e\n", 25),
		want: func() []string {
			out := []string{`h:1:1: and 5 more forbidden characters in this file`, `h:1:1: no [[questions]] in this bank`}
			for i := 2; i <= 21; i++ {
				out = append(out, fmt.Sprintf(`h:%d:3: character \u202e is a bidirectional override, which shows text in another order than it is stored, which a bank may not hold; remove it`, i))
			}
			return out
		}(),
	},
	{
		name: "many-problems",
		text: "level = \"junior\"\n" + strings.Repeat("[[questions]]\n", 150),
		want: func() []string {
			// Each header misses 7 keys: the first 100 problems are the 7 of lines 2 to 15
			// and 2 of line 16.
			var out []string
			for line := 2; len(out) < 100; line++ {
				for _, k := range []string{"id", "kind", "topic", "lang", "prompt", "explanation", "source"} {
					if len(out) < 100 {
						out = append(out, fmt.Sprintf(`h:%d:1: missing required key %q`, line, k))
					}
				}
			}
			return append(out, `h:16:1: and 950 more problems in this file`)
		}(),
	},
}

// TestHostileBanks loads each hostile bank and checks every problem reported, and that
// loading stays within 10 times the file's size plus 32 MiB of allocations and a second
// of CPU time. It is not parallel, so the allocation count is its own.
func TestHostileBanks(t *testing.T) {
	for _, tt := range hostileBanks {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.text)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			cpu0 := cpuTime()
			_, err := Load([]Source{{Name: "h", Data: data}})
			cpu := cpuTime() - cpu0
			runtime.ReadMemStats(&after)

			got := problemLines(err)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Load(%s) problems =\n%s\nwant\n%s", tt.name, clipLines(got), strings.Join(tt.want, "\n"))
			}
			alloc := after.TotalAlloc - before.TotalAlloc
			if limit := uint64(10*len(data) + 32<<20); alloc > limit {
				t.Errorf("Load(%s) allocated %d MiB for %d KiB; want at most %d MiB", tt.name, alloc>>20, len(data)>>10, limit>>20)
			}
			if cpu > time.Second {
				t.Errorf("Load(%s) took %v of CPU time; want under a second", tt.name, cpu)
			}
			t.Logf("%d KiB: %.1f MiB allocated, %v CPU", len(data)>>10, float64(alloc)/(1<<20), cpu.Round(time.Millisecond))
		})
	}
}

func clipLines(lines []string) string {
	if len(lines) > 30 {
		lines = append(lines[:30:30], fmt.Sprintf("(%d more)", len(lines)-30))
	}
	return strings.Join(lines, "\n")
}

// TestSyntaxErrorPositions pins the place reported for common TOML mistakes: where the
// mistake is, not where the decoder's own line and column put it.
func TestSyntaxErrorPositions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, want string
	}{
		{"unterminated string", "level = \"junior\"\nprompt = \"no end\nx = 1\n",
			"h:2:17: TOML syntax: strings cannot contain newlines"},
		{"unterminated literal", "level = \"junior\"\nprompt = 'no end\n",
			"h:2:17: TOML syntax: strings cannot contain newlines"},
		{"unterminated multi-line string", "level = \"junior\"\nprompt = \"\"\"no end\n\n",
			"h:3:1: TOML syntax: unexpected EOF; expected '\"\"\"'"},
		{"duplicate key", "level = \"junior\"\nb = 2\n\nc = 1\nlevel = \"mid\"\n",
			"h:5:1: TOML syntax: Key 'level' has already been defined."},
		{"duplicate key in a question", "[[questions]]\nid = \"a\"\n[[questions]]\nid = \"b\"\nid = \"c\"\n",
			"h:5:1: TOML syntax: Key 'questions.id' has already been defined."},
		{"duplicate quoted key", "\"a\" = 1\n'a' = 2\n",
			"h:2:2: TOML syntax: Key 'a' has already been defined."},
		{"array without a comma", "level = \"junior\"\nx = [1, 2\ny = 3\n",
			"h:3:1: TOML syntax: expected a comma (',') or array terminator (']'), but got 'y'"},
		{"inline table not closed", "level = \"junior\"\nx = {a = 1\ny = 3\n",
			"h:3:1: TOML syntax: expected a comma or an inline table terminator '}', but got 'y' instead"},
		{"table header not closed", "level = \"junior\" # c\n[b\n",
			"h:2:3: TOML syntax: expected '.' or ']' to end table name, but got '\\n' instead"},
		{"missing value", "level = \"junior\"\nx = \n",
			"h:2:5: TOML syntax: expected value but found '\\n' instead"},
		{"bad escape", "level = \"junior\"\nx = \"a\\qb\"\n",
			"h:2:6: TOML syntax: invalid escape in string '\\q'"},
		{"after a multi-byte character", "level = \"é\" x\n",
			"h:1:13: TOML syntax: expected a top-level item to end with a newline, comment, or EOF, but got 'x' instead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Load([]Source{{Name: "h", Data: []byte(tt.text)}})
			if got := strings.Join(problemLines(err), "\n"); got != tt.want {
				t.Errorf("Load(%q) = %s; want %s", tt.text, got, tt.want)
			}
		})
	}
}

// TestSafeBanksPass checks that the pre-check lets real banks through: brackets and
// escapes inside strings, dotted keys, multi-line arrays with comments, CRLF line ends and
// a byte order mark.
func TestSafeBanksPass(t *testing.T) {
	t.Parallel()
	text := "\ufefflevel = \"junior\"\r\n\r\n[[questions]]\r\nid = \"q\"\nkind = \"multi\" # [[[[[[[[[[ not nesting\n" +
		"topic = \"exec\"\nlang = \"go\"\n" +
		"prompt = \"\"\"\n[[[[[[[[[[ {{{{{{{{ \\\"\\\\ \\u00e9\\t\\n \\\n  still the prompt \"\"\"\n" +
		"code = '''\nfmt.Println(\"[[[[[[[[[[\") // \\u001b is not an escape here\n'''\n" +
		"choices = [\n  # a comment [\n  \"a ]]]]\", 'b \\e',\n  \"c\",\n]\nanswer = [1, 2]\n" +
		"explanation = \"e\"\nsource = \"https://pkg.go.dev/os/exec#Cmd\"\n" +
		"tags = [ \"x\", \"y\" ]\n"
	qs, err := Load([]Source{{Name: "h", Data: []byte(text)}})
	if err != nil || len(qs) != 1 {
		t.Fatalf("Load(safe bank) = %d questions, %v; want 1, nil", len(qs), err)
	}
	if got := qs[0].Choices[1]; got != `b \e` {
		t.Errorf("choice 2 = %q; want the literal string `b \\e`", got)
	}
}
