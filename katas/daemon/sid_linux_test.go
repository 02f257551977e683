//go:build linux

package daemon

import "syscall"

// sessionID returns the session id of process pid, 0 meaning this process. Linux's syscall
// package has no Getsid, so this makes the system call itself.
func sessionID(pid int) (int, error) {
	sid, _, errno := syscall.RawSyscall(syscall.SYS_GETSID, uintptr(pid), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(sid), nil
}
