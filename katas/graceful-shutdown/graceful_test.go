package graceful

// The jobs are real processes: the test binary started as the "job" helper, which records
// the signals it gets and then either finishes its work and exits or ignores them. The
// signal forwarding test runs a whole manager as a process (the "manager" helper) and sends
// it SIGTERM or SIGINT, as a terminal or a service manager would.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	helpers["job"] = jobHelper
	helpers["sleeper"] = sleeperHelper
	helpers["manager"] = managerHelper
}

// jobHelper performs its arguments, then waits for SIGTERM, SIGINT or SIGUSR1:
//
//	pid=FILE       write its pid to FILE
//	sig=FILE       write the name of the first signal it gets to FILE
//	onsig=finish   on a signal, finish the work in hand (200ms) and exit 0
//	onsig=ignore   on a signal, carry on (only SIGKILL stops it)
//	hold=FILE      on a signal, wait until FILE exists before finishing the work in hand
//	ready=FILE     create FILE, once everything before it is done
//	-- ARGS...     start a child: the test binary with ARGS (the sleeper helper)
func jobHelper(args []string) int {
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	var sigFile, onsig, hold string
	for i, a := range args {
		verb, val, _ := strings.Cut(a, "=")
		var err error
		switch verb {
		case "--":
			exe, _ := os.Executable()
			child := exec.Command(exe, args[i+1:]...)
			if err = child.Start(); err == nil {
				go child.Wait() // reap it as soon as it dies
			}
		case "pid":
			err = writePidFile(val)
		case "sig":
			sigFile = val
		case "onsig":
			onsig = val
		case "hold":
			hold = val
		case "ready":
			err = os.WriteFile(val, nil, 0o644)
		default:
			err = fmt.Errorf("unknown action %q", a)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "job:", err)
			return 2
		}
		if verb == "--" {
			break
		}
	}
	for {
		sig := <-sigs
		if sigFile != "" {
			os.WriteFile(sigFile, []byte(sig.String()), 0o644)
			sigFile = ""
		}
		if onsig == "finish" {
			if hold != "" {
				waitFile(hold, 10*time.Second)
			}
			time.Sleep(200 * time.Millisecond) // the work in hand
			return 0
		}
	}
}

// sleeperHelper writes its pid to the file args[0] and waits to be killed. It ignores
// SIGTERM, SIGINT and SIGUSR1: only SIGKILL, sent to its process group, stops it.
func sleeperHelper(args []string) int {
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
	signal.Ignore(syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	if err := writePidFile(args[0]); err != nil {
		return 2
	}
	select {}
}

// writePidFile writes this process's pid to file atomically (a temporary file renamed into
// place), so a test that sees the file can always read the whole pid.
func writePidFile(file string) error {
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// managerHelper runs a Manager with a 5s grace period and two jobs that finish on a signal
// once DIR/open exists. The jobs write their pids to DIR/job0.pid and DIR/job1.pid and the
// signal they get to DIR/job0.sig and DIR/job1.sig. Once both run, it calls
// ShutdownOnSignal and creates DIR/ready; it exits 0 if the shutdown's result is nil, and 3
// otherwise.
func managerHelper(args []string) int {
	time.AfterFunc(20*time.Second, func() { os.Exit(98) })
	dir := args[0]
	m := &Manager{Grace: 5 * time.Second}
	exe, _ := os.Executable()
	for i := range 2 {
		var ready = filepath.Join(dir, fmt.Sprintf("job%d.ready", i))
		cmd := exec.Command(exe, helperArgs("job",
			fmt.Sprintf("pid=%s/job%d.pid", dir, i),
			fmt.Sprintf("sig=%s/job%d.sig", dir, i),
			"onsig=finish",
			"hold="+filepath.Join(dir, "open"),
			"ready="+ready)...)
		if _, err := m.Start(cmd); err != nil {
			fmt.Fprintln(os.Stderr, "manager: Start:", err)
			return 2
		}
		if !waitFile(ready, 10*time.Second) {
			fmt.Fprintln(os.Stderr, "manager: job not ready")
			return 2
		}
	}
	done := m.ShutdownOnSignal(context.Background())
	// ShutdownOnSignal listens before it returns: the test may send its signal now.
	os.WriteFile(filepath.Join(dir, "ready"), nil, 0o644)
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, "manager: ShutdownOnSignal:", err)
		return 3
	}
	return 0
}

