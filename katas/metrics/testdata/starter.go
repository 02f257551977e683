// Package metrics runs a command and reports what it cost: time, CPU, memory, and how it
// ended.
package metrics

import (
	"context"
	"errors"
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
	// TODO: time Start..Wait, then read cmd.ProcessState: UserTime, SystemTime,
	// SysUsage().(*syscall.Rusage).Maxrss, and Sys().(syscall.WaitStatus) for signals.
	return Metrics{}, errors.New("not implemented")
}
