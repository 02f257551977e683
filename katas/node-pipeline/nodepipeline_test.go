package nodepipeline

// The tests call pipeline() in node on real programs: the stages are the test binary
// itself, started as helpers (gen, upper, count, yes, head, fail...), small stand-ins for
// the Unix tools of a shell pipeline.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["gen"] = gen
	helpers["upper"] = upper
	helpers["count"] = count
	helpers["echoargs"] = echoargs
	helpers["fail"] = fail
	helpers["yes"] = yes
	helpers["head"] = head
	helpers["flood"] = flood
	helpers["slowsink"] = slowsink
	helpers["linger"] = linger
}

// watchdog ends a helper that nobody stopped (because the code under test forgot to), so
// that it cannot outlive the test run for long.
func watchdog() {
	time.AfterFunc(60*time.Second, func() { os.Exit(98) })
}

// gen N writes the lines "line 1" to "line N".
func gen(args []string) int {
	watchdog()
	n, _ := strconv.Atoi(args[0])
	w := bufio.NewWriter(os.Stdout)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(w, "line %d\n", i)
	}
	if w.Flush() != nil {
		return 1
	}
	return 0
}

// upper copies stdin to stdout in upper case.
func upper(args []string) int {
	watchdog()
	r, w := bufio.NewReaderSize(os.Stdin, 64<<10), bufio.NewWriterSize(os.Stdout, 64<<10)
	buf := make([]byte, 64<<10)
	for {
		n, err := r.Read(buf)
		if _, werr := w.Write(bytes.ToUpper(buf[:n])); werr != nil {
			return 1
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return 1
		}
	}
	if w.Flush() != nil {
		return 1
	}
	return 0
}

// count writes the number of lines on stdin.
func count(args []string) int {
	watchdog()
	n := 0
	s := bufio.NewScanner(os.Stdin)
	for s.Scan() {
		n++
	}
	fmt.Println(n)
	return 0
}

// echoargs writes its arguments, one per line.
func echoargs(args []string) int {
	watchdog()
	for _, a := range args {
		fmt.Println(a)
	}
	return 0
}

// fail CODE reads stdin to the end, then exits with status CODE.
func fail(args []string) int {
	watchdog()
	io.Copy(io.Discard, os.Stdin)
	code, _ := strconv.Atoi(args[0])
	return code
}

// yes writes "y" lines until a write fails (then it exits 1, if SIGPIPE did not end it).
func yes(args []string) int {
	watchdog()
	line := bytes.Repeat([]byte("y\n"), 2048)
	for {
		if _, err := os.Stdout.Write(line); err != nil {
			return 1
		}
	}
}

// head N copies the first N lines of stdin to stdout and exits 0 without reading more.
func head(args []string) int {
	watchdog()
	n, _ := strconv.Atoi(args[0])
	r := bufio.NewReader(os.Stdin)
	for range n {
		line, err := r.ReadString('\n')
		os.Stdout.WriteString(line)
		if err != nil {
			break
		}
	}
	return 0
}

// flood N OFFSETFILE writes N bytes of 64-byte lines to stdout, 64 KiB at a time; after
// each write it records in OFFSETFILE how many bytes it has written so far.
func flood(args []string) int {
	watchdog()
	n, _ := strconv.Atoi(args[0])
	chunk := bytes.Repeat([]byte(strings.Repeat("x", 63)+"\n"), 1024)
	for sent := 0; sent < n; {
		k := min(len(chunk), n-sent)
		if _, err := os.Stdout.Write(chunk[:k]); err != nil {
			return 1
		}
		sent += k
		writeAtomic(args[1], strconv.Itoa(sent))
	}
	return 0
}

// Thresholds of slowsink: it stops waiting for flood when flood is this far ahead, or has
// made no progress for this long.
const (
	sinkAhead = 8 << 20
	sinkStill = 2 * time.Second
)