// waitFile waits for file to exist.
func waitFile(file string, limit time.Duration) bool {
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(file); err == nil {
			return true
		}
	}
	return false
}

// readPid reads a pid file, or returns 0.
func readPid(file string) int {
	b, _ := os.ReadFile(file)
	pid, _ := strconv.Atoi(string(b))
	return pid
}

// gone reports whether process pid has ended, waiting up to 5s. A zombie has ended: a
// process whose parent died is reaped by init, which some systems do only every second or
// two.
func gone(pid int) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) || zombie(pid) {
			return true
		}
	}
	return false
}

// zombie reports whether process pid is a zombie, where /proc tells (Linux).
func zombie(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may hold any byte.
	i := strings.LastIndexByte(string(b), ')')
	return i >= 0 && strings.HasPrefix(string(b[i+1:]), " Z")
}

// killLater makes sure the process in pidFile is dead when the test ends, whatever the code
// under test did.
func killLater(t *testing.T, pidFile string) {
	t.Cleanup(func() {
		if pid := readPid(pidFile); pid > 0 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
}

// startJob starts a job helper through m with actions, waits until it is ready (it has
// performed its actions up to "--"), and returns it with the files it writes to.
func startJob(t *testing.T, m *Manager, actions ...string) (j *Job, pidFile, sigFile string) {
	t.Helper()
	dir := t.TempDir()
	pidFile, sigFile = filepath.Join(dir, "pid"), filepath.Join(dir, "sig")
	ready := filepath.Join(dir, "ready")
	killLater(t, pidFile)
	args := append([]string{"pid=" + pidFile, "sig=" + sigFile, "ready=" + ready}, actions...)
	j, err := m.Start(helperCommand(t, "job", args...))
	if err != nil {
		t.Fatalf("Start(job) = %v; want nil", err)
	}
	if !waitFile(ready, 10*time.Second) {
		t.Fatalf("the job did not get ready within 10s")
	}
	return j, pidFile, sigFile
}

// shutdownWithin calls m.Shutdown(ctx) and fails the test if it has not returned after limit.
func shutdownWithin(t *testing.T, m *Manager, ctx context.Context, limit time.Duration, why string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- m.Shutdown(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(limit):
		t.Fatalf("Shutdown did not return within %v; want it to return %s", limit, why)
		return nil
	}
}

// signalOf returns the signal that ended a job, or 0 if it exited.
func signalOf(err error) syscall.Signal {
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return ws.Signal()
		}
	}
	return 0
}

