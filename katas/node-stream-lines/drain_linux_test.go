package linestream

import (
	"syscall"
	"unsafe"
)

// unreadStdout reports whether this process's stdout holds data that its reader has not read
// yet. Node's spawn makes stdout a Unix socket: SIOCOUTQ (TIOCOUTQ) counts what the peer has
// not consumed. For a pipe, FIONREAD (TIOCINQ) works on either end.
func unreadStdout() (bool, bool) {
	var st syscall.Stat_t
	if syscall.Fstat(1, &st) != nil {
		return false, false
	}
	var req uintptr
	switch st.Mode & syscall.S_IFMT {
	case syscall.S_IFSOCK:
		req = syscall.TIOCOUTQ
	case syscall.S_IFIFO:
		req = syscall.TIOCINQ
	default:
		return false, false
	}
	var n int32
	if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, 1, req, uintptr(unsafe.Pointer(&n))); errno != 0 {
		return false, false
	}
	return n > 0, true
}