// slowsink OFFSETFILE is a reader that falls behind: it reads a first chunk of stdin, then
// stops reading until the flood that feeds the pipeline has written sinkAhead bytes or has
// made no progress for sinkStill (it is blocked: backpressure). Then it measures how far
// ahead of it flood got, reads the rest, and writes "bytes=TOTAL ahead=BYTES".
func slowsink(args []string) int {
	watchdog()
	buf := make([]byte, 64<<10)
	n, _ := os.Stdin.Read(buf)
	last, since := readOffset(args[0]), time.Now()
	for time.Since(since) < sinkStill {
		time.Sleep(20 * time.Millisecond)
		off := readOffset(args[0])
		if off >= sinkAhead {
			break
		}
		if off != last {
			last, since = off, time.Now()
		}
	}
	ahead := readOffset(args[0]) - n
	rest, err := io.Copy(io.Discard, os.Stdin)
	if err != nil {
		return 1
	}
	fmt.Printf("bytes=%d ahead=%d\n", int64(n)+rest, ahead)
	return 0
}

// linger PIDFILE writes its pid there and a line to stdout, closes stdout, and exits 0 a
// second later: the stages after it finish first.
func linger(args []string) int {
	watchdog()
	writeAtomic(args[0], strconv.Itoa(os.Getpid()))
	os.Stdout.WriteString("lingering\n")
	os.Stdout.Close()
	time.Sleep(time.Second)
	return 0
}

// writeAtomic writes text to path through a temporary file renamed into place.
func writeAtomic(path, text string) {
	tmp := path + ".tmp"
	if os.WriteFile(tmp, []byte(text), 0o644) == nil {
		os.Rename(tmp, path)
	}
}

func readOffset(path string) int {
	b, _ := os.ReadFile(path)
	n, _ := strconv.Atoi(string(b))
	return n
}

// stage is what pipeline() reports of one stage.
type stage struct {
	File   string  `json:"file"`
	Pid    *int    `json:"pid"`
	Code   *int    `json:"code"`
	Signal *string `json:"signal"`
	Error  *string `json:"error"`
}

func (s stage) String() string {
	f := func(p any) string {
		switch v := p.(type) {
		case *int:
			if v != nil {
				return strconv.Itoa(*v)
			}
		case *string:
			if v != nil {
				return strconv.Quote(*v)
			}
		}
		return "null"
	}
	return fmt.Sprintf("{ code: %s, signal: %s, error: %s }", f(s.Code), f(s.Signal), f(s.Error))
}

// succeeded reports whether the stage exited 0.
func (s stage) succeeded() bool { return s.Error == nil && s.Code != nil && *s.Code == 0 }

// outcome is how a call of pipeline() settled: resolved (Stages set) or rejected (Error
// set, with the fields of a pipeline error), or still pending after the test's limit.
type outcome struct {
	Stdout  string     `json:"stdout"`
	Stages  []stage    `json:"stages"`
	Error   *nodeError `json:"error"`
	Failed  *int       `json:"failed"`
	Pending bool       `json:"pending"`
	Ms      float64    `json:"ms"`
}

func (o outcome) String() string {
	stages := make([]string, len(o.Stages))
	for i, s := range o.Stages {
		stages[i] = s.String()
	}
	list := "[" + strings.Join(stages, ", ") + "]"
	switch {
	case o.Pending:
		return fmt.Sprintf("still pending after %.0f ms", o.Ms)
	case o.Error != nil:
		failed := "undefined"
		if o.Failed != nil {
			failed = strconv.Itoa(*o.Failed)
		}
		return fmt.Sprintf("rejected with %v, err.failed %s, err.stages %s, err.stdout %q", o.Error, failed, list, capText(o.Stdout, 200))
	}
	return fmt.Sprintf("resolved with stdout %q, stages %s", capText(o.Stdout, 200), list)
}

