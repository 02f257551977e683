// Package metrics runs a command and reports what it cost: time, CPU, memory, and how it
// ended.
package metrics

import (
	"context"
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
	"time"
)

// Metrics describes one finished run of a command.
type Metrics struct {
	Wall     time.Duration  // real time from just before Start to the end of Wait
	User     time.Duration  // CPU time the child spent in user mode
	System   time.Duration  // CPU time the kernel spent on the child's behalf
	MaxRSS   int64          // the child's peak resident set size, in bytes
	ExitCode int            // the exit status, or 128+n if signal n killed the child, as shells report it
	Signal   syscall.Signal // the signal that killed the child; 0 if it exited
}

// Measure runs the program name with args to completion, with stdin, stdout and stderr on
// /dev/null, and returns what it cost. A child that exits with a non-zero status or dies of
// a signal is not an error: the Metrics say so. The error is for a program that cannot
// start, and then the Metrics are zero, or for ctx ending first: the child is killed, the
// error wraps ctx's error, and the Metrics describe the killed child.
//
// CPU times and MaxRSS come from the rusage that wait4 returns with the child's status;
// they include the descendants the child waited for. Its ru_maxrss is in KiB on Linux but
// in bytes on macOS; MaxRSS is in bytes on both. On Linux it may also be as large as the
// parent's own peak: os/exec starts children with vfork, and the kernel counts the memory
// the child shared with its parent until exec.
func Measure(ctx context.Context, name string, args ...string) (Metrics, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Metrics{}, fmt.Errorf("metrics: starting %q: %w", name, err)
	}
	waitErr := cmd.Wait()
	m := Metrics{Wall: time.Since(start)}

	// Wait's error says little we want: an *exec.ExitError for a status other than 0, which
	// is not our failure. ProcessState has everything, whenever the child was reaped.
	ps := cmd.ProcessState
	if ps == nil {
		return m, fmt.Errorf("metrics: waiting for %q: %w", name, waitErr)
	}
	// CPU time is what the kernel charged to the child, not how long we waited for it: a
	// child that sleeps uses almost none, and one with many threads more than the wall time.
	m.User, m.System = ps.UserTime(), ps.SystemTime()
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		m.MaxRSS = maxRSSBytes(ru)
	}
	// ps.ExitCode() is -1 for a killed child; shells report 128+n, so do we.
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		m.Signal = ws.Signal()
		m.ExitCode = 128 + int(m.Signal)
	} else {
		m.ExitCode = ps.ExitCode()
	}

	if ctx.Err() != nil {
		return m, fmt.Errorf("metrics: %q: %w", name, ctx.Err())
	}
	return m, nil
}

// maxRSSBytes converts ru_maxrss to bytes: getrusage(2) gives it in kilobytes on Linux and
// the BSDs, but in bytes on macOS.
func maxRSSBytes(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss)
	}
	return int64(ru.Maxrss) * 1024
}