func TestShutdownLetsJobsFinish(t *testing.T) {
	t.Parallel()
	m := &Manager{Grace: 10 * time.Second}
	var jobs []*Job
	var sigFiles []string
	for range 2 {
		j, _, sigFile := startJob(t, m, "onsig=finish")
		jobs, sigFiles = append(jobs, j), append(sigFiles, sigFile)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	begin := time.Now()
	err := shutdownWithin(t, m, ctx, 8*time.Second, "as soon as both jobs finish (200ms after SIGTERM)")
	elapsed := time.Since(begin)
	if err != nil {
		t.Errorf("Shutdown = %v; want nil: both jobs exited on their own, well within the %v grace", err, m.Grace)
	}
	if elapsed > 5*time.Second {
		t.Errorf("Shutdown took %v; want it to return as soon as the jobs exit, not at the end of the grace", elapsed)
	}
	for i, j := range jobs {
		if err := j.Wait(); err != nil {
			t.Errorf("job %d: Wait() = %v; want nil: on SIGTERM it finishes its work and exits 0, unless it is killed first", i, err)
		}
		if b, _ := os.ReadFile(sigFiles[i]); string(b) != syscall.SIGTERM.String() {
			t.Errorf("job %d received %q; want %q: Shutdown asks the jobs to finish with SIGTERM before anything harsher", i, b, syscall.SIGTERM.String())
		}
	}
}

func TestShutdownKillsAfterGrace(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		grace   time.Duration
		ctx     time.Duration
		wantErr error
		errName string
		why     string
	}{
		{
			name:    "grace period ends",
			grace:   300 * time.Millisecond,
			ctx:     10 * time.Second,
			wantErr: ErrKilled,
			errName: "ErrKilled",
			why:     "soon after the 300ms grace, with SIGKILL for the job that ignores SIGTERM",
		},
		{
			name:    "ctx ends before the grace period",
			grace:   time.Minute,
			ctx:     300 * time.Millisecond,
			wantErr: context.DeadlineExceeded,
			errName: "context.DeadlineExceeded",
			why:     "soon after ctx ends, having killed the job",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := &Manager{Grace: tt.grace}
			stubborn, pidFile, sigFile := startJob(t, m, "onsig=ignore")
			childFile := filepath.Join(t.TempDir(), "child")
			killLater(t, childFile)
			startJob(t, m, append([]string{"onsig=ignore", "--"}, helperArgs("sleeper", childFile)...)...)
			if !waitFile(childFile, 10*time.Second) {
				t.Fatal("the job's child did not start within 10s")
			}
			begin := time.Now()
			ctx, cancel := context.WithTimeout(context.Background(), tt.ctx)
			defer cancel()
			err := shutdownWithin(t, m, ctx, 5*time.Second, tt.why)
			elapsed := time.Since(begin)
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("Shutdown with Grace %v and a ctx of %v = %v; want an error wrapping %s", tt.grace, tt.ctx, err, tt.errName)
			}
			if limit := min(tt.grace, tt.ctx); elapsed < limit {
				t.Errorf("Shutdown returned after %v; want it to give the jobs %v before it kills them", elapsed, limit)
			}
			if b, _ := os.ReadFile(sigFile); string(b) != syscall.SIGTERM.String() {
				t.Errorf("the job received %q; want %q first: SIGTERM, then SIGKILL", b, syscall.SIGTERM.String())
			}
			if sig := signalOf(stubborn.Wait()); sig != syscall.SIGKILL {
				t.Errorf("the job that ignores SIGTERM ended with Wait() = %v; want it killed by SIGKILL", stubborn.Wait())
			}
			if pid := readPid(pidFile); !gone(pid) {
				t.Errorf("the job that ignores SIGTERM (pid %d) still runs after Shutdown returned", pid)
			}
			if pid := readPid(childFile); !gone(pid) {
				t.Errorf("the child of a job (pid %d) still runs after Shutdown returned; want it signalled too: run each job in its own process group and signal the group (a negative pid)", pid)
			}
		})
	}
}

func TestStartAfterShutdown(t *testing.T) {
	t.Parallel()
	m := &Manager{Grace: 10 * time.Second}
	j, _, sigFile := startJob(t, m, "onsig=finish")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Shutdown(ctx) }()

	// Once the job has its signal (or has died), the shutdown has begun: new work is
	// refused.
	jobDone := make(chan struct{})
	go func() {
		j.Wait()
		close(jobDone)
	}()
	for deadline := time.Now().Add(5 * time.Second); !waitFile(sigFile, 10*time.Millisecond); {
		select {
		case <-jobDone:
		default:
			if time.Now().After(deadline) {
				t.Fatal("the job neither got a signal nor ended within 5s of Shutdown")
			}
			continue
		}
		break
	}
	for _, when := range []string{"during", "after"} {
		if when == "after" {
			select {
			case <-done:
			case <-time.After(8 * time.Second):
				t.Fatal("Shutdown did not return within 8s")
			}
		}
		cmd := helperCommand(t, "job")
		late, err := m.Start(cmd)
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Start %s Shutdown = %v, %v; want nil, ErrClosed: a manager that is shutting down takes no new work", when, late, err)
		}
		if cmd.Process != nil {
			cmd.Process.Kill()
			cmd.Wait()
			t.Errorf("Start %s Shutdown started the command; want it refused without being started", when)
		}
	}
	if err := j.Wait(); err != nil {
		t.Errorf("the running job: Wait() = %v; want nil", err)
	}
}