// settleJS calls pipeline(stages, options) and reports how it settled, or that it is still
// pending after limitMs.
const settleJS = `
const settled = (async () => mod.pipeline(stages, options))().then(
  (v) => ({ stdout: v && v.stdout, stages: v && v.stages }),
  (e) => ({ error: { name: String(e && e.name), message: String(e && e.message), code: (e && e.code) ?? null },
            failed: e && e.failed, stages: e && e.stages, stdout: e && e.stdout }));
const t0 = performance.now();
let timer;
const outcome = await Promise.race([settled, new Promise((r) => { timer = setTimeout(() => r({ pending: true }), limitMs); })]);
clearTimeout(timer);
outcome.ms = Math.round(performance.now() - t0);
report(outcome);
`

// run calls pipeline() with stages (each a helper and its arguments) in node, and returns
// how it settled the moment it did; then it kills node and what it started.
func run(t *testing.T, stages [][]string, options map[string]any, limit time.Duration) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit+40*time.Second)
	defer cancel()
	if options == nil {
		options = map[string]any{}
	}
	cmd, p := startNode(t, ctx, settleJS, nodeVars{"stages": stageArgs(t, stages), "options": options, "limitMs": limit.Milliseconds()})
	raw, ok := p.next(t)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	// The processes node started may still hold its stdout and stderr, which Wait would
	// wait for: they are not node's to close.
	cmd.WaitDelay = 2 * time.Second
	p.wait(t, cmd)
	if !ok {
		t.Fatalf("node reported nothing: error %v; stderr: %s", p.run.Err, capText(p.run.Stderr, 2000))
	}
	var o outcome
	if err := json.Unmarshal(raw, &o); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
	return o
}

// stageArgs turns each helper stage into [file, ...args] of the test binary; a stage whose
// name starts with "/" is passed as it is.
func stageArgs(t *testing.T, stages [][]string) [][]string {
	out := make([][]string, len(stages))
	for i, s := range stages {
		if strings.HasPrefix(s[0], "/") {
			out[i] = s
			continue
		}
		out[i] = append([]string{helperPath(t)}, helperArgs(s[0], s[1:]...)...)
	}
	return out
}

// show writes stages the way a shell would: "gen 10 | upper | count".
func show(stages [][]string) string {
	parts := make([]string, len(stages))
	for i, s := range stages {
		parts[i] = strings.Join(s, " ")
	}
	return "pipeline(" + strings.Join(parts, " | ") + ")"
}

func TestPipelineOutput(t *testing.T) {
	t.Parallel()
	weird := []string{"a  b", "$HOME", "*", "x|y", "it's", "`id`", "; rm -rf /"}
	tests := []struct {
		name   string
		stages [][]string
		input  *string
		want   string
	}{
		{"input reaches the first stage", [][]string{{"upper"}}, ptr("hello\nworld\n"), "HELLO\nWORLD\n"},
		{"three stages", [][]string{{"gen", "20000"}, {"upper"}, {"count"}}, nil, "20000\n"},
		{"four stages", [][]string{{"gen", "3"}, {"upper"}, {"head", "2"}, {"count"}}, nil, "2\n"},
		{"arguments untouched", [][]string{append([]string{"echoargs"}, weird...), {"upper"}}, nil, strings.ToUpper(strings.Join(weird, "\n")) + "\n"},
	}
	runCases(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		options := map[string]any{}
		call := show(tc.stages)
		if tc.input != nil {
			options["input"] = *tc.input
			call = fmt.Sprintf("%s with input %q", call, *tc.input)
		}
		o := run(t, tc.stages, options, 15*time.Second)
		if o.Pending || o.Error != nil || o.Stdout != tc.want {
			t.Fatalf("%s %v; want it resolved with stdout %q%s", call, o, tc.want, pendingHint(o))
		}
		if len(o.Stages) != len(tc.stages) {
			t.Fatalf("%s resolved with %d stage statuses; want %d, one per stage", call, len(o.Stages), len(tc.stages))
		}
		for i, s := range o.Stages {
			if !s.succeeded() || s.Pid == nil {
				t.Errorf("%s: stage %d is %v with pid %v; want code 0 and its pid", call, i, s, s.Pid)
			}
		}
	})
}

