package largefile

import (
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The helpers are the child filters. Each is wrapped by orphanGuard, so a helper left
// running by a solution that never stops it exits once the test binary is gone.
func init() {
	for name, h := range map[string]func([]string) int{
		// upper copies stdin to stdout with ASCII letters upper-cased, chunk by chunk, like
		// tr a-z A-Z. It writes while it reads, so it fills its stdout pipe long before its
		// input ends. "upper linger" does not exit at the end of its input: it waits to be
		// killed, like a program that has more to do.
		"upper": func(args []string) int {
			buf := make([]byte, 32<<10)
			for {
				n, err := os.Stdin.Read(buf)
				for i, c := range buf[:n] {
					if 'a' <= c && c <= 'z' {
						buf[i] = c - 'a' + 'A'
					}
				}
				if _, werr := os.Stdout.Write(buf[:n]); werr != nil {
					return 1
				}
				if err == io.EOF && len(args) > 0 && args[0] == "linger" {
					select {}
				}
				if err == io.EOF {
					return 0
				}
				if err != nil {
					return 1
				}
			}
		},
		// head N copies the first N bytes of stdin to stdout and exits 0 without reading
		// the rest, like head -c N.
		"head": func(args []string) int {
			n, _ := strconv.ParseInt(args[0], 10, 64)
			if _, err := io.CopyN(os.Stdout, os.Stdin, n); err != nil {
				return 1
			}
			return 0
		},
		// sum reads all of stdin and, only at EOF, prints "<crc32c> <bytes>".
		"sum": func([]string) int {
			h := crc32.New(castagnoli)
			n, err := io.Copy(h, os.Stdin)
			if err != nil {
				return 1
			}
			fmt.Printf("%08x %d\n", h.Sum32(), n)
			return 0
		},
		// fail-after N reads N bytes of stdin and exits with status 3.
		"fail-after": func(args []string) int {
			n, _ := strconv.ParseInt(args[0], 10, 64)
			io.CopyN(io.Discard, os.Stdin, n)
			return 3
		},
	} {
		helpers[name] = orphanGuard(h)
	}
}

// orphanGuard makes a helper exit when its parent, the test binary, is gone.
func orphanGuard(h func([]string) int) func([]string) int {
	return func(args []string) int {
		ppid := os.Getppid()
		go func() {
			for range time.Tick(100 * time.Millisecond) {
				if os.Getppid() != ppid {
					os.Exit(99)
				}
			}
		}()
		return h(args)
	}
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const (
	MiB = 1 << 20
	// pattern is the input text, repeated; its length is prime so it never lines up with
	// buffer sizes.
	pattern = "The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs! 1234567\n"
)

var (
	errSource = errors.New("source: disk on fire")
	errSink   = errors.New("sink: no space left")
)

// source is an io.Reader that generates size bytes of pattern on the fly, never holding
// them, and fails with errSource after failAt bytes when failAt > 0.
type source struct {
	size, off, failAt int64
}

func (s *source) Read(p []byte) (int, error) {
	if s.failAt > 0 && s.off >= s.failAt {
		return 0, errSource
	}
	if s.off >= s.size {
		return 0, io.EOF
	}
	if rest := s.size - s.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n := copy(p, pattern[s.off%int64(len(pattern)):])
	for n < len(p) {
		n += copy(p[n:], pattern)
	}
	s.off += int64(n)
	return n, nil
}

// sink is an io.Writer that keeps only a checksum and a count of what it is given, and
// fails with errSink once it has taken failAt bytes when failAt > 0.
type sink struct {
	mu     sync.Mutex
	h      hash.Hash32
	n      int64
	failAt int64
}

func newSink() *sink { return &sink{h: crc32.New(castagnoli)} }

func (s *sink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAt > 0 && s.n >= s.failAt {
		return 0, errSink
	}
	s.h.Write(p)
	s.n += int64(len(p))
	return len(p), nil
}

func (s *sink) sum() (uint32, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h.Sum32(), s.n
}

// upperSum returns the checksum of the upper-cased generated input of size bytes.
func upperSum(size int64) uint32 {
	h := crc32.New(castagnoli)
	src := &source{size: size}
	buf := make([]byte, 64<<10)
	for {
		n, err := src.Read(buf)
		for i, c := range buf[:n] {
			if 'a' <= c && c <= 'z' {
				buf[i] = c - 'a' + 'A'
			}
		}
		h.Write(buf[:n])
		if err != nil {
			return h.Sum32()
		}
	}
}

// call runs Filter on helper with a deadline. It reports whether the deadline expired, and
// fails the test if Filter does not return soon after it.
func call(t *testing.T, timeout time.Duration, in io.Reader, out io.Writer, helper string, args ...string) (res Result, expired bool, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	exe, argv := helperPath(t), helperArgs(helper, args...)
	type ret struct {
		res Result
		err error
	}
	done := make(chan ret, 1)
	go func() {
		r, err := Filter(ctx, in, out, exe, argv...)
		done <- ret{r, err}
	}()
	select {
	case r := <-done:
		return r.res, ctx.Err() != nil, r.err
	case <-time.After(timeout + 5*time.Second):
		t.Fatalf("Filter(%s) still running 5s after its %v context expired; want it to kill the child and return when ctx is done", helper, timeout)
		return Result{}, true, nil
	}
}

// deadlockHint explains a Filter call that ran into its deadline.
const deadlockHint = "Filter ran into its deadline: the child never finished. " +
	"Feed stdin and drain stdout at the same time (a child that writes while it reads blocks once nobody reads its stdout), " +
	"and close stdin when the input ends (a filter waits for EOF)"

// TestFilterStreamsLargeInput pushes 100 MB through a child and checks that Filter's memory
// stays far below that. It does not run in parallel, so the heap it samples is its own.
func TestFilterStreamsLargeInput(t *testing.T) {
	const size = 100 * MiB
	const maxGrowth = 32 * MiB
	want := upperSum(size)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64 // written by the sampler only, read after it stops
	stopSampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			select {
			case <-stopSampling:
				return
			case <-tick.C:
			}
		}
	}()
	out := newSink()
	res, expired, err := call(t, 10*time.Second, &source{size: size}, out, "upper")
	close(stopSampling)
	<-sampled

	if expired {
		t.Fatalf("Filter(100 MB, upper) = %v; %s", err, deadlockHint)
	}
	if err != nil {
		t.Fatalf("Filter(100 MB, upper) = %v; want nil", err)
	}
	t.Logf("heap growth while streaming 100 MB: %d KiB", (int64(peak)-int64(base))/1024)
	if growth := int64(peak) - int64(base); growth > maxGrowth {
		t.Errorf("Filter(100 MB, upper): heap grew by %d MiB; want under %d MiB: stream through a fixed buffer, never read the whole input (or output) into memory",
			growth/MiB, maxGrowth/MiB)
	}
	if got, n := out.sum(); got != want || n != size {
		t.Errorf("Filter(100 MB, upper) wrote %d bytes with crc32c %08x; want %d bytes with crc32c %08x: the output must be exactly the child's stdout",
			n, got, int64(size), want)
	}
	if res != (Result{In: size, Out: size}) {
		t.Errorf("Filter(100 MB, upper) = %+v; want %+v", res, Result{In: size, Out: size})
	}
}

