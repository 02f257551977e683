package fileconv

// The converter is a real process: the test binary itself, run as the "converter" helper
// below. Its input file is a little script that tells it what to write and when, and it can
// stop at a gate until the test opens it: that is how the tests know which progress each
// converter has reported, and so what the overall progress must be, at each step.

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
	helpers["converter"] = converterMain
}

// converterMain, the "converter" helper, is a converter: converter GATEDIR INPUT. It creates
// GATEDIR/pid-<pid> and GATEDIR/started-<base of INPUT>, then runs INPUT's lines:
//
//	progress N    write "progress=N%" to stderr
//	say TEXT      write TEXT to stderr
//	data TEXT     write TEXT to stdout, the converted file
//	gate NAME     create GATEDIR/NAME.waiting, then wait until GATEDIR/NAME.open exists
//	exit N        exit with status N
//
// and exits 0. If INPUT cannot be read, it says so on stderr and exits 2. It exits by
// itself after 30 seconds, or as soon as the test process is gone.
func converterMain(args []string) int {
	parent := os.Getppid()
	go func() {
		for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(20 * time.Millisecond) {
			if os.Getppid() != parent {
				os.Exit(97)
			}
		}
		os.Exit(98)
	}()
	gates, input := args[0], args[1]
	os.WriteFile(filepath.Join(gates, fmt.Sprintf("pid-%d", os.Getpid())), nil, 0o644)
	os.WriteFile(filepath.Join(gates, "started-"+filepath.Base(input)), nil, 0o644)
	script, err := os.ReadFile(input)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cannot read %s\n", filepath.Base(input))
		return 2
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for _, line := range strings.Split(string(script), "\n") {
		cmd, rest, _ := strings.Cut(line, " ")
		switch cmd {
		case "":
		case "progress":
			fmt.Fprintf(os.Stderr, "progress=%s%%\n", rest)
		case "say":
			fmt.Fprintln(os.Stderr, rest)
		case "data":
			fmt.Fprintln(out, rest)
			out.Flush() // on disk now, where a careless service would show it
		case "gate":
			os.WriteFile(filepath.Join(gates, rest+".waiting"), nil, 0o644)
			for !exists(filepath.Join(gates, rest+".open")) {
				time.Sleep(5 * time.Millisecond)
			}
		case "exit":
			n, _ := strconv.Atoi(rest)
			out.Flush()
			os.Exit(n)
		default:
			fmt.Fprintf(os.Stderr, "converter: unknown command %q\n", line)
			return 2
		}
	}
	return 0
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// env is one test's folders: inputs, outputs, and the converters' gates and pids.
type env struct {
	t              *testing.T
	in, out, gates string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, in: t.TempDir(), out: t.TempDir(), gates: t.TempDir()}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(e.gates)
		for _, ent := range entries {
			if n, ok := strings.CutPrefix(ent.Name(), "pid-"); ok {
				if pid, err := strconv.Atoi(n); err == nil {
					syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
	})
	return e
}

// job writes the script of input name and returns its Job, with the output name+".out".
func (e *env) job(name string, script ...string) Job {
	e.t.Helper()
	in := filepath.Join(e.in, name)
	if script != nil {
		if err := os.WriteFile(in, []byte(strings.Join(script, "\n")+"\n"), 0o644); err != nil {
			e.t.Fatal(err)
		}
	}
	return Job{Input: in, Output: filepath.Join(e.out, name+".out")}
}

func (e *env) service(workers int, onProgress func(int)) *Service {
	return &Service{Name: helperPath(e.t), Args: helperArgs("converter", e.gates), Workers: workers, OnProgress: onProgress}
}

// convert runs Convert in the background; wait returns its results, failing the test if it
// does not return.
func (e *env) convert(ctx context.Context, s *Service, jobs []Job) (wait func() []Result) {
	done := make(chan []Result, 1)
	go func() { done <- s.Convert(ctx, jobs) }()
	return func() []Result {
		e.t.Helper()
		select {
		case r := <-done:
			return r
		case <-time.After(15 * time.Second):
			e.t.Fatalf("Convert did not return within 15s")
			return nil
		}
	}
}

func (e *env) open(gate string) { os.WriteFile(filepath.Join(e.gates, gate+".open"), nil, 0o644) }

// waitGate waits until a converter waits at gate.
func (e *env) waitGate(gate, why string) {
	e.t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !exists(filepath.Join(e.gates, gate+".waiting")); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			e.t.Fatalf("no converter reached gate %q within 5s: %s", gate, why)
		}
	}
}

func (e *env) started(input string) bool {
	return exists(filepath.Join(e.gates, "started-"+input))
}

// outputs returns the names of the files in the output folder.
func (e *env) outputs() []string {
	entries, _ := os.ReadDir(e.out)
	var names []string
	for _, ent := range entries {
		names = append(names, ent.Name())
	}
	return names
}

