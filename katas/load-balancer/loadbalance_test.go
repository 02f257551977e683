package loadbalance

// The workers are real processes: the test binary started as the "worker" helper, which
// speaks the JSON-lines protocol and handles each request in a goroutine of its own. A
// "hold" request reports which worker got it (it writes a file) and then blocks until the
// test releases it (by creating another file), so the test decides exactly how many
// requests each worker has in flight.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["worker"] = workerHelper
}

// helperOp is the body of a request to the worker helper.
type helperOp struct {
	Op    string `json:"op"`              // hold, echo, fail or crash
	Key   string `json:"key,omitempty"`   // hold: the request's name
	Dir   string `json:"dir,omitempty"`   // hold: where the got- and release- files live
	Value string `json:"value,omitempty"` // echo: what to send back
}

// helperResult is the worker helper's answer to hold and echo.
type helperResult struct {
	Worker int    `json:"worker"`
	Key    string `json:"key,omitempty"`
	Value  string `json:"value,omitempty"`
}

// workerHelper is worker number args[0]. It answers each request in its own goroutine:
//
//	hold   write its index to DIR/got-KEY, wait for DIR/release-KEY, answer {worker, key}
//	echo   wait a random 0-2ms, answer {worker, value}
//	fail   answer with an error
//	crash  exit 3 at once
//
// It exits 0 when its stdin ends, unless args[1] is "stay": then it runs on until it is
// killed (or for 20s).
func workerHelper(args []string) int {
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
	index, _ := strconv.Atoi(args[0])
	stay := len(args) > 1 && args[1] == "stay"
	var mu sync.Mutex
	enc := json.NewEncoder(os.Stdout)
	send := func(v any) {
		mu.Lock()
		defer mu.Unlock()
		enc.Encode(v)
	}
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		var req struct {
			ID   uint64   `json:"id"`
			Body helperOp `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &req); err != nil {
			fmt.Fprintf(os.Stderr, "worker %d: bad request %q: %v\n", index, sc.Text(), err)
			return 2
		}
		go func() {
			switch o := req.Body; o.Op {
			case "hold":
				os.WriteFile(filepath.Join(o.Dir, "got-"+o.Key), []byte(strconv.Itoa(index)), 0o644)
				for {
					if _, err := os.Stat(filepath.Join(o.Dir, "release-"+o.Key)); err == nil {
						break
					}
					time.Sleep(2 * time.Millisecond)
				}
				send(map[string]any{"id": req.ID, "result": helperResult{Worker: index, Key: o.Key}})
			case "echo":
				time.Sleep(time.Duration(rand.IntN(2000)) * time.Microsecond)
				send(map[string]any{"id": req.ID, "result": helperResult{Worker: index, Value: o.Value}})
			case "fail":
				send(map[string]any{"id": req.ID, "error": "failed on purpose"})
			case "crash":
				os.Exit(3)
			}
		}()
	}
	if stay {
		select {}
	}
	return 0
}

// newBalancer starts n worker helpers under a Balancer that is closed when the test ends.
// The workers get the extra arguments opts.
func newBalancer(t *testing.T, n int, opts ...string) (*Balancer, []*exec.Cmd) {
	t.Helper()
	var cmds []*exec.Cmd
	for i := range n {
		cmds = append(cmds, helperCommand(t, "worker", append([]string{strconv.Itoa(i)}, opts...)...))
	}
	b, err := New(cmds...)
	if err != nil {
		t.Fatalf("New(%d workers) = %v", n, err)
	}
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() {
			b.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Errorf("Close did not return within 10s")
		}
		for _, cmd := range cmds {
			if cmd.Process != nil {
				cmd.Process.Kill()
			}
		}
	})
	return b, cmds
}

// held is how a Do call on a hold request ended.
type held struct {
	result json.RawMessage
	err    error
}

// holder sends hold requests through a Balancer and releases them.
type holder struct {
	t    *testing.T
	b    *Balancer
	dir  string
	ctx  context.Context
	done map[string]chan held // by key
}

func newHolder(t *testing.T, b *Balancer) *holder {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	h := &holder{t: t, b: b, dir: t.TempDir(), ctx: ctx, done: map[string]chan held{}}
	t.Cleanup(func() {
		// Release whatever is still held, so that the workers can answer.
		for key := range h.done {
			os.WriteFile(filepath.Join(h.dir, "release-"+key), nil, 0o644)
		}
	})
	return h
}

// hold sends a hold request named key and returns the index of the worker that got it.
func (h *holder) hold(key string) int {
	h.t.Helper()
	ch := make(chan held, 1)
	h.done[key] = ch
	go func() {
		res, err := h.b.Do(h.ctx, helperOp{Op: "hold", Key: key, Dir: h.dir})
		ch <- held{res, err}
	}()
	got := filepath.Join(h.dir, "got-"+key)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if b, err := os.ReadFile(got); err == nil && len(b) > 0 {
			n, _ := strconv.Atoi(string(b))
			return n
		}
		select {
		case o := <-ch:
			h.t.Fatalf("Do(hold %s) = %s, %v before any worker got the request; want it sent to a live worker, which holds it", key, o.result, o.err)
		default:
		}
	}
	h.t.Fatalf("no worker got request %s within 10s of Do", key)
	return -1
}

// release lets the worker answer request key and returns the index in its answer.
func (h *holder) release(key string) int {
	h.t.Helper()
	if err := os.WriteFile(filepath.Join(h.dir, "release-"+key), nil, 0o644); err != nil {
		h.t.Fatal(err)
	}
	select {
	case o := <-h.done[key]:
		delete(h.done, key)
		var r helperResult
		if o.err != nil || json.Unmarshal(o.result, &r) != nil || r.Key != key {
			h.t.Fatalf("Do(hold %s) = %s, %v; want the result {\"worker\": N, \"key\": %q}", key, o.result, o.err, key)
		}
		return r.Worker
	case <-time.After(10 * time.Second):
		h.t.Fatalf("Do(hold %s) did not return within 10s of its release", key)
		return -1
	}
}

// waitInFlight waits until b.InFlight() equals want (the balancer learns of answers from
// its own reader, a moment after Do returns to the test) and fails the test if it never
// does.
func waitInFlight(t *testing.T, b *Balancer, want []int, after, why string) {
	t.Helper()
	var got []int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if got = b.InFlight(); slices.Equal(got, want) {
			return
		}
	}
	t.Fatalf("after %s, InFlight() = %v; want %v: %s", after, got, want, why)
}

// lastSteps formats the last 10 steps of history, saying how many came before.
func lastSteps(history []string) string {
	if n := len(history) - 10; n > 0 {
		return fmt.Sprintf("%d steps, then %v", n, history[n:])
	}
	return fmt.Sprint(history)
}

func TestLeastBusy(t *testing.T) {
	t.Parallel()
	b, _ := newBalancer(t, 3)
	h := newHolder(t, b)
	// Each step holds or releases one request; want is the worker that must get the held
	// request, and inFlight the counts after the step.
	steps := []struct {
		hold, release string
		want          int
		inFlight      []int
	}{
		{hold: "A", want: 0, inFlight: []int{1, 0, 0}},
		{hold: "B", want: 1, inFlight: []int{1, 1, 0}},
		{hold: "C", want: 2, inFlight: []int{1, 1, 1}},
		{hold: "D", want: 0, inFlight: []int{2, 1, 1}},
		{release: "B", want: 1, inFlight: []int{2, 0, 1}},
		{hold: "E", want: 1, inFlight: []int{2, 1, 1}},
		{hold: "F", want: 1, inFlight: []int{2, 2, 1}},
		{hold: "G", want: 2, inFlight: []int{2, 2, 2}},
		{release: "A", want: 0, inFlight: []int{1, 2, 2}},
		{release: "D", want: 0, inFlight: []int{0, 2, 2}},
		{hold: "H", want: 0, inFlight: []int{1, 2, 2}},
		{hold: "I", want: 0, inFlight: []int{2, 2, 2}},
		{hold: "J", want: 0, inFlight: []int{3, 2, 2}},
		{release: "C", want: 2, inFlight: []int{3, 2, 1}},
		{hold: "K", want: 2, inFlight: []int{3, 2, 2}},
	}
	var history []string
	for _, s := range steps {
		if s.hold != "" {
			before := b.InFlight()
			if got := h.hold(s.hold); got != s.want {
				t.Fatalf("after %s, Do(hold %s) went to worker %d; want worker %d, the one with the fewest requests in flight (%v), the lowest index among equals", lastSteps(history), s.hold, got, s.want, before)
			}
			history = append(history, fmt.Sprintf("%s→%d", s.hold, s.want))
		} else {
			if got := h.release(s.release); got != s.want {
				t.Fatalf("Do(hold %s) returned the answer of worker %d; want worker %d's, the worker that got it", s.release, got, s.want)
			}
			history = append(history, "release "+s.release)
		}
		waitInFlight(t, b, s.inFlight, lastSteps(history), "a request is in flight from the choice of its worker until its answer")
	}
}

func TestErrorsEndTheRequest(t *testing.T) {
	t.Parallel()
	b, _ := newBalancer(t, 2)
	h := newHolder(t, b)
	if got := h.hold("A"); got != 0 {
		t.Fatalf("Do(hold A) on idle workers went to worker %d; want worker 0", got)
	}
	// Worker 1 is the least busy: it gets the request and answers with an error.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := b.Do(ctx, helperOp{Op: "fail"})
	var werr *WorkerError
	if !errors.As(err, &werr) || werr.Worker != 1 || werr.Message != "failed on purpose" {
		t.Fatalf("Do(fail) = %s, %v; want a *WorkerError{Worker: 1, Message: \"failed on purpose\"}", res, err)
	}
	waitInFlight(t, b, []int{1, 0}, "A held on worker 0 and a failed request on worker 1", "an answer with an error ends the request as much as a result does")
	if got := h.hold("B"); got != 1 {
		t.Fatalf("after a failed request on worker 1, Do(hold B) went to worker %d; want worker 1: an answer with an error ends the request as much as a result does", got)
	}
}

func TestExitedWorkerIsSkipped(t *testing.T) {
	t.Parallel()
	b, cmds := newBalancer(t, 3)
	h := newHolder(t, b)
	if got := h.hold("A"); got != 0 {
		t.Fatalf("Do(hold A) on idle workers went to worker %d; want worker 0", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// Worker 1, the least busy, gets the request and exits.
	res, err := b.Do(ctx, helperOp{Op: "crash"})
	if !errors.Is(err, ErrWorkerExited) {
		t.Fatalf("Do(crash) = %s, %v; want an error wrapping ErrWorkerExited: the worker exited before it answered", res, err)
	}
	waitInFlight(t, b, []int{1, 0, 0}, "worker 1 exited", "the requests of a worker that exited are no longer in flight")
	// Worker 1 has nothing in flight, but it is gone: the next requests go to 2, then 0/2.
	for _, s := range []struct {
		key  string
		want int
	}{{"B", 2}, {"C", 0}, {"D", 2}} {
		if got := h.hold(s.key); got != s.want {
			t.Fatalf("with worker 1 exited, Do(hold %s) went to worker %d; want worker %d: a worker that has exited must never be chosen, although it has nothing in flight", s.key, got, s.want)
		}
	}
	if cmds[1].ProcessState == nil {
		t.Errorf("worker 1 exited but was not waited for (its ProcessState is nil); want it reaped when its stdout ends")
	}
}

func TestConcurrentRequests(t *testing.T) {
	t.Parallel()
	b, _ := newBalancer(t, 4)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	const callers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, callers*each)
	used := make([]int, 4)
	var mu sync.Mutex
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				value := fmt.Sprintf("%d-%d", c, i)
				res, err := b.Do(ctx, helperOp{Op: "echo", Value: value})
				var r helperResult
				if err == nil {
					err = json.Unmarshal(res, &r)
				}
				if err == nil && r.Value != value {
					err = fmt.Errorf("Do(echo %s) = %s; want the answer to this request: match answers to requests by id, the worker answers in any order", value, res)
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				used[r.Worker]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	waitInFlight(t, b, []int{0, 0, 0, 0}, fmt.Sprintf("%d concurrent requests were all answered", callers*each), "every answer ends its request")
	for i, n := range used {
		if n == 0 {
			t.Errorf("worker %d answered none of %d concurrent requests (per worker: %v); want the load spread over all workers", i, callers*each, used)
		}
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	b, cmds := newBalancer(t, 2)
	h := newHolder(t, b)
	h.hold("A")
	done := make(chan error, 1)
	go func() { done <- b.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close() = %v; want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s; want it to close the workers' stdin (they exit) and wait for them")
	}
	select {
	case o := <-h.done["A"]:
		delete(h.done, "A")
		if !errors.Is(o.err, ErrClosed) {
			t.Errorf("Do(hold A), cut short by Close, = %s, %v; want an error wrapping ErrClosed", o.result, o.err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("Do(hold A) did not return within 5s of Close")
	}
	for i, cmd := range cmds {
		if cmd.ProcessState == nil {
			t.Errorf("after Close, worker %d was not waited for; want every worker exited and reaped", i)
		} else if err := syscall.Kill(cmd.Process.Pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("after Close, worker %d (pid %d) still exists", i, cmd.Process.Pid)
		}
	}
	if _, err := b.Do(context.Background(), helperOp{Op: "echo"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Do after Close = %v; want ErrClosed", err)
	}
}

func TestCancelledRequestStaysInFlight(t *testing.T) {
	t.Parallel()
	b, _ := newBalancer(t, 2)
	h := newHolder(t, b)
	// A held request whose caller gives up: worker 0 is still busy with it.
	dir := h.dir
	ctx, cancel := context.WithCancel(context.Background())
	gaveUp := make(chan error, 1)
	go func() {
		_, err := b.Do(ctx, helperOp{Op: "hold", Key: "X", Dir: dir})
		gaveUp <- err
	}()
	h.done["X"] = make(chan held) // released by the holder's cleanup
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(filepath.Join(dir, "got-X")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no worker got request X within 10s of Do")
		}
	}
	cancel()
	select {
	case err := <-gaveUp:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Do(hold X) with its ctx cancelled = %v; want an error wrapping context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Do(hold X) did not return within 5s of its ctx's cancellation")
	}
	if got := b.InFlight(); !slices.Equal(got, []int{1, 0}) {
		t.Errorf("after Do(hold X) gave up on its ctx, InFlight() = %v; want [1 0]: the worker is still busy with the request until it answers", got)
	}
	if got := h.hold("Y"); got != 1 {
		t.Errorf("with worker 0 still busy with a request its caller gave up on, Do(hold Y) went to worker %d; want worker 1", got)
	}
	// Once worker 0 answers X, nobody waits for the answer, but the count goes down.
	os.WriteFile(filepath.Join(dir, "release-X"), nil, 0o644)
	waitInFlight(t, b, []int{0, 1}, "worker 0 answered the request its caller gave up on", "the answer ends the request, even with nobody waiting for it")
}

func TestNoWorkersLeft(t *testing.T) {
	t.Parallel()
	b, _ := newBalancer(t, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := b.Do(ctx, helperOp{Op: "crash"}); !errors.Is(err, ErrWorkerExited) {
		t.Fatalf("Do(crash) = %v; want an error wrapping ErrWorkerExited", err)
	}
	// The only worker has exited: Do must say so rather than choose it, block or panic.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		_, err := b.Do(ctx, helperOp{Op: "echo", Value: "x"})
		if errors.Is(err, ErrNoWorkers) {
			return
		}
		if !errors.Is(err, ErrWorkerExited) || time.Now().After(deadline) {
			t.Fatalf("Do(echo) after the only worker exited = %v; want ErrNoWorkers", err)
		}
	}
}

func TestNewStopsStartedWorkers(t *testing.T) {
	t.Parallel()
	started := helperCommand(t, "worker", "0")
	missing := exec.Command(filepath.Join(t.TempDir(), "missing"))
	b, err := New(started, missing)
	if err == nil || b != nil {
		if b != nil {
			b.Close()
		}
		t.Fatalf("New(worker, missing program) = %v, %v; want nil and an error", b, err)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("New(worker, missing program) = %v; want the error of the worker that could not start (fs.ErrNotExist)", err)
	}
	if started.Process == nil {
		t.Fatalf("New(worker, missing program) never started the first worker; want the workers started in order")
	}
	if started.ProcessState == nil {
		started.Process.Kill()
		started.Wait()
		t.Errorf("New(worker, missing program) returned an error, but the first worker (pid %d) was never waited for; want it stopped and reaped", started.Process.Pid)
	}
}

func TestCloseKillsStuckWorker(t *testing.T) {
	t.Parallel()
	// The workers do not exit when their stdin closes.
	b, cmds := newBalancer(t, 2, "stay")
	h := newHolder(t, b)
	h.hold("A")
	done := make(chan error, 1)
	go func() { done <- b.Close() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s, with workers that do not exit when their stdin closes; want them killed 2 seconds after their stdin was closed")
	}
	select {
	case o := <-h.done["A"]:
		delete(h.done, "A")
		if !errors.Is(o.err, ErrClosed) {
			t.Errorf("Do(hold A), cut short by Close, = %s, %v; want an error wrapping ErrClosed", o.result, o.err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("Do(hold A) did not return within 5s of Close")
	}
	for i, cmd := range cmds {
		if cmd.ProcessState == nil {
			t.Errorf("after Close, worker %d, which ignored the end of its stdin, was not waited for; want it killed and reaped", i)
		}
	}
}