func TestPipelineFail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		stages [][]string
		failed int
		codes  []int
		stdout string
	}{
		{"first stage fails", [][]string{{"fail", "3"}, {"upper"}, {"count"}}, 0, []int{3, 0, 0}, "0\n"},
		{"middle stage fails", [][]string{{"gen", "10"}, {"fail", "4"}, {"count"}}, 1, []int{0, 4, 0}, "0\n"},
		{"last stage fails", [][]string{{"gen", "10"}, {"upper"}, {"fail", "6"}}, 2, []int{0, 0, 6}, ""},
		{"two fail: the first counts", [][]string{{"fail", "3"}, {"fail", "5"}, {"count"}}, 0, []int{3, 5, 0}, "0\n"},
	}
	runCases(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		call := show(tc.stages)
		o := run(t, tc.stages, nil, 15*time.Second)
		if o.Error == nil || o.Error.Code != "ERR_PIPELINE_FAILED" {
			t.Fatalf("%s %v; want a rejection with code 'ERR_PIPELINE_FAILED': with pipefail, any stage that fails fails the pipeline%s", call, o, pendingHint(o))
		}
		ok := o.Failed != nil && *o.Failed == tc.failed && o.Stdout == tc.stdout && len(o.Stages) == len(tc.codes)
		for i := 0; ok && i < len(tc.codes); i++ {
			ok = o.Stages[i].Error == nil && o.Stages[i].Code != nil && *o.Stages[i].Code == tc.codes[i]
		}
		if !ok {
			t.Errorf("%s %v; want err.failed %d (the first failing stage), exit codes %v in err.stages, err.stdout %q", call, o, tc.failed, tc.codes, tc.stdout)
		}
	})
}

func TestPipelineCannotStart(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "procdojo-no-such-program")
	tests := []struct {
		name    string
		stages  [][]string
		missing int
		stdout  string
	}{
		{"first stage", [][]string{{missing}, {"upper"}, {"count"}}, 0, "0\n"},
		// yes writes forever: it ends only if nothing, the parent included, holds the
		// reading end of its pipe once the missing stage is gone.
		{"middle stage", [][]string{{"yes"}, {missing}, {"count"}}, 1, "0\n"},
	}
	runCases(t, len(tests), func(i int) string { return tests[i].name }, func(t *testing.T, i int) {
		tc := tests[i]
		call := strings.ReplaceAll(show(tc.stages), missing, "missing")
		o := run(t, tc.stages, nil, 15*time.Second)
		if o.Pending {
			t.Fatalf("%s %v: a stage that cannot start must not hang the pipeline: the stage before it must get EPIPE, which it cannot while the parent holds (or keeps reading) the reading end of its stdout%s", call, o, pendingHint(o))
		}
		if o.Error == nil || o.Error.Code != "ERR_PIPELINE_FAILED" || len(o.Stages) != len(tc.stages) {
			t.Fatalf("%s %v; want a rejection with code 'ERR_PIPELINE_FAILED' and a status for each stage", call, o)
		}
		if s := o.Stages[tc.missing]; s.Error == nil || *s.Error != "ENOENT" || s.Pid != nil {
			t.Errorf("%s: stage %d is %v, pid %v; want error 'ENOENT' and pid null", call, tc.missing, s, s.Pid)
		}
		if last := o.Stages[len(o.Stages)-1]; !last.succeeded() || o.Stdout != tc.stdout {
			t.Errorf("%s: the last stage is %v with stdout %q; want code 0 and %q: it reads end-of-file where the missing stage would write", call, last, o.Stdout, tc.stdout)
		}
	})
}