func TestResults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jobs := []Job{
		e.job("a", "data alpha", "progress 50", "data beta"),
		e.job("bad", "say reading the header", "data partial", "say corrupt input", "progress 80", "exit 1"),
		e.job("c", "say converting c", "data gamma"),
		e.job("missing"), // no such input
	}
	// One worker: the failure of "bad" comes before "c" starts.
	results := e.convert(context.Background(), e.service(1, nil), jobs)()
	if len(results) != len(jobs) {
		t.Fatalf("Convert(ctx, %d jobs) returned %d results; want %d", len(jobs), len(results), len(jobs))
	}
	for i, r := range results {
		if r.Job != jobs[i] {
			t.Errorf("results[%d].Job = %+v; want %+v: one Result per job, in the order of jobs", i, r.Job, jobs[i])
		}
	}
	for _, ok := range []struct {
		i    int
		want string
	}{{0, "alpha\nbeta\n"}, {2, "gamma\n"}} {
		r := results[ok.i]
		got, err := os.ReadFile(r.Job.Output)
		if r.Err != nil || err != nil || string(got) != ok.want {
			t.Errorf("converting %s: Err %v, output %q (%v); want Err nil, output %q: a failed file must not stop the others", filepath.Base(r.Job.Input), r.Err, got, err, ok.want)
		}
	}
	for _, bad := range []struct {
		i    int
		code int
		msg  string
	}{{1, 1, "corrupt input"}, {3, 2, "cannot read missing"}} {
		r := results[bad.i]
		var exitErr *exec.ExitError
		if !errors.As(r.Err, &exitErr) || exitErr.ExitCode() != bad.code || !strings.Contains(r.Err.Error(), bad.msg) {
			t.Errorf("converting %s: Err %v; want an error wrapping the *exec.ExitError (status %d) that quotes the converter's last message, %q", filepath.Base(r.Job.Input), r.Err, bad.code, bad.msg)
		}
		if exists(r.Job.Output) {
			t.Errorf("converting %s failed, but its output %s exists; want no output at all for a failed conversion: write to a temporary file and rename it only on success", filepath.Base(r.Job.Input), r.Job.Output)
		}
	}
	if got, want := e.outputs(), []string{"a.out", "c.out"}; !slices.Equal(got, want) {
		t.Errorf("the output folder holds %q; want exactly %q: the outputs of the files converted, and no temporary file (remove it when a conversion fails)", got, want)
	}
}

