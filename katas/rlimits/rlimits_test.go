package rlimits

// The tests run real programs under real limits. The test binary is both the trampoline (the
// "trampoline" helper calls Trampoline) and most targets: a program that reports its own
// limits, one that burns CPU, one that allocates memory, one that hangs.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["trampoline"] = trampolineHelper
	helpers["limits"] = limitsHelper
	helpers["burn"] = burnHelper
	helpers["alloc"] = allocHelper
	helpers["hang"] = hangHelper
	helpers["selfkill"] = selfKillHelper
}

// trampolineHelper is the trampoline: the test binary started with the "trampoline" helper
// marker hands its arguments to Trampoline, as a program's main would.
func trampolineHelper(args []string) int {
	err := Trampoline(args)
	fmt.Fprintf(os.Stderr, "trampoline: Trampoline returned %v\n", err)
	return 127
}

// limitsHelper prints "pid N", "mark M" (its environment variable RLIMITS_MARK, "-" if
// unset), "cpu SOFT HARD" and "as SOFT HARD" (its own RLIMIT_CPU and RLIMIT_AS), then
// "ready", then waits for its standard input to end.
func limitsHelper(args []string) int {
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
	fmt.Printf("pid %d\n", os.Getpid())
	if mark, ok := os.LookupEnv("RLIMITS_MARK"); ok {
		fmt.Printf("mark %s\n", mark)
	} else {
		fmt.Println("mark -")
	}
	for _, r := range []struct {
		name     string
		resource int
	}{{"cpu", syscall.RLIMIT_CPU}, {"as", syscall.RLIMIT_AS}} {
		var lim syscall.Rlimit
		if err := syscall.Getrlimit(r.resource, &lim); err != nil {
			fmt.Fprintln(os.Stderr, "limits:", err)
			return 1
		}
		fmt.Printf("%s %d %d\n", r.name, lim.Cur, lim.Max)
	}
	fmt.Println("ready")
	bufio.NewReader(os.Stdin).ReadString(0) // until EOF
	return 0
}

// burnHelper spins on the CPU forever. Like every Go program, it ignores SIGXCPU: only the
// hard limit's SIGKILL stops it.
func burnHelper(args []string) int {
	time.AfterFunc(55*time.Second, func() { os.Exit(98) }) // after the test's 50s deadline
	x := 0
	for {
		x++
	}
}

// allocHelper maps N bytes of private anonymous memory, the way malloc gets a large block.
// It exits 0 and prints "allocated N" if it got them, and exits with allocRefused if the
// system refused.
func allocHelper(args []string) int {
	n, err := strconv.Atoi(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "alloc:", err)
		return 2
	}
	mem, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Fprintf(os.Stderr, "alloc: mmap of %d bytes refused: %v\n", n, err)
		return allocRefused
	}
	fmt.Printf("allocated %d\n", len(mem))
	return 0
}

// allocRefused is the exit status of the alloc helper when it could not get its memory.
const allocRefused = 3

// hangHelper writes its pid to the file args[0] and waits to be killed.
func hangHelper(args []string) int {
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
	if err := os.WriteFile(args[0], []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "hang:", err)
		return 1
	}
	select {}
}

// selfKillHelper kills itself with SIGKILL at once: a SIGKILL that has nothing to do with a
// CPU limit.
func selfKillHelper(args []string) int {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(5 * time.Second)
	return 97
}

// trampolineArgv is the trampoline command line the tests pass to Command and Run.
func trampolineArgv(t *testing.T) []string {
	return append([]string{helperPath(t)}, helperArgs("trampoline")...)
}

func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// parentChanged is set when Command changed the limits of the test process itself. Later
// tests then skip: under a CPU or memory limit meant for a child, the test process could die
// before it reports anything useful.
var parentChanged atomic.Bool

func skipIfParentChanged(t *testing.T) {
	t.Helper()
	if parentChanged.Load() {
		t.Skip("skipped: the test process's own limits were changed (see TestLimitsApplyToChildOnly)")
	}
}

// limitPair is a soft and a hard limit.
type limitPair struct{ soft, hard uint64 }

func (l limitPair) String() string {
	show := func(n uint64) string {
		if n >= rlimUnlimited {
			return "unlimited"
		}
		return strconv.FormatUint(n, 10)
	}
	return fmt.Sprintf("soft %s, hard %s", show(l.soft), show(l.hard))
}

