//go:build unix

package kata

// The reaper. A check runs the kata's test binary under a small supervisor, the reaper,
// which is procdojo's own executable started again with reaperEnv set. The reaper:
//
//   - becomes a child subreaper (Linux: prctl PR_SET_CHILD_SUBREAPER), so that every process
//     of the check that is orphaned (a double fork, a setsid daemon) is reparented to it
//     rather than to init, and reaps them as they die;
//   - starts the test binary in a process group of its own, with /dev/null as stdin and
//     procdojo's output pipe as both stdout and stderr (so that a panic shows in the test
//     that panicked, as with go test), and waits for it;
//   - after the test binary ends, or on SIGTERM/SIGINT/SIGHUP (procdojo's deadline or
//     Ctrl-C), kills every process left in its subtree and reaps them, so that nothing the
//     user's code started survives the check;
//   - reports on descriptor 3: "pid N" once started, then "exit N" or "signal N" for the
//     test binary, and "leftover N", the processes it killed after the test binary ended;
//   - removes the check's scratch folder (reaperScratchEnv), so that it goes away even when
//     procdojo itself was killed (the reaper then gets SIGTERM through Pdeathsig).
//
// Each check has a reaper of its own, so checks that run at once (kata check --all, verify)
// never touch each other's processes, and procdojo itself never has to wait for processes it
// did not start. On macOS, which has no subreaper, the reaper kills the test binary's process
// group only.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// reaperEnv, set to "1" in the environment of procdojo's own executable, makes it run as a
// check's reaper instead of as procdojo; its arguments are the test binary and its
// arguments.
const reaperEnv = "PROCDOJO_REAPER"

// reaperScratchEnv names the folder the reaper removes when it is done.
const reaperScratchEnv = "PROCDOJO_REAPER_SCRATCH"

func init() {
	// Every binary that links the checker can serve as a reaper: procdojo, and the test
	// binaries of the packages that run checks.
	if os.Getenv(reaperEnv) == "1" && len(os.Args) > 1 {
		os.Exit(reaperMain(os.Args[1:]))
	}
}

// reaperMain is the reaper's main function; argv is the test binary and its arguments.
func reaperMain(argv []string) int {
	os.Unsetenv(reaperEnv)
	scratch := os.Getenv(reaperScratchEnv)
	os.Unsetenv(reaperScratchEnv)
	report := os.NewFile(3, "report")
	say := func(format string, a ...any) { fmt.Fprintf(report, format+"\n", a...) }
	if err := becomeSubreaper(); err != nil {
		say("note cannot become a subreaper: %v", err)
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)

	devnull, err := os.Open(os.DevNull)
	if err != nil {
		say("error %v", err)
		return 1
	}
	p, err := os.StartProcess(argv[0], argv, &os.ProcAttr{
		Env:   os.Environ(),
		Files: []*os.File{devnull, os.Stdout, os.Stdout}, // one pipe, as -test.v=test2json expects
		Sys:   testBinaryAttr(),
	})
	devnull.Close()
	if err != nil {
		say("error %v", err)
		return 1
	}
	pid := p.Pid
	say("pid %d", pid)

	// The reaper is the only one to wait for its children: every one of them, the test
	// binary included, is reaped here with wait4(-1), in the order they die.
	status := make(chan syscall.WaitStatus, 1)
	noChildren := make(chan struct{})
	go func() {
		defer close(noChildren)
		for {
			var ws syscall.WaitStatus
			wpid, err := syscall.Wait4(-1, &ws, 0, nil)
			if errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil { // ECHILD: no child left
				return
			}
			if wpid == pid {
				status <- ws
			}
		}
	}()

	var ws syscall.WaitStatus
	select {
	case ws = <-status:
	case <-sigs:
		killTree(pid)
		ws = <-status
	}
	p.Release()
	if ws.Signaled() {
		say("signal %d", int(ws.Signal()))
	} else {
		say("exit %d", ws.ExitStatus())
	}
	say("leftover %d", killTree(pid))
	select {
	case <-noChildren:
	case <-time.After(5 * time.Second):
		say("note some processes could not be reaped")
	}
	if scratch != "" {
		removeAll(scratch)
	}
	return 0
}

// procExit is how a process ended, as a shell reports it.
type procExit struct {
	Desc string // "exit status 1", "killed by signal 9 (killed)"
	Code int    // the exit code, or 128+signal
}

func exitOf(code, sig int) procExit {
	if sig > 0 {
		s := syscall.Signal(sig)
		return procExit{Desc: fmt.Sprintf("killed by signal %d (%s)", sig, s), Code: 128 + sig}
	}
	return procExit{Desc: fmt.Sprintf("exit status %d", code), Code: code}
}