// TestFilterClosesStdin runs a child that answers only once its stdin reaches EOF.
func TestFilterClosesStdin(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		size int64
	}{{"empty", 0}, {"1 byte", 1}, {"300 KB", 300_000}, {"20 MiB", 20 * MiB}} {
		size := tc.size
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out strings.Builder
			src := &source{size: size}
			res, expired, err := call(t, 5*time.Second, src, &out, "sum")
			if expired {
				t.Fatalf("Filter(%d bytes, sum) = %v; the child never saw the end of its input: close its stdin once the input returns io.EOF", size, err)
			}
			if err != nil {
				t.Fatalf("Filter(%d bytes, sum) = %v; want nil", size, err)
			}
			h := crc32.New(castagnoli)
			io.Copy(h, &source{size: size})
			want := fmt.Sprintf("%08x %d\n", h.Sum32(), size)
			if out.String() != want {
				t.Errorf("Filter(%d bytes, sum) wrote %q; want %q (checksum and size of all the input)", size, out.String(), want)
			}
			if want := (Result{In: size, Out: int64(len(want))}); res != want {
				t.Errorf("Filter(%d bytes, sum) = %+v; want %+v", size, res, want)
			}
		})
	}
}

// TestFilterStreamsBothWays needs stdin and stdout copied concurrently: the input is far
// larger than what the pipes can hold.
func TestFilterStreamsBothWays(t *testing.T) {
	t.Parallel()
	const size = 8 * MiB
	out := newSink()
	res, expired, err := call(t, 5*time.Second, &source{size: size}, out, "upper")
	if expired {
		t.Fatalf("Filter(8 MB, upper) = %v; %s", err, deadlockHint)
	}
	if err != nil {
		t.Fatalf("Filter(8 MB, upper) = %v; want nil", err)
	}
	if got, n := out.sum(); got != upperSum(size) || n != size {
		t.Errorf("Filter(8 MB, upper) wrote %d bytes with crc32c %08x; want %d bytes with crc32c %08x", n, got, int64(size), upperSum(size))
	}
	if res != (Result{In: size, Out: size}) {
		t.Errorf("Filter(8 MB, upper) = %+v; want %+v", res, Result{In: size, Out: size})
	}
}