// ownLimits returns this process's RLIMIT_CPU and RLIMIT_AS.
func ownLimits(t *testing.T) (cpu, as limitPair) {
	t.Helper()
	var c, a syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_CPU, &c); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Getrlimit(syscall.RLIMIT_AS, &a); err != nil {
		t.Fatal(err)
	}
	return limitPair{c.Cur, c.Max}, limitPair{a.Cur, a.Max}
}

// rlimUnlimited is a limit so high that it is no limit at all (RLIM_INFINITY is 2^64-1 on
// Linux and 2^63-1 on macOS).
const rlimUnlimited = 1 << 62

// This test runs first, and alone, so that it sees this process's limits before any other
// test could change them.
func TestLimitsApplyToChildOnly(t *testing.T) {
	parentCPU, parentAS := ownLimits(t)
	tests := []struct {
		name     string
		lim      Limits
		wantCPU  uint64 // the child's soft RLIMIT_CPU, in seconds
		wantAS   uint64 // the child's soft RLIMIT_AS, in bytes
		inherits bool   // the child must keep the parent's limits unchanged
	}{
		{
			// Generous limits: if they land on the test process, it survives to say so.
			name:    "CPU and memory",
			lim:     Limits{CPU: 90*time.Second + 500*time.Millisecond, Memory: 8 << 30},
			wantCPU: 91, // rounded up to a whole second
			wantAS:  8 << 30,
		},
		{
			name:     "zero limits set nothing",
			lim:      Limits{},
			inherits: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			call := fmt.Sprintf("Command(ctx, trampoline, %+v, limits helper)", tt.lim)
			ctx := testContext(t, 10*time.Second)
			cmd := Command(ctx, trampolineArgv(t), tt.lim, helperPath(t), helperArgs("limits")...)
			cmd.Env = append(os.Environ(), "RLIMITS_MARK=kept")
			stdin, err := cmd.StdinPipe()
			if err != nil {
				t.Fatal(err)
			}
			defer stdin.Close()
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatalf("%s: Start() = %v; want nil", call, err)
			}
			defer cmd.Wait()
			defer cmd.Process.Kill()

			// Read the child's report. It then waits, still running, until stdin closes.
			report := map[string][]uint64{}
			mark := ""
			sc := bufio.NewScanner(stdout)
			for sc.Scan() && sc.Text() != "ready" {
				f := strings.Fields(sc.Text())
				if f[0] == "mark" {
					mark = f[1]
					continue
				}
				for _, s := range f[1:] {
					n, _ := strconv.ParseUint(s, 10, 64)
					report[f[0]] = append(report[f[0]], n)
				}
			}
			if len(report["pid"]) != 1 || len(report["cpu"]) != 2 || len(report["as"]) != 2 {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("%s: the target never reported its limits (got %v); its stderr: %q", call, report, stderr.String())
			}

			// While the child runs under its limits, this process must still have its own.
			nowCPU, nowAS := ownLimits(t)
			if nowCPU != parentCPU || nowAS != parentAS {
				parentChanged.Store(true)
				t.Errorf("%s changed the limits of the calling process: RLIMIT_CPU %v and RLIMIT_AS %v; want %v and %v as before: set the limits in the trampoline, never in the parent", call, nowCPU, nowAS, parentCPU, parentAS)
			}

			if mark != "kept" {
				t.Errorf("%s with cmd.Env holding RLIMITS_MARK=kept: the target's RLIMITS_MARK is %q; want \"kept\": the trampoline must pass its environment on to the target (os.Environ() to syscall.Exec)", call, mark)
			}
			if pid := int(report["pid"][0]); pid != cmd.Process.Pid {
				t.Errorf("%s: the target runs as pid %d, but cmd.Process is pid %d; want the same pid: the trampoline must become the target with syscall.Exec, not start it as a child", call, pid, cmd.Process.Pid)
			}
			cpu := limitPair{report["cpu"][0], report["cpu"][1]}
			as := limitPair{report["as"][0], report["as"][1]}
			if tt.inherits {
				if cpu != nowCPU || as != nowAS {
					t.Errorf("%s: the target has RLIMIT_CPU %v and RLIMIT_AS %v; want this process's %v and %v: a zero field sets no limit", call, cpu, as, nowCPU, nowAS)
				}
			} else {
				if cpu.soft != tt.wantCPU {
					t.Errorf("%s: the target has RLIMIT_CPU %v; want soft limit %d: RLIMIT_CPU counts whole seconds, rounded up", call, cpu, tt.wantCPU)
				}
				if cpu.hard < cpu.soft || cpu.hard >= rlimUnlimited {
					t.Errorf("%s: the target has RLIMIT_CPU %v; want a hard limit at or a little above the soft one: with no hard limit, a program that ignores SIGXCPU never stops", call, cpu)
				}
				if as.soft != tt.wantAS || as.hard != tt.wantAS {
					t.Errorf("%s: the target has RLIMIT_AS %v; want soft and hard %d: Memory is in bytes", call, as, tt.wantAS)
				}
			}

			stdin.Close()
			if err := cmd.Wait(); err != nil {
				t.Errorf("%s: Wait() = %v; want nil (the target exits 0 when its stdin ends); its stderr: %q", call, err, stderr.String())
			}
			if nowCPU, nowAS := ownLimits(t); nowCPU != parentCPU || nowAS != parentAS {
				parentChanged.Store(true)
				t.Errorf("after %s ran, the calling process has RLIMIT_CPU %v and RLIMIT_AS %v; want %v and %v as before", call, nowCPU, nowAS, parentCPU, parentAS)
			}
		})
	}
}

