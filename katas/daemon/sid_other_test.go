//go:build !linux

package daemon

import "syscall"

// sessionID returns the session id of process pid, 0 meaning this process.
func sessionID(pid int) (int, error) {
	return syscall.Getsid(pid)
}
