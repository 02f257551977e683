package streamlines

// The tests run real programs: the test binary itself, started as one of the helpers below.
// The "slowlog" helper proves that lines arrive while the program runs: it writes a line,
// then waits until the test's onLine has seen it (the test creates an acknowledgement
// file) before it writes the next one.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["print"] = printer
	helpers["slowlog"] = slowLog
	helpers["monitor"] = monitor
}

// watchdog ends a helper that nobody stopped (because the code under test forgot to), so
// it cannot outlive the test run for long.
func watchdog() {
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
}

// printer performs its arguments in order, then exits 0:
//
//	pid        write "pid N\n", N being its process id
//	long=N     write a line of N bytes ('x'), then "\n"
//	xs=N       write N bytes ('x'), without a line ending
//	stdio      write "stdin X" and "stderr X" lines, X being "/dev/null" if that file
//	           descriptor is /dev/null, else "not /dev/null"
//	exit=N     exit with status N
//	TEXT       anything else: write TEXT as it is
func printer(args []string) int {
	watchdog()
	for _, a := range args {
		verb, val, _ := strings.Cut(a, "=")
		switch verb {
		case "pid":
			fmt.Printf("pid %d\n", os.Getpid())
		case "long":
			n, _ := strconv.Atoi(val)
			os.Stdout.WriteString(strings.Repeat("x", n) + "\n")
		case "xs":
			n, _ := strconv.Atoi(val)
			os.Stdout.WriteString(strings.Repeat("x", n))
		case "stdio":
			null, err := os.Stat(os.DevNull)
			if err != nil {
				fmt.Printf("stat %s: %v\n", os.DevNull, err)
				return 4
			}
			for _, f := range []*os.File{os.Stdin, os.Stderr} {
				what := "not " + os.DevNull
				if fi, err := f.Stat(); err == nil && os.SameFile(fi, null) {
					what = os.DevNull
				}
				fmt.Printf("%s %s\n", f.Name()[len("/dev/"):], what)
			}
		case "exit":
			code, _ := strconv.Atoi(val)
			return code
		default:
			os.Stdout.WriteString(a)
		}
	}
	return 0
}

// slowLog DIR N writes "line 1" to "line N". After each line it waits for the file DIR/i
// to appear before writing the next. If it waits more than 3 seconds, it writes "no ack
// for line i" and exits with status 3.
func slowLog(args []string) int {
	watchdog()
	dir := args[0]
	n, _ := strconv.Atoi(args[1])
	for i := 1; i <= n; i++ {
		fmt.Printf("line %d\n", i)
		ack := filepath.Join(dir, strconv.Itoa(i))
		for start := time.Now(); ; time.Sleep(2 * time.Millisecond) {
			if _, err := os.Stat(ack); err == nil {
				break
			}
			if time.Since(start) > 3*time.Second {
				fmt.Printf("no ack for line %d\n", i)
				return 3
			}
		}
	}
	return 0
}

// monitor writes "pid N" and "starting", then "ERROR disk full" followed by ten more lines
// in a single write (so they reach the reader together), then "tick" every 10ms forever.
func monitor(args []string) int {
	watchdog()
	fmt.Printf("pid %d\n", os.Getpid())
	os.Stdout.WriteString("starting\n")
	var burst strings.Builder
	burst.WriteString("ERROR disk full\n")
	for i := 1; i <= 10; i++ {
		fmt.Fprintf(&burst, "after %d\n", i)
	}
	os.Stdout.WriteString(burst.String())
	for {
		if _, err := os.Stdout.WriteString("tick\n"); err != nil {
			return 1
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// recorder collects the lines passed to onLine; react, if set, runs on each one. It also
// counts the calls that overlapped another one and the calls made after Stream returned,
// both of which the API forbids.
type recorder struct {
	mu         sync.Mutex
	lines      []string
	react      func(line string)
	active     int  // calls of onLine running now
	overlapped int  // calls that started while another was running
	returned   bool // Stream has returned
	late       int  // calls that started after Stream returned
}

func (r *recorder) onLine(line string) {
	r.mu.Lock()
	r.lines = append(r.lines, line)
	r.active++
	if r.active > 1 {
		r.overlapped++
	}
	if r.returned {
		r.late++
	}
	r.mu.Unlock()
	if r.react != nil {
		r.react(line)
	}
	r.mu.Lock()
	r.active--
	r.mu.Unlock()
}

// streamReturned records that Stream has returned, and makes the test check, at its end,
// that onLine was never called at the same time as itself or after that.
func (r *recorder) streamReturned(t *testing.T, call string) {
	r.mu.Lock()
	r.returned = true
	r.mu.Unlock()
	t.Cleanup(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.overlapped > 0 {
			t.Errorf("Stream(%s): %d calls of onLine started while another was still running; want one call at a time, from one goroutine", call, r.overlapped)
		}
		if r.late > 0 {
			t.Errorf("Stream(%s): onLine was called %d times after Stream returned; want no call once Stream has returned (call onLine from the goroutine that runs Stream, or wait for the reading goroutine before returning)", call, r.late)
		}
	})
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.lines)
}

// stream calls Stream on helper with args, collecting lines in rec. It fails the test if
// Stream has not returned after limit, with stuck as the likely reason.
func stream(t *testing.T, ctx context.Context, limit time.Duration, stuck string, rec *recorder, helper string, args ...string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		done <- Stream(ctx, helperPath(t), helperArgs(helper, args...), rec.onLine)
	}()
	select {
	case err := <-done:
		rec.streamReturned(t, call(helper, args))
		return err
	case <-time.After(limit):
		t.Fatalf("Stream(%s) did not return within %v (lines so far: %s); want it to return once the program exits or ctx ends%s", call(helper, args), limit, show(rec.got()), stuck)
		return nil
	}
}

