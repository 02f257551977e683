//go:build unix && !linux

package kata

import (
	"errors"
	"runtime"
	"syscall"
)

// becomeSubreaper fails: only Linux has child subreapers. Processes of a check that leave
// the test binary's process group (setsid, setpgid) then escape the check on this OS.
func becomeSubreaper() error {
	return errors.New("child subreapers exist only on Linux, not on " + runtime.GOOS)
}

func reaperAttr() *syscall.SysProcAttr     { return &syscall.SysProcAttr{Setpgid: true} }
func buildAttr() *syscall.SysProcAttr      { return &syscall.SysProcAttr{Setpgid: true} }
func testBinaryAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// killTree kills the process group pgid: without a subreaper, that is all the reaper can
// reach. It returns 1 when the group still had processes.
func killTree(pgid int) int {
	if syscall.Kill(-pgid, syscall.SIGKILL) == nil {
		return 1
	}
	return 0
}