// TestFilterErrors checks that a failure at either end, or in the child, is reported and
// stops the whole stream promptly.
func TestFilterErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		in     *source
		out    *sink
		helper string
		args   []string
		check  func(error) string // returns what is wrong with err, or ""
	}{
		// The child in the next two cases does not exit at the end of its input: only a
		// kill stops it.
		{
			name: "input fails", in: &source{size: 50 * MiB, failAt: MiB}, out: newSink(), helper: "upper", args: []string{"linger"},
			check: func(err error) string {
				if !errors.Is(err, errSource) {
					return "want an error wrapping the input's error (errors.Is(err, errSource)): report a failing reader and stop the child"
				}
				return ""
			},
		},
		{
			name: "output fails", in: &source{size: 50 * MiB}, out: &sink{h: crc32.New(castagnoli), failAt: MiB}, helper: "upper", args: []string{"linger"},
			check: func(err error) string {
				if !errors.Is(err, errSink) {
					return "want an error wrapping the output's error (errors.Is(err, errSink)), not whatever the child died of: copy stdout yourself, report a failing writer and stop the child"
				}
				return ""
			},
		},
		{
			name: "child exits 0 without reading all the input", in: &source{size: 50 * MiB}, out: newSink(), helper: "head", args: []string{"1000"},
			check: func(err error) string {
				if !errors.Is(err, syscall.EPIPE) {
					return "want an error wrapping the failed write to the child's stdin (syscall.EPIPE, a broken pipe): the child exited 0, but it did not take all the input"
				}
				return ""
			},
		},
		{
			name: "child fails", in: &source{size: 50 * MiB}, out: newSink(), helper: "fail-after", args: []string{"1000000"},
			check: func(err error) string {
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 3 {
					return "want an error wrapping the child's *exec.ExitError with exit code 3 (it takes precedence over the broken pipe on its stdin)"
				}
				return ""
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, expired, err := call(t, 5*time.Second, tc.in, tc.out, tc.helper, tc.args...)
			if expired {
				t.Fatalf("Filter(%s) = %v; it ran into its deadline: when one end fails, kill the child (it may not exit by itself) and return", tc.name, err)
			}
			if msg := tc.check(err); msg != "" {
				t.Errorf("Filter(%s) = %v; %s", tc.name, err, msg)
			}
		})
	}
}

// TestFilterContext ends ctx while the child, its input done, keeps running: Filter must
// kill it and return ctx's error.
func TestFilterContext(t *testing.T) {
	t.Parallel()
	_, expired, err := call(t, 300*time.Millisecond, &source{size: MiB}, newSink(), "upper", "linger")
	if !expired {
		t.Fatalf("Filter(1 MB, a child that does not exit at the end of its input) = %v before its context expired; want it to wait for the child", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Filter(1 MB, a child that does not exit at the end of its input) with a 300ms context = %v; want an error wrapping ctx's error, context.DeadlineExceeded (it comes first, before the child's \"signal: killed\")", err)
	}
}

// TestFilterMissingProgram checks that a program that cannot start is an error, not a hang.
func TestFilterMissingProgram(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Filter(ctx, &source{size: MiB}, io.Discard, "procdojo-no-such-filter")
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Filter(procdojo-no-such-filter) = %v; want an error wrapping exec.ErrNotFound", err)
	}
}