// capped formats list with verb for each entry, as a list, keeping at most limit entries
// and saying how many more there are.
func capped[T any](verb string, list []T, limit int) string {
	var parts []string
	for i, v := range list {
		if i == limit {
			parts = append(parts, fmt.Sprintf("... and %d more", len(list)-limit))
			break
		}
		parts = append(parts, fmt.Sprintf(verb, v))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

// progressLog records what OnProgress was called with.
type progressLog struct {
	mu      sync.Mutex
	values  []int
	changed chan struct{}
	at100   []string // outputs missing when OnProgress got 100
	overlap bool     // calls overlapped
	busy    bool
}

func (l *progressLog) record(outputs []string) func(int) {
	return func(p int) {
		l.mu.Lock()
		if l.busy {
			l.overlap = true
		}
		l.busy = true
		l.mu.Unlock()
		var missing []string
		if p == 100 {
			for _, o := range outputs {
				if !exists(o) {
					missing = append(missing, filepath.Base(o))
				}
			}
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		l.busy = false
		l.values = append(l.values, p)
		if p == 100 {
			l.at100 = missing
		}
		close(l.changed)
		l.changed = make(chan struct{})
	}
}

func (l *progressLog) snapshot() []int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.values)
}

// waitFor waits until OnProgress has been called with want; now says where the
// conversions are.
func (l *progressLog) waitFor(t *testing.T, want int, now string) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		l.mu.Lock()
		changed, found := l.changed, slices.Contains(l.values, want)
		l.mu.Unlock()
		if found {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("%s, OnProgress was called with %s; want %d by now: the overall progress is the mean of every job's progress (a job counts for 100 once done, failed or not)", now, capped("%d", l.snapshot(), 10), want)
		}
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jobs := []Job{
		e.job("a", "progress 30", "gate a1", "progress 90", "data A1", "gate a2", "data A2"),
		e.job("b", "progress 60", "data B-partial", "gate b1", "say corrupt input", "exit 1"),
		e.job("c", "progress 50", "gate c1", "progress 100", "data C"),
	}
	log := &progressLog{changed: make(chan struct{})}
	wait := e.convert(context.Background(), e.service(2, log.record([]string{jobs[0].Output, jobs[2].Output})), jobs)

	// Two workers: a and b run, c waits.
	e.waitGate("a1", "with 2 workers, the first 2 jobs start at once")
	e.waitGate("b1", "with 2 workers, the first 2 jobs start at once")
	log.waitFor(t, 30, "with a at 30% and b at 60% of 3 jobs") // (30+60+0)/3
	if e.started("c") {
		t.Errorf("the third job started while 2 converters were running; want at most Workers (2) at once")
	}

	e.open("a1")
	e.waitGate("a2", "a's gate a1 was opened")
	log.waitFor(t, 50, "with a at 90% and b at 60% of 3 jobs") // (90+60+0)/3
	if exists(jobs[0].Output) {
		t.Errorf("a's output %s exists while a's converter is still writing it; want it to appear only once the conversion succeeded: write to a temporary file, rename it at the end", jobs[0].Output)
	}

	e.open("b1") // b fails: it counts as done, and c takes its worker
	e.waitGate("c1", "when a job fails, the next one takes its worker")
	log.waitFor(t, 80, "with a at 90%, b failed and c at 50%") // (90+100+50)/3

	e.open("a2")
	log.waitFor(t, 83, "with a done, b failed and c at 50%") // (100+100+50)/3

	e.open("c1")
	results := wait()
	log.waitFor(t, 100, "once every job is done")

	values := log.snapshot()
	for i := 1; i < len(values); i++ {
		if values[i] <= values[i-1] {
			t.Errorf("OnProgress was called with %d after %d (call %d of %d: %s); want each percentage higher than the one before", values[i], values[i-1], i+1, len(values), capped("%d", values, 10))
			break
		}
	}
	if values[len(values)-1] != 100 {
		t.Errorf("OnProgress was called last with %d (%d calls: %s); want 100 last", values[len(values)-1], len(values), capped("%d", values, 10))
	}
	log.mu.Lock()
	if len(log.at100) > 0 {
		t.Errorf("OnProgress was called with 100 while the outputs %q did not exist yet; want 100 only once every job is done: count a job for at most 99%% until it has finished", log.at100)
	}
	if log.overlap {
		t.Errorf("OnProgress calls overlapped; want one call at a time")
	}
	log.mu.Unlock()
	for _, r := range []Result{results[0], results[2]} {
		if r.Err != nil {
			t.Errorf("converting %s: Err %v; want nil", filepath.Base(r.Job.Input), r.Err)
		}
	}
	if got, _ := os.ReadFile(jobs[0].Output); string(got) != "A1\nA2\n" {
		t.Errorf("a's output holds %q; want %q", got, "A1\nA2\n")
	}
	if results[1].Err == nil || exists(jobs[1].Output) {
		t.Errorf("converting b, which failed after writing some data: Err %v, output exists %v; want an error and no output", results[1].Err, exists(jobs[1].Output))
	}
	if got, want := e.outputs(), []string{"a.out", "c.out"}; !slices.Equal(got, want) {
		t.Errorf("the output folder holds %q; want exactly %q", got, want)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	jobs := []Job{
		e.job("a", "progress 10", "data some", "gate never"),
		e.job("b", "data other"),
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	wait := e.convert(ctx, e.service(1, nil), jobs)
	e.waitGate("never", "the first job starts at once")
	cancel()
	start := time.Now()
	results := wait()
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Convert returned %v after ctx was cancelled; want at once: kill the running converters (exec.CommandContext)", d)
	}
	for _, r := range results {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("converting %s after ctx was cancelled: Err %v; want an error wrapping context.Canceled", filepath.Base(r.Job.Input), r.Err)
		}
	}
	if got := e.outputs(); len(got) != 0 {
		t.Errorf("after a cancelled Convert, the output folder holds %q; want nothing: no output, no temporary file", got)
	}
	if e.started("b") {
		t.Errorf("the second job started after ctx was cancelled; want no new converter")
	}
	entries, _ := os.ReadDir(e.gates)
	for _, ent := range entries {
		if n, ok := strings.CutPrefix(ent.Name(), "pid-"); ok {
			pid, _ := strconv.Atoi(n)
			if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
				t.Errorf("the converter (pid %d) still exists after Convert returned (kill(pid, 0) = %v); want it killed and waited for", pid, err)
			}
		}
	}
}

func TestFewerThanOneWorker(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{0, -1} {
		t.Run(fmt.Sprintf("Workers %d", workers), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			jobs := []Job{e.job("a", "data alpha"), e.job("b", "data beta")}
			done := make(chan []Result, 1)
			go func() { done <- e.service(workers, nil).Convert(context.Background(), jobs) }()
			var results []Result
			select {
			case results = <-done:
			case <-time.After(15 * time.Second):
				t.Fatalf("Convert with Workers %d did not return within 15s; want the jobs converted one at a time: less than 1 worker means 1", workers)
			}
			for i, r := range results {
				if got, err := os.ReadFile(jobs[i].Output); r.Err != nil || err != nil {
					t.Errorf("Convert with Workers %d: converting %s: Err %v, output %q (%v); want Err nil and the output: less than 1 worker means 1", workers, filepath.Base(jobs[i].Input), r.Err, got, err)
				}
			}
		})
	}
}