func TestSignalForwarding(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for i := range 2 {
				killLater(t, filepath.Join(dir, fmt.Sprintf("job%d.pid", i)))
			}
			cmd := helperCommand(t, "manager", dir)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var waitErr error
			exited := make(chan struct{})
			go func() {
				waitErr = cmd.Wait()
				close(exited)
			}()
			t.Cleanup(func() {
				cmd.Process.Kill()
				<-exited
			})
			for deadline := time.Now().Add(10 * time.Second); !waitFile(filepath.Join(dir, "ready"), 10*time.Millisecond); {
				select {
				case <-exited:
					t.Fatalf("the manager process ended with %v before it was ready; its stderr: %q", waitErr, stderr.String())
				default:
				}
				if time.Now().After(deadline) {
					t.Fatalf("the manager process did not start its jobs within 10s; its stderr: %q", stderr.String())
				}
			}

			// Send the signal to the manager alone, as `kill PID` would. Once the jobs have it,
			// send it again, as an impatient user would: the jobs are still finishing (they
			// wait for DIR/open), and the manager must not die of it.
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			sigFiles := []string{filepath.Join(dir, "job0.sig"), filepath.Join(dir, "job1.sig")}
			forwarded := func() bool {
				_, err0 := os.Stat(sigFiles[0])
				_, err1 := os.Stat(sigFiles[1])
				return err0 == nil && err1 == nil
			}
			twice := false
		forwarding:
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
				select {
				case <-exited:
					break forwarding
				default:
				}
				if forwarded() {
					if err := cmd.Process.Signal(sig); err != nil {
						t.Fatal(err)
					}
					twice = true
					break
				}
			}
			os.WriteFile(filepath.Join(dir, "open"), nil, 0o644)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				t.Fatalf("the manager process did not exit within 10s of %v; want it to forward the signal to its jobs, wait for them and exit", sig)
			}
			err := waitErr
			if signalOf(err) == sig && twice {
				t.Errorf("the manager process died of %v, sent a second time while its jobs were finishing; want ShutdownOnSignal to catch every signal until the shutdown is done (keep signal.Notify on until then), so that a second Ctrl-C cannot leave the jobs behind", sig)
			} else if signalOf(err) == sig {
				t.Errorf("the manager process died of %v; want ShutdownOnSignal to catch it (signal.Notify) and shut down gracefully", sig)
			} else if err != nil {
				t.Errorf("the manager process ended with %v; want exit status 0 (ShutdownOnSignal returned nil); its stderr: %q", err, stderr.String())
			}
			for i := range 2 {
				got, _ := os.ReadFile(filepath.Join(dir, fmt.Sprintf("job%d.sig", i)))
				if string(got) != sig.String() {
					t.Errorf("job %d received %q; want %q: forward the signal the manager got to every job", i, got, sig.String())
				}
				if pid := readPid(filepath.Join(dir, fmt.Sprintf("job%d.pid", i))); !gone(pid) {
					t.Errorf("job %d (pid %d) still runs after the manager exited", i, pid)
				}
			}
		})
	}
}