func call(helper string, args []string) string {
	q := []string{"ctx", helper}
	for _, a := range args {
		if len(a) > 40 {
			a = a[:20] + "..."
		}
		q = append(q, strconv.Quote(a))
	}
	return strings.Join(q, ", ")
}

// maxShown is the number of lines that show prints in full.
const maxShown = 10

// show prints lines for a failure message, shortening long ones and listing at most
// maxShown of them.
func show(lines []string) string {
	var q []string
	for i, l := range lines {
		if i == maxShown {
			q = append(q, fmt.Sprintf("... and %d more", len(lines)-maxShown))
			break
		}
		if len(l) > 40 {
			q = append(q, fmt.Sprintf("%q... (%d bytes)", l[:20], len(l)))
		} else {
			q = append(q, strconv.Quote(l))
		}
	}
	return "[" + strings.Join(q, " ") + "]"
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// pidFrom reads the pid from a "pid N" line.
func pidFrom(t *testing.T, lines []string) int {
	t.Helper()
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "pid ") {
		t.Fatalf("first line = %s; want \"pid N\"", show(lines))
	}
	pid, err := strconv.Atoi(strings.TrimPrefix(lines[0], "pid "))
	if err != nil {
		t.Fatalf("first line %q: %v", lines[0], err)
	}
	return pid
}

// checkReaped fails the test unless process pid is gone. Stream's child is a child of the
// test process, so until Stream has waited for it, it exists: running, or as a zombie.
func checkReaped(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		syscall.Kill(pid, syscall.SIGKILL)
		t.Errorf("process %d still exists when Stream has returned (kill(pid, 0) = %v); want it killed if need be and waited for (cmd.Wait), or it is left running or as a zombie", pid, err)
	}
}

func TestStreamLines(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 300<<10)
	longest := strings.Repeat("x", MaxLine)
	maxLine := strconv.Itoa(MaxLine)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"lines", []string{"alpha\nbeta\n", "gamma\n"}, []string{"alpha", "beta", "gamma"}},
		{"empty lines kept", []string{"a\n\n\nb\n"}, []string{"a", "", "", "b"}},
		{"last line without newline", []string{"a\n", "b"}, []string{"a", "b"}},
		{"CRLF endings", []string{"a\r\nb\r\n"}, []string{"a", "b"}},
		{"no output", nil, nil},
		{"line split across writes", []string{"hel", "lo\nwor", "ld\n"}, []string{"hello", "world"}},
		{"300 KiB line", []string{"long=" + strconv.Itoa(len(long)), "end\n"}, []string{long, "end"}},
		{"line of MaxLine bytes", []string{"long=" + maxLine, "end\n"}, []string{longest, "end"}},
		{"line of MaxLine bytes and CRLF", []string{"xs=" + maxLine, "\r\nend\n"}, []string{longest, "end"}},
		{"last line of MaxLine bytes without newline", []string{"a\n", "xs=" + maxLine}, []string{"a", longest}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			err := stream(t, testContext(t), 10*time.Second, "", rec, "print", tt.args...)
			if err != nil {
				t.Errorf("Stream(%s) returned error %v; want nil", call("print", tt.args), err)
			}
			if got := rec.got(); !slices.Equal(got, tt.want) {
				t.Errorf("Stream(%s) delivered %s; want %s", call("print", tt.args), show(got), show(tt.want))
			}
		})
	}
}

func TestStreamDeliversWhileRunning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rec := &recorder{react: func(line string) {
		// Acknowledge "line i": the program writes the next line only after this.
		if n, ok := strings.CutPrefix(line, "line "); ok {
			os.WriteFile(filepath.Join(dir, n), nil, 0o644)
		}
	}}
	args := []string{dir, "5"}
	err := stream(t, testContext(t), 10*time.Second, "", rec, "slowlog", args...)
	got := rec.got()
	if slices.ContainsFunc(got, func(l string) bool { return strings.HasPrefix(l, "no ack") }) {
		t.Fatalf("Stream(%s) delivered %s, %v: the program waited 3s for a line to reach onLine before writing the next, in vain. Stream must call onLine as soon as a line is written, not after the program exits", call("slowlog", args), show(got), err)
	}
	if want := []string{"line 1", "line 2", "line 3", "line 4", "line 5"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("Stream(%s) delivered %s, %v; want %s, nil", call("slowlog", args), show(got), err, show(want))
	}
}