func TestCPULimit(t *testing.T) {
	t.Parallel()
	skipIfParentChanged(t)
	tests := []struct {
		name   string
		target []string // program and arguments
		skip   string   // GOOS on which the case cannot work
		why    string
	}{
		{
			// sh dies of SIGXCPU, or of SIGKILL if the hard limit is the soft one. Its name
			// has no slash: Trampoline looks it up in PATH.
			name:   "shell loop",
			target: []string{"sh", "-c", "while :; do :; done"},
		},
		{
			// A Go program ignores SIGXCPU: only the hard limit stops it. macOS never sends
			// SIGKILL at the hard limit, only SIGXCPU again.
			name:   "Go program that ignores SIGXCPU",
			target: append([]string{helperPath(t)}, helperArgs("burn")...),
			skip:   "darwin",
			why:    "macOS sends only SIGXCPU at the CPU limit, which a Go program ignores",
		},
	}
	const limit = time.Second
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if runtime.GOOS == tt.skip {
				t.Skipf("skipped on %s: %s", tt.skip, tt.why)
			}
			call := fmt.Sprintf("Run(ctx, trampoline, {CPU: %v}, %q)", limit, tt.target)
			// A generous deadline: on a busy machine, 2s of CPU time can take many more
			// seconds of wall time.
			_, err := Run(testContext(t, 50*time.Second), trampolineArgv(t), Limits{CPU: limit}, tt.target[0], tt.target[1:]...)
			if notRun := (*exec.ExitError)(nil); errors.As(err, &notRun) && notRun.ExitCode() == 127 {
				t.Fatalf("%s = %v; want an error wrapping ErrCPULimit: the trampoline could not exec %q (a name with no slash is looked up in PATH); its stderr: %q", call, err, tt.target[0], notRun.Stderr)
			}
			if !errors.Is(err, ErrCPULimit) {
				t.Fatalf("%s = %v; want an error wrapping ErrCPULimit within 50s: the program burns CPU until its limit kills it (SIGXCPU at the soft limit, SIGKILL at the hard limit)", call, err)
			}
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) {
				t.Fatalf("%s = %v; want it to wrap the *exec.ExitError as well", call, err)
			}
			if used := exitErr.UserTime() + exitErr.SystemTime(); used > limit+3*time.Second {
				t.Errorf("%s: the program used %v of CPU time; want it stopped soon after %v (the hard limit should be at most a second or so above the soft one)", call, used, limit)
			}
		})
	}
}