// reaped is what a reaper reported.
type reaped struct {
	exit      *procExit // nil when the test binary never ran or the reaper died first
	pid       int
	leftovers int
	errText   string
	notes     []string
}

// runReaped runs bin with args in dir, under a reaper, until it ends or ctx ends (then the
// reaper kills the whole subtree). Its stdout is read by readOut as a stream; stderr goes to
// errOut. The reaper removes the folder scratch (when not "") once everything is dead. It
// never uses a shell.
func runReaped(ctx context.Context, bin string, args []string, dir string, env []string, scratch string,
	readOut func(io.Reader) error, errOut io.Writer) (reaped, error) {
	var rep reaped
	self, err := selfExecutable()
	if err != nil {
		return rep, fmt.Errorf("kata: finding procdojo's own executable for the reaper: %w", err)
	}
	reportR, reportW, err := os.Pipe()
	if err != nil {
		return rep, fmt.Errorf("kata: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, append([]string{bin}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(env, reaperEnv+"=1", reaperScratchEnv+"="+scratch)
	cmd.SysProcAttr = reaperAttr()
	cmd.ExtraFiles = []*os.File{reportW}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 5 * time.Second

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(reportR)
		for sc.Scan() {
			verb, arg, _ := strings.Cut(sc.Text(), " ")
			n, _ := strconv.Atoi(arg)
			switch verb {
			case "pid":
				rep.pid = n
			case "exit":
				e := exitOf(n, 0)
				rep.exit = &e
			case "signal":
				e := exitOf(0, n)
				rep.exit = &e
			case "leftover":
				rep.leftovers = n
			case "error":
				rep.errText = arg
			case "note":
				rep.notes = append(rep.notes, arg)
			}
		}
		_, _ = io.Copy(io.Discard, reportR)
	}()

	// Pdeathsig is tied to the thread that started the reaper: keep this goroutine on it
	// until the reaper has ended (go.dev/issue/27505).
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	_, runErr := runPiped(cmd, readOut, errOut, func() {
		reportW.Close()
		if rep.pid > 0 { // the reaper died before it finished: kill what it started
			_ = killGroup(rep.pid)
		}
	})
	reportW.Close()
	wg.Wait()
	reportR.Close()
	if runErr != nil {
		return rep, runErr
	}
	if rep.errText != "" {
		return rep, fmt.Errorf("kata: starting the test binary: %s", rep.errText)
	}
	return rep, nil
}

// selfExecutable is the path that starts procdojo again.
func selfExecutable() (string, error) {
	if runtime.GOOS == "linux" {
		return "/proc/self/exe", nil // works even when the file was replaced or removed
	}
	return os.Executable()
}

// runPiped starts cmd with stdout and stderr on pipes of its own, hands stdout to readOut
// and copies stderr to errOut, waits for cmd, calls afterWait, then waits (a bounded time)
// for the pipes to drain. os/exec's own copying goroutines are not used: Wait then returns as
// soon as cmd exits, and a leftover process holding a pipe cannot hold up the caller.
func runPiped(cmd *exec.Cmd, readOut func(io.Reader) error, errOut io.Writer, afterWait func()) (*os.ProcessState, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("kata: %w", err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, fmt.Errorf("kata: %w", err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	startErr := cmd.Start()
	outW.Close()
	errW.Close()
	if startErr != nil {
		outR.Close()
		errR.Close()
		afterWait()
		return nil, fmt.Errorf("kata: starting %s: %w", cmd.Path, startErr)
	}

	var wg sync.WaitGroup
	var readErr error
	wg.Add(2)
	go func() {
		defer wg.Done()
		readErr = readOut(outR)
		_, _ = io.Copy(io.Discard, outR) // keep draining if the reader stopped early
	}()
	go func() {
		defer wg.Done()
		_, _ = io.Copy(errOut, errR)
	}()

	waitErr := cmd.Wait()
	afterWait()

	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(waitDelay):
		// A process that escaped still holds a pipe: stop reading.
		outR.Close()
		errR.Close()
		<-drained
	}
	outR.Close()
	errR.Close()

	var exitErr *exec.ExitError
	if waitErr != nil && !errors.As(waitErr, &exitErr) && !errors.Is(waitErr, exec.ErrWaitDelay) && cmd.ProcessState == nil {
		return cmd.ProcessState, fmt.Errorf("kata: %w", waitErr)
	}
	if readErr != nil && !errors.Is(readErr, os.ErrClosed) {
		return cmd.ProcessState, fmt.Errorf("kata: reading the output of %s: %w", cmd.Path, readErr)
	}
	return cmd.ProcessState, nil
}