// TestShutdownOnSignalContext runs ShutdownOnSignal in the test process itself, listening for
// SIGUSR1, which no other test sends. The test listens for SIGUSR1 too, for good, so that the
// signal cannot kill the test process whatever ShutdownOnSignal does.
func TestShutdownOnSignalContext(t *testing.T) {
	t.Parallel()
	signal.Notify(make(chan os.Signal, 1), syscall.SIGUSR1)

	// The subtests run one after the other: a ShutdownOnSignal that still listened after the
	// first would take the second's signal.
	t.Run("ctx ends before a signal", func(t *testing.T) {
		m := &Manager{Grace: 10 * time.Second}
		j, pidFile, sigFile := startJob(t, m, "onsig=finish")
		ctx, cancel := context.WithCancel(context.Background())
		result := m.ShutdownOnSignal(ctx, syscall.SIGUSR1)
		cancel()
		select {
		case err := <-result:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("ShutdownOnSignal(ctx, SIGUSR1), ctx cancelled before any signal: the channel received %v; want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("ShutdownOnSignal(ctx, SIGUSR1), ctx cancelled before any signal: the channel received nothing within 5s; want ctx.Err() as soon as ctx ends")
		}
		if b, err := os.ReadFile(sigFile); err == nil {
			t.Errorf("the job received %q, although no signal came before ctx ended; want nothing shut down", b)
		}
		if pid := readPid(pidFile); syscall.Kill(pid, 0) != nil {
			t.Errorf("the job (pid %d) has ended, although no signal came before ctx ended; want nothing shut down", pid)
		}
		cmd := helperCommand(t, "job", "onsig=finish")
		late, err := m.Start(cmd)
		if err != nil {
			t.Errorf("Start after ShutdownOnSignal's ctx ended, with no signal = %v, %v; want a job: nothing was shut down", late, err)
		}
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := shutdownWithin(t, m, ctx, 8*time.Second, "as soon as the jobs finish"); err != nil {
			t.Errorf("Shutdown = %v; want nil", err)
		}
		if err := j.Wait(); err != nil {
			t.Errorf("the job: Wait() = %v; want nil", err)
		}
		if late != nil {
			late.Wait()
		}
	})

	t.Run("ctx ends during the shutdown a signal started", func(t *testing.T) {
		m := &Manager{Grace: time.Minute}
		childFile := filepath.Join(t.TempDir(), "child")
		killLater(t, childFile)
		stubborn, _, sigFile := startJob(t, m, append([]string{"onsig=ignore", "--"}, helperArgs("sleeper", childFile)...)...)
		if !waitFile(childFile, 10*time.Second) {
			t.Fatal("the job's child did not start within 10s")
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		result := m.ShutdownOnSignal(ctx, syscall.SIGUSR1)
		if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		if !waitFile(sigFile, 5*time.Second) {
			t.Fatal("the job received no signal within 5s of the SIGUSR1 that ShutdownOnSignal(ctx, SIGUSR1) listens for; want it forwarded to every job's process group")
		}
		if b, _ := os.ReadFile(sigFile); string(b) != syscall.SIGUSR1.String() {
			t.Errorf("the job received %q; want %q, the signal ShutdownOnSignal caught", b, syscall.SIGUSR1.String())
		}
		// The job ignores it, and the grace period is a minute: only ctx can end this now.
		cancel()
		select {
		case err := <-result:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("ShutdownOnSignal(ctx, SIGUSR1), ctx cancelled during the shutdown: the channel received %v; want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("ShutdownOnSignal(ctx, SIGUSR1), ctx cancelled during the shutdown that SIGUSR1 started (grace 1m): the channel received nothing within 5s; want ctx to bound the shutdown, as it bounds Shutdown's: kill the jobs left at once and send ctx.Err()")
		}
		if sig := signalOf(stubborn.Wait()); sig != syscall.SIGKILL {
			t.Errorf("the job that ignores its signal ended with Wait() = %v; want it killed by SIGKILL when ctx ended", stubborn.Wait())
		}
		if pid := readPid(childFile); !gone(pid) {
			t.Errorf("the child of a job (pid %d) still runs after the shutdown ended; want the job's whole process group killed", pid)
		}
	})
}
