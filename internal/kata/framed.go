package kata

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
)

// The test binary runs with -test.v=test2json: the testing package then starts each of its
// framing lines (=== RUN, --- PASS, the final PASS...) with the byte 0x16, and readFramed
// turns the stream into the events of "go test -json", as cmd/test2json does. The binary's
// output goes straight to procdojo: no go test in between buffers it.
const frameMarker = 0x16

// nonceEnv names the variable with which the checker hands the harness its nonce. After the
// tests, the harness prints a framing line with the nonce and the tests' exit status
// (harnessEndPrefix): a binary that ends without it did not finish its tests, whatever it
// printed.
const (
	nonceEnv         = "PROCDOJO_CHECK_NONCE"
	harnessEndPrefix = "procdojo-harness: end "
)

// actionHarnessEnd is the event readFramed makes of the harness's end line; Output holds
// the exit status the harness reported.
const actionHarnessEnd = "harness-end"

// readFramed reads the framed output of a test binary and hands fn one event per line:
// framing lines become run, pause, cont, pass, fail and skip events (each with an output
// event of its text, as go test -json has); other lines are output of the test named last
// (or of the package, outside any test). The harness's end line
// counts only with the right nonce. A line longer than maxLine is cut there, so memory
// stays bounded whatever the binary prints.
func readFramed(r io.Reader, nonce string, fn func(Event)) error {
	br := bufio.NewReaderSize(r, maxLine)
	cur := ""
	for {
		line, err := br.ReadSlice('\n')
		long := errors.Is(err, bufio.ErrBufferFull)
		if long {
			line = append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			line = append(line, "... (line cut)\n"...)
		}
		if len(line) > 0 {
			if line[0] == frameMarker && !long {
				cur = frame(string(line[1:]), cur, nonce, fn)
			} else {
				fn(Event{Action: "output", Test: cur, Output: string(line)})
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// frame handles one framing line (without its marker) and returns the test that the
// output after it belongs to.
func frame(line, cur, nonce string, fn func(Event)) string {
	text := strings.TrimRight(strings.TrimLeft(line, " "), "\r\n")
	for _, f := range []struct{ prefix, action string }{
		{"=== RUN   ", "run"}, {"=== PAUSE ", "pause"}, {"=== CONT  ", "cont"}, {"=== NAME  ", ""},
	} {
		if name, ok := strings.CutPrefix(text, f.prefix); ok {
			if f.action != "" {
				fn(Event{Action: f.action, Test: name})
				fn(Event{Action: "output", Test: name, Output: line})
			}
			return name
		}
	}
	for _, f := range []struct{ prefix, action string }{
		{"--- PASS: ", "pass"}, {"--- FAIL: ", "fail"}, {"--- SKIP: ", "skip"},
	} {
		if rest, ok := strings.CutPrefix(text, f.prefix); ok {
			name, elapsed := rest, 0.0
			if i := strings.LastIndex(rest, " ("); i >= 0 && strings.HasSuffix(rest, "s)") {
				name = rest[:i]
				elapsed, _ = strconv.ParseFloat(rest[i+2:len(rest)-2], 64)
			}
			fn(Event{Action: "output", Test: name, Output: line})
			fn(Event{Action: f.action, Test: name, Elapsed: elapsed})
			return name
		}
	}
	if rest, ok := strings.CutPrefix(text, harnessEndPrefix); ok {
		got, status, _ := strings.Cut(rest, " status ")
		if nonce != "" && got == nonce {
			fn(Event{Action: actionHarnessEnd, Output: status})
			return ""
		}
	}
	// The final PASS or FAIL, and the framework's other notes, belong to the package.
	fn(Event{Action: "output", Output: line})
	return ""
}
