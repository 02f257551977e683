package metrics

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

const MiB = 1 << 20

// The helpers are the measured children. burn and sleep finish by writing their own CPU
// times, from getrusage(RUSAGE_SELF), to the file named by their first argument: a floor for
// what Measure must report, since the kernel only adds to it until the child exits.
func init() {
	for name, h := range map[string]func([]string) int{
		// burn computes until it has used 200ms of user CPU time, however loaded the
		// machine is.
		"burn": func(args []string) int {
			x := uint64(1)
			for selfUsage().Utime < 200*time.Millisecond {
				for range 1_000_000 {
					x = x*6364136223846793005 + 1442695040888963407
				}
			}
			return writeUsage(args[0], x)
		},
		// sleep sleeps for 400ms, using almost no CPU.
		"sleep": func(args []string) int {
			time.Sleep(400 * time.Millisecond)
			return writeUsage(args[0], 0)
		},
		// touch allocates 64 MiB and writes to every page, so all of it is resident.
		"touch": func([]string) int {
			b := make([]byte, 64*MiB)
			for i := 0; i < len(b); i += 4096 {
				b[i] = 1
			}
			return int(b[len(b)/2]) - 1
		},
		"exit": func(args []string) int {
			code, _ := strconv.Atoi(args[0])
			return code
		},
		// kill sends itself signal number args[0], and waits for it. (Not SIGINT or SIGHUP:
		// a Go program keeps those ignored when it inherits them ignored, as background
		// jobs of a non-interactive shell do.)
		"kill": func(args []string) int {
			sig, _ := strconv.Atoi(args[0])
			syscall.Kill(os.Getpid(), syscall.Signal(sig))
			time.Sleep(10 * time.Second)
			return 0
		},
		"hang": func([]string) int {
			time.Sleep(time.Hour)
			return 0
		},
		// stdio exits with a bit set for each of stdin (1), stdout (2) and stderr (4) that
		// is not /dev/null: 0 when all three are.
		"stdio": func([]string) int {
			null, err := os.Stat(os.DevNull)
			if err != nil {
				return 8
			}
			code := 0
			for i, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
				if fi, err := f.Stat(); err != nil || !os.SameFile(fi, null) {
					code |= 1 << i
				}
			}
			return code
		},
	} {
		helpers[name] = orphanGuard(h)
	}
}

type usage struct{ Utime, Stime time.Duration }

func selfUsage() usage {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return usage{time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())}
}

// writeUsage writes the helper's own CPU times to path; x keeps the work from being
// optimised away.
func writeUsage(path string, x uint64) int {
	u := selfUsage()
	if err := os.WriteFile(path, fmt.Appendf(nil, "%d %d %d", u.Utime, u.Stime, x%2), 0o644); err != nil {
		return 2
	}
	return 0
}

func readUsage(t *testing.T, path string) usage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the helper wrote no report: %v", err)
	}
	var u usage
	var parity int
	if _, err := fmt.Sscanf(string(data), "%d %d %d", &u.Utime, &u.Stime, &parity); err != nil {
		t.Fatalf("reading the helper's report %q: %v", data, err)
	}
	return u
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

// measure calls Measure on a helper with a deadline, and fails the test if Measure does not
// return soon after it.
func measure(t *testing.T, timeout time.Duration, helper string, args ...string) (Metrics, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	exe, argv := helperPath(t), helperArgs(helper, args...)
	type ret struct {
		m   Metrics
		err error
	}
	done := make(chan ret, 1)
	go func() {
		m, err := Measure(ctx, exe, argv...)
		done <- ret{m, err}
	}()
	select {
	case r := <-done:
		return r.m, r.err
	case <-time.After(timeout + 5*time.Second):
		t.Fatalf("Measure(%s) still running 5s after its %v context expired; want it to kill the child and return", helper, timeout)
		return Metrics{}, nil
	}
}

func TestMeasureCPU(t *testing.T) {
	t.Parallel()
	t.Run("burn", func(t *testing.T) {
		t.Parallel()
		report := filepath.Join(t.TempDir(), "usage")
		m, err := measure(t, 20*time.Second, "burn", report)
		if err != nil {
			t.Fatalf("Measure(burn) = %v; want no error", err)
		}
		self := readUsage(t, report)
		if m.User < self.Utime {
			t.Errorf("Measure(burn).User = %v; want at least %v, the user CPU time the child counted itself: use ProcessState.UserTime", m.User, self.Utime)
		}
		if m.System < self.Stime {
			t.Errorf("Measure(burn).System = %v; want at least %v, the system CPU time the child counted itself: use ProcessState.SystemTime", m.System, self.Stime)
		}
	})
	t.Run("sleep", func(t *testing.T) {
		t.Parallel()
		report := filepath.Join(t.TempDir(), "usage")
		m, err := measure(t, 20*time.Second, "sleep", report)
		if err != nil {
			t.Fatalf("Measure(sleep) = %v; want no error", err)
		}
		self := readUsage(t, report)
		const slack = 200 * time.Millisecond
		if cpu, max := m.User+m.System, self.Utime+self.Stime+slack; cpu > max {
			t.Errorf("Measure(sleep): User+System = %v; want at most %v: the child slept for %v of its %v and counted %v of CPU time itself; CPU time is not wall time",
				cpu, max, 400*time.Millisecond, m.Wall, self.Utime+self.Stime)
		}
		if m.User < self.Utime || m.System < self.Stime {
			t.Errorf("Measure(sleep): User, System = %v, %v; want at least %v, %v, what the child counted itself", m.User, m.System, self.Utime, self.Stime)
		}
	})
}