func TestStreamExitStatus(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	args := []string{"pid", "compiling\n", "error: no such file\n", "exit=3"}
	err := stream(t, testContext(t), 10*time.Second, "", rec, "print", args...)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 3 {
		t.Errorf("Stream(%s) returned error %v; want one wrapping *exec.ExitError with exit code 3 (from cmd.Wait)", call("print", args), err)
	}
	got := rec.got()
	if want := []string{"compiling", "error: no such file"}; len(got) != 3 || !slices.Equal(got[1:], want) {
		t.Errorf("Stream(%s) delivered %s; want \"pid N\" then %s", call("print", args), show(got), show(want))
	}
	checkReaped(t, pidFrom(t, got))
}

func TestStreamReapsTheProgram(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	args := []string{"pid", "done\n"}
	if err := stream(t, testContext(t), 10*time.Second, "", rec, "print", args...); err != nil {
		t.Errorf("Stream(%s) returned error %v; want nil", call("print", args), err)
	}
	checkReaped(t, pidFrom(t, rec.got()))
}

func TestStreamCancel(t *testing.T) {
	t.Parallel()
	// A log monitor that gives up at the first ERROR: onLine cancels ctx.
	ctx, cancel := context.WithCancel(testContext(t))
	defer cancel()
	rec := &recorder{react: func(line string) {
		if strings.HasPrefix(line, "ERROR") {
			cancel()
		}
	}}
	err := stream(t, ctx, 5*time.Second, ": cancelling ctx must kill the program (exec.CommandContext) and end Stream", rec, "monitor")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream(ctx, monitor) with ctx cancelled at the ERROR line returned error %v; want an error wrapping context.Canceled", err)
	}
	got := rec.got()
	if len(got) != 3 || got[1] != "starting" || got[2] != "ERROR disk full" {
		t.Errorf("Stream(ctx, monitor) with ctx cancelled at the ERROR line delivered %s; want \"pid N\", \"starting\", \"ERROR disk full\" and nothing after: once ctx is done, call onLine no more, even for lines already read", show(got))
	}
	checkReaped(t, pidFrom(t, got))
}

func TestStreamTooLongLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stuck string
	}{
		// The Scanner's limit counts the line ending: room for MaxLine+2 bytes lets
		// this line and its "\n" through unless the length of the line is checked.
		{"MaxLine+1 bytes and newline", []string{"pid", "long=" + strconv.Itoa(MaxLine+1), "end\n"}, ""},
		{"last line of MaxLine+1 bytes", []string{"pid", "xs=" + strconv.Itoa(MaxLine+1)}, ""},
		{"2 MiB line", []string{"pid", "long=" + strconv.Itoa(2*MaxLine), "end\n"}, ": after a read error, the program is still blocked writing the rest of its line to the pipe; kill it before cmd.Wait"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			err := stream(t, testContext(t), 5*time.Second, tt.stuck, rec, "print", tt.args...)
			if !errors.Is(err, bufio.ErrTooLong) {
				t.Errorf("Stream(%s) (a line longer than MaxLine = %d bytes) returned error %v; want an error wrapping bufio.ErrTooLong. MaxLine counts the line without its ending", call("print", tt.args), MaxLine, err)
			}
			got := rec.got()
			if len(got) != 1 {
				t.Errorf("Stream(%s) delivered %s; want only \"pid N\": nothing of the line that is too long, nor after it", call("print", tt.args), show(got))
			}
			checkReaped(t, pidFrom(t, got))
		})
	}
}

func TestStreamStdinStderr(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	err := stream(t, testContext(t), 10*time.Second, "", rec, "print", "stdio")
	want := []string{"stdin /dev/null", "stderr /dev/null"}
	if got := rec.got(); err != nil || !slices.Equal(got, want) {
		t.Errorf("Stream(%s), the program reporting what its stdin and stderr are, delivered %s, %v; want %s, nil: leave cmd.Stdin and cmd.Stderr nil, so that os/exec connects them to /dev/null", call("print", []string{"stdio"}), show(got), err, show(want))
	}
}

func TestStreamNotFound(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	err := Stream(testContext(t), "procdojo-no-such-program", nil, rec.onLine)
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Stream(ctx, \"procdojo-no-such-program\", nil, onLine) returned error %v; want an error wrapping exec.ErrNotFound", err)
	}
	if got := rec.got(); len(got) != 0 {
		t.Errorf("Stream(ctx, \"procdojo-no-such-program\", nil, onLine) delivered %s; want nothing", show(got))
	}
}