func TestPipelineReaderExits(t *testing.T) {
	t.Parallel()
	stages := [][]string{{"yes"}, {"head", "2"}}
	call := show(stages)
	o := run(t, stages, nil, 15*time.Second)
	if o.Pending {
		t.Fatalf("%s %v: once head exits, yes must get EPIPE (or be killed by SIGPIPE); it cannot while anyone else, such as the parent, holds the reading end of its pipe or keeps reading from it%s", call, o, pendingHint(o))
	}
	if o.Error == nil || o.Error.Code != "ERR_PIPELINE_FAILED" || o.Failed == nil || *o.Failed != 0 || len(o.Stages) != 2 {
		t.Fatalf("%s %v; want a rejection with code 'ERR_PIPELINE_FAILED' and err.failed 0: yes did not exit 0, as with bash's pipefail", call, o)
	}
	if o.Stages[0].succeeded() || !o.Stages[1].succeeded() || o.Stdout != "y\ny\n" {
		t.Errorf("%s %v; want yes ended by a signal or a non-zero exit, head with code 0, err.stdout \"y\\ny\\n\"", call, o)
	}
}

func TestPipelineBackpressure(t *testing.T) {
	t.Parallel()
	const n = 16 << 20
	offsets := filepath.Join(t.TempDir(), "offset")
	stages := [][]string{{"flood", strconv.Itoa(n), offsets}, {"upper"}, {"slowsink", offsets}}
	call := fmt.Sprintf("pipeline(flood %d | upper | slowsink)", n)
	o := run(t, stages, nil, 40*time.Second)
	if o.Pending || o.Error != nil {
		t.Fatalf("%s %v; want it resolved%s", call, o, pendingHint(o))
	}
	var total, ahead int
	if _, err := fmt.Sscanf(o.Stdout, "bytes=%d ahead=%d\n", &total, &ahead); err != nil || total != n {
		t.Fatalf("%s resolved with stdout %q; want \"bytes=%d ahead=...\": every byte reaches the last stage", call, o.Stdout, n)
	}
	// Pipes and the buffers of node streams hold some hundreds of KiB between flood and
	// slowsink; past 4 MiB, something buffers without bound.
	const most = 4 << 20
	t.Logf("%s: flood got %d KiB ahead of slowsink", call, ahead>>10)
	if ahead > most {
		t.Errorf("%s: while slowsink did not read, flood wrote %d KiB it had not read; want at most %d KiB: respect backpressure (hand each stage's stdout to the next as its stdin, or stream.pipeline), do not buffer a stage's output in the parent", call, ahead>>10, most>>10)
	}
}

func TestPipelineWaitsForEveryStage(t *testing.T) {
	t.Parallel()
	// linger closes its stdout at once but exits a second later, after the other stages.
	pidFile := filepath.Join(t.TempDir(), "linger.pid")
	stages := [][]string{{"linger", pidFile}, {"upper"}, {"count"}}
	call := "pipeline(linger | upper | count)"
	o := run(t, stages, nil, 15*time.Second)
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("linger never wrote its pid: %v (%s %v)", err, call, o)
	}
	pid, _ := strconv.Atoi(string(b))
	alive := processAlive(pid)
	if alive {
		defer syscall.Kill(pid, syscall.SIGKILL)
	}
	if o.Pending || o.Error != nil || o.Stdout != "1\n" || len(o.Stages) != 3 || !o.Stages[0].succeeded() {
		t.Errorf("%s %v; want it resolved with stdout \"1\\n\" and code 0 for every stage%s", call, o, pendingHint(o))
	}
	if alive {
		t.Errorf("%s settled while linger (pid %d) still ran: settle only once every stage has exited ('close' of each child)", call, pid)
	}
}

func ptr[T any](v T) *T { return &v }

// pendingHint explains a pipeline that never settled.
func pendingHint(o outcome) string {
	if !o.Pending {
		return ""
	}
	return "; a child emits 'close' only once its stdout has ended or been destroyed: a stdout that the parent neither reads nor destroys (after handing it to the next stage) keeps it from coming"
}

// runCases runs case i of n as the subtest name(i), all at once: each subtest mostly waits
// for processes, and -test.parallel (the number of CPUs) would let only a few run at a time.
func runCases(t *testing.T, n int, name func(int) string, f func(t *testing.T, i int)) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t.Run(name(i), func(t *testing.T) { f(t, i) })
		}()
	}
	wg.Wait()
}
