package tomlpos

import (
	"reflect"
	"testing"
)

func TestScan(t *testing.T) {
	t.Parallel()
	text := `title = "x"   # a comment with key = 1
  level = 'junior'
code = '''
fake = 1
'''
list = [
  "a = 1",
  "b",
]

[[questions]]
id = "one"
prompt = """
answer = 3
"""
answer = 2

[other]
inner = 1

[[questions]]
  "quoted" = true
`
	got := Scan(text, "questions")
	want := &Positions{
		Top:     map[string]Pos{"title": {1, 1}, "level": {2, 3}, "code": {3, 1}, "list": {6, 1}, "other": {18, 1}},
		Headers: []Pos{{11, 1}, {21, 1}},
		Keys: []map[string]Pos{
			{"id": {12, 1}, "prompt": {13, 1}, "answer": {16, 1}},
			{"quoted": {22, 3}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Scan() =\n%+v\nwant\n%+v", got, want)
	}
}