func TestMeasureWall(t *testing.T) {
	t.Parallel()
	m, err := measure(t, 20*time.Second, "sleep", filepath.Join(t.TempDir(), "usage"))
	if err != nil {
		t.Fatalf("Measure(sleep) = %v; want no error", err)
	}
	if m.Wall < 400*time.Millisecond || m.Wall > 15*time.Second {
		t.Errorf("Measure(sleep 400ms).Wall = %v; want the real time from Start to the end of Wait, at least 400ms", m.Wall)
	}
}

func TestMeasureMaxRSS(t *testing.T) {
	t.Parallel()
	m, err := measure(t, 20*time.Second, "touch")
	if err != nil {
		t.Fatalf("Measure(touch 64 MiB) = %v; want no error", err)
	}
	if m.ExitCode != 0 {
		t.Fatalf("Measure(touch 64 MiB).ExitCode = %d; want 0", m.ExitCode)
	}
	if m.MaxRSS < 48*MiB || m.MaxRSS > 1<<40 {
		t.Errorf("Measure(touch 64 MiB).MaxRSS = %d bytes (%d MiB); want at least 48 MiB, in bytes: ru_maxrss is in KiB on Linux, in bytes on macOS",
			m.MaxRSS, m.MaxRSS/MiB)
	}
}

func TestMeasureExit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		helper   string
		arg      string
		wantCode int
		wantSig  syscall.Signal
	}{
		{"exit 0", "exit", "0", 0, 0},
		{"exit 3", "exit", "3", 3, 0},
		{"exit 255", "exit", "255", 255, 0},
		{"killed by SIGTERM", "kill", strconv.Itoa(int(syscall.SIGTERM)), 128 + int(syscall.SIGTERM), syscall.SIGTERM},
		{"killed by SIGKILL", "kill", strconv.Itoa(int(syscall.SIGKILL)), 128 + int(syscall.SIGKILL), syscall.SIGKILL},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, err := measure(t, 20*time.Second, tc.helper, tc.arg)
			if err != nil {
				t.Fatalf("Measure(%s) = %v; want no error: a child's failure is a metric, not an error of Measure", tc.name, err)
			}
			if m.ExitCode != tc.wantCode || m.Signal != tc.wantSig {
				t.Errorf("Measure(%s) = ExitCode %d, Signal %d; want %d, %d (a signal n gives 128+n, as shells report it)",
					tc.name, m.ExitCode, m.Signal, tc.wantCode, tc.wantSig)
			}
			if m.MaxRSS <= 0 || m.Wall <= 0 {
				t.Errorf("Measure(%s) = MaxRSS %d, Wall %v; want both measured, whatever the exit", tc.name, m.MaxRSS, m.Wall)
			}
		})
	}
}

func TestMeasureStdio(t *testing.T) {
	t.Parallel()
	m, err := measure(t, 20*time.Second, "stdio")
	if err != nil || m.ExitCode != 0 {
		var not []string
		for i, name := range []string{"stdin", "stdout", "stderr"} {
			if m.ExitCode&(1<<i) != 0 {
				not = append(not, name)
			}
		}
		t.Errorf("Measure(a child checking its stdin, stdout and stderr) = ExitCode %d, %v; want 0, nil: %v of the child are not /dev/null; leave cmd.Stdin, cmd.Stdout and cmd.Stderr nil",
			m.ExitCode, err, not)
	}
}

func TestMeasureCancel(t *testing.T) {
	t.Parallel()
	m, err := measure(t, 300*time.Millisecond, "hang")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Measure(hang) = %v; want an error wrapping context.DeadlineExceeded", err)
	}
	// The deadline started before the child did, so Wall may fall a little short of 300ms.
	if m.Signal != syscall.SIGKILL || m.ExitCode != 128+int(syscall.SIGKILL) || m.Wall < 100*time.Millisecond {
		t.Errorf("Measure(hang) = %+v; want the metrics of the killed child: Signal SIGKILL, ExitCode 137, Wall about 300ms", m)
	}
}

func TestMeasureNotFound(t *testing.T) {
	t.Parallel()
	m, err := Measure(context.Background(), "procdojo-no-such-program")
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Measure(procdojo-no-such-program) = %v; want an error wrapping exec.ErrNotFound", err)
	}
	if m != (Metrics{}) {
		t.Errorf("Measure(procdojo-no-such-program) = %+v; want zero Metrics", m)
	}
}
