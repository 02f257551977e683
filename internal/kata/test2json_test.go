package kata

// The recorded streams in testdata/streams are real "go test -json" output over the fixture
// kata. Refresh them with:
//
//	go test ./internal/kata -run TestRecordedStreams -update

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the recorded streams and other golden files in testdata")

func TestRecordedStreams(t *testing.T) {
	k := fixtureKata(t)
	tests := []struct {
		stream   string
		exit     int
		status   Status
		passed   int
		reason   string
		messages []string // parts of TestAdd's message
		output   string   // the package's output
	}{
		{stream: "pass", status: StatusPass, passed: 2},
		{stream: "fail", exit: 1, status: StatusFail, passed: 1, reason: "1 test failed: TestAdd",
			messages: []string{"    --- FAIL: TestAdd/small (0.00s)\n        fixture_test.go:28: Add(2, 3) = -1; want 5\n", "    --- FAIL: TestAdd/negative"}},
		{stream: "builderr", exit: 1, status: StatusFail, reason: "build failed: ./fixture.go:7:41: undefined: undefinedName"},
		{stream: "exit", exit: 1, status: StatusFail, reason: "the test binary exited early: TestAdd did not finish; TestOutput never ran"},
		{stream: "panic", exit: 1, status: StatusFail, reason: "1 test failed: TestAdd; the test binary exited early: TestOutput never ran",
			messages: []string{"panic: fixture: Add is broken"}},
		{stream: "chatty", status: StatusPass, passed: 2, messages: []string{"    --- PASS: TestAdd/small (0.00s)\n    adding 2 and 3\n"}},
		// Hand-written: a go older than 1.24 reports a build failure on stderr only.
		{stream: "oldbuild", exit: 1, status: StatusFail, reason: "build failed: (no output)"},
		// Hand-written: lines that are not events, and a line longer than the reader keeps.
		{stream: "stray", exit: 1, status: StatusFail, passed: 1, reason: "1 test failed: TestOutput",
			output: "go: warning: a stray line that is not JSON\n{not an event either\n"},
	}
	if *update {
		for _, tc := range tests {
			if tc.stream != "oldbuild" && tc.stream != "stray" {
				record(t, k, tc.stream)
			}
		}
	}
	for _, tc := range tests {
		t.Run(tc.stream, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "streams", tc.stream+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			col := newCollector()
			if err := readEvents(f, col.add); err != nil {
				t.Fatalf("readEvents = %v", err)
			}
			col.finish()
			res := &Result{ExitCode: tc.exit}
			tests, _ := k.Tests()
			judge(res, tests, col, nil)
			if res.Status != tc.status || res.Passed != tc.passed || res.Reason != tc.reason {
				t.Errorf("judge(%s) = %s %d/%d %q; want %s %d/2 %q", tc.stream, res.Status, res.Passed, res.Total, res.Reason, tc.status, tc.passed, tc.reason)
			}
			if tc.output != "" && res.Output != tc.output {
				t.Errorf("judge(%s) output = %q; want %q", tc.stream, res.Output, tc.output)
			}
			for _, m := range tc.messages {
				if !strings.Contains(res.Tests[0].Output, m) {
					t.Errorf("TestAdd's message = %q; want it to hold %q", res.Tests[0].Output, m)
				}
			}
		})
	}
}

// record rewrites testdata/streams/<solution>.jsonl from a real run over the fixture kata.
func record(t *testing.T, k *Kata, solution string) {
	t.Helper()
	ws := workspaceWith(t, k, solution)
	overlay, err := writeOverlay(t.TempDir(), ws.KataDir(k), ws, k)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-json", "-count=1", "-overlay="+overlay, ".")
	cmd.Dir = ws.KataDir(k)
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, _ := cmd.Output()
	if err := os.WriteFile(filepath.Join("testdata", "streams", solution+".jsonl"), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestReadEventsLongLine(t *testing.T) {
	long := strings.Repeat("x", 3*maxLine)
	in := `{"Action":"output","Test":"TestA","Output":"hi\n"}` + "\n" + long + "\nnot json\n" + `{"Action":"pass","Test":"TestA"}`
	var got []Event
	if err := readEvents(strings.NewReader(in), func(ev Event) { got = append(got, ev) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("readEvents gave %d events; want 4", len(got))
	}
	if o := got[1].Output; len(o) > maxLine+100 || !strings.HasSuffix(o, "... (line cut)\n") {
		t.Errorf("long line event = %d bytes ending %q; want at most %d, ending with the cut note", len(o), tail(o, 20), maxLine)
	}
	if got[2].Output != "not json\n" || got[3].Action != "pass" {
		t.Errorf("events after the long line = %+v, %+v; want the stray line, then the pass", got[2], got[3])
	}
}

func TestCappedBudgets(t *testing.T) {
	total, per := 10, 6
	var a, b capped
	a.write("12345", &total, &per)
	a.write("6789", &total, &per)
	b.write("abcdefgh", &total)
	if string(a.buf) != "123456" || a.dropped != 3 || string(b.buf) != "abcd" || b.dropped != 4 {
		t.Errorf("capped = %q (dropped %d), %q (dropped %d); want \"123456\" (3), \"abcd\" (4)", a.buf, a.dropped, b.buf, b.dropped)
	}
	if got := a.String(); got != "123456\n... (output cut: 3 bytes more)\n" {
		t.Errorf("String() = %q", got)
	}
}
