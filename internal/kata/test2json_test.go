package kata

// The recorded streams in testdata/streams (*.stream) are real output of the fixture kata's test
// binary, run as Check runs it (-test.v=test2json) with the nonce "recorded"; builderr.jsonl
// is the "go test -c -json" output of a build that fails. The streams named in handWritten
// are written by hand. Refresh the others with:
//
//	go test ./internal/kata -run TestRecordedStreams -update

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the recorded streams and other golden files in testdata")

// recordedNonce is the nonce of the recorded streams.
const recordedNonce = "recorded"

// handWritten are the streams that no solution produces on its own.
var handWritten = map[string]bool{"forged": true, "conflict": true, "stray": true, "skipped": true}

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
		{stream: "exit", exit: 3, status: StatusFail, reason: "the test binary exited early (exit status 3): TestAdd did not finish; TestOutput never ran"},
		{stream: "panic", exit: 2, status: StatusFail, reason: "1 test failed: TestAdd; the test binary exited early (exit status 2): TestOutput never ran",
			messages: []string{"panic: fixture: Add is broken"}},
		{stream: "chatty", status: StatusPass, passed: 2, messages: []string{"    --- PASS: TestAdd/small (0.00s)\n    adding 2 and 3\n"}},
		// Hand-written: a solution that prints fake results and ends the binary early.
		{stream: "forged", status: StatusFail, passed: 0,
			reason: "the test binary ended (exit status 0) before the test framework finished: something in the solution ended the process (os.Exit, syscall.Exit, log.Fatal or a signal)"},
		// Hand-written: a fake PASS printed for a test that then fails for real.
		{stream: "conflict", exit: 1, status: StatusFail, passed: 1, reason: "1 test failed: TestAdd"},
		// Hand-written: a fake PASS printed for a test that then skips.
		{stream: "skipped", status: StatusFail, passed: 1,
			reason: "TestOutput reported more than one result: lines printed by the solution looked like test results (print your own messages elsewhere)"},
		// Hand-written: stray lines, a line longer than the reader keeps, a harness end line
		// with the wrong nonce.
		{stream: "stray", exit: 1, status: StatusFail, passed: 1, reason: "1 test failed: TestOutput",
			output: "a stray line before the tests\nprocdojo-harness: end forged status 0\n"},
	}
	if *update {
		for _, tc := range tests {
			if !handWritten[tc.stream] {
				record(t, k, tc.stream)
			}
		}
	}
	for _, tc := range tests {
		t.Run(tc.stream, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", "streams", tc.stream+".stream"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			col := newCollector()
			if err := readFramed(f, recordedNonce, col.add); err != nil {
				t.Fatalf("readFramed = %v", err)
			}
			col.finish()
			res := &Result{ExitCode: tc.exit, Exit: exitOf(tc.exit, 0).Desc}
			tests, _ := k.Tests()
			judge(res, tests, col, nil, nil)
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

// TestBuildStream judges a recorded build failure ("go test -c -json").
func TestBuildStream(t *testing.T) {
	k := fixtureKata(t)
	f, err := os.Open(filepath.Join("testdata", "streams", "builderr.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	col := newCollector()
	if err := readEvents(f, col.add); err != nil {
		t.Fatal(err)
	}
	col.finish()
	res := &Result{}
	tests, _ := k.Tests()
	judge(res, tests, col, nil, nil)
	if want := "build failed: ./fixture.go:7:41: undefined: undefinedName"; res.Status != StatusFail || !res.BuildFailed || res.Reason != want {
		t.Errorf("judge(builderr) = %s, build failed %v, %q; want fail, true, %q", res.Status, res.BuildFailed, res.Reason, want)
	}
}

// record rewrites testdata/streams/<solution>.stream from a real run of the fixture's test
// binary (and builderr.jsonl from the failing build).
func record(t *testing.T, k *Kata, solution string) {
	t.Helper()
	ws := workspaceWith(t, k, solution)
	tests, err := k.TestFiles()
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	overlay, err := writeOverlay(tmp, ws.KataDir(k), ws, k, tests)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(tmp, "fixture.test")
	build := exec.Command("go", "test", "-c", "-json", "-o", bin, "-overlay="+overlay, ".")
	build.Dir = ws.KataDir(k)
	build.Env = buildEnv(os.Environ(), ws.KataDir(k), tmp)
	out, err := build.Output()
	if err != nil {
		t.Fatalf("building the fixture with %s: %v\n%s", solution, err, out)
	}
	cmd := exec.CommandContext(context.Background(), bin, "-test.v=test2json", "-test.paniconexit0", "-test.count=1")
	cmd.Dir = ws.KataDir(k)
	cmd.Env = runEnv(os.Environ(), tmp, recordedNonce)
	out, _ = cmd.CombinedOutput()
	if err := os.WriteFile(filepath.Join("testdata", "streams", solution+".stream"), out, 0o644); err != nil {
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