func TestMemoryLimit(t *testing.T) {
	t.Parallel()
	skipIfParentChanged(t)
	const limit = 1 << 30 // a Go program needs several hundred MiB of address space to start
	tests := []struct {
		name string
		size int
		want int // exit status
		skip string
		why  string
	}{
		{name: "small allocation fits", size: 16 << 20, want: 0},
		{
			name: "large allocation refused",
			size: 2 << 30,
			want: allocRefused,
			skip: "darwin",
			why:  "macOS accepts RLIMIT_AS but does not enforce it",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if runtime.GOOS == tt.skip {
				t.Skipf("skipped on %s: %s", tt.skip, tt.why)
			}
			lim := Limits{CPU: 30 * time.Second, Memory: limit}
			call := fmt.Sprintf("Run(ctx, trampoline, %+v, alloc %d MiB)", lim, tt.size>>20)
			out, err := Run(testContext(t, 10*time.Second), trampolineArgv(t), lim, helperPath(t), helperArgs("alloc", strconv.Itoa(tt.size))...)
			var exitErr *exec.ExitError
			errors.As(err, &exitErr)
			switch {
			case tt.want == 0 && err != nil:
				msg := fmt.Sprintf("%s = %v; want nil: %d MiB fits under a %d MiB limit", call, err, tt.size>>20, limit>>20)
				if exitErr != nil {
					msg += fmt.Sprintf("; the program's stderr: %q", exitErr.Stderr)
				}
				t.Fatal(msg)
			case tt.want == 0 && string(out) != fmt.Sprintf("allocated %d\n", tt.size):
				t.Errorf("%s = output %q; want %q", call, out, fmt.Sprintf("allocated %d\n", tt.size))
			case tt.want != 0 && (exitErr == nil || exitErr.ExitCode() != tt.want):
				t.Errorf("%s = %v, output %q; want an *exec.ExitError with status %d: the program could not allocate %d MiB under a %d MiB address-space limit, so the limit did not reach it", call, err, out, tt.want, tt.size>>20, limit>>20)
			}
			if tt.want != 0 && errors.Is(err, ErrCPULimit) {
				t.Errorf("%s = %v; want no ErrCPULimit: the program exited, no CPU limit killed it", call, err)
			}
		})
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	skipIfParentChanged(t)
	tests := []struct {
		name       string
		target     []string
		want       int    // exit status; -1 for a signal
		wantStderr string // what the *exec.ExitError's Stderr must hold
		why        string
	}{
		{
			name:   "SIGKILL that is not the CPU limit",
			target: append([]string{helperPath(t)}, helperArgs("selfkill")...),
			want:   -1,
			why:    "the program killed itself at once, far from its 30s of CPU time",
		},
		{
			name:       "missing program",
			target:     []string{filepath.Join(t.TempDir(), "missing")},
			want:       127,
			wantStderr: "trampoline: Trampoline returned ",
			why:        "Trampoline must return an error when it cannot exec the program (the trampoline then exits 127)",
		},
		{
			name:       "exit status 2 with a message",
			target:     append([]string{helperPath(t)}, helperArgs("alloc", "many")...),
			want:       2,
			wantStderr: "alloc: ",
			why:        "the program exited with status 2",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lim := Limits{CPU: 30 * time.Second}
			call := fmt.Sprintf("Run(ctx, trampoline, %+v, %q)", lim, tt.target)
			_, err := Run(testContext(t, 10*time.Second), trampolineArgv(t), lim, tt.target[0], tt.target[1:]...)
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.want {
				t.Errorf("%s = %v; want an error wrapping an *exec.ExitError with ExitCode() %d: %s", call, err, tt.want, tt.why)
			}
			if errors.Is(err, ErrCPULimit) {
				t.Errorf("%s = %v; want no ErrCPULimit: %s", call, err, tt.why)
			}
			if exitErr != nil && !strings.Contains(string(exitErr.Stderr), tt.wantStderr) {
				t.Errorf("%s: the *exec.ExitError's Stderr is %q; want what the program wrote to standard error, which holds %q: leave cmd.Stderr nil and use cmd.Output, which keeps it there", call, exitErr.Stderr, tt.wantStderr)
			}
		})
	}
}

func TestContextKillsTarget(t *testing.T) {
	t.Parallel()
	skipIfParentChanged(t)
	pidFile := filepath.Join(t.TempDir(), "pid")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pid := make(chan int, 1)
	go func() {
		// Cancel as soon as the target has written its pid: an event, not a guess.
		defer cancel()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			if b, err := os.ReadFile(pidFile); err == nil && len(b) > 0 {
				n, _ := strconv.Atoi(string(b))
				pid <- n
				return
			}
		}
		pid <- 0
	}()
	lim := Limits{CPU: 30 * time.Second}
	_, err := Run(ctx, trampolineArgv(t), lim, helperPath(t), helperArgs("hang", pidFile)...)
	target := <-pid
	if target > 0 {
		t.Cleanup(func() { syscall.Kill(target, syscall.SIGKILL) })
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run(ctx, trampoline, %+v, hang) with ctx cancelled while it runs = %v; want an error wrapping context.Canceled", lim, err)
	}
	if target == 0 {
		t.Fatalf("the target never wrote its pid")
	}
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if err := syscall.Kill(target, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after Run(ctx, trampoline, %+v, hang) returned, the target (pid %d) still runs; want it killed with ctx: exec the target in place of the trampoline, so that the pid exec.CommandContext kills is the target's", lim, target)
		}
	}
}
