//go:build unix

package progress

import (
	"io/fs"
	"os"
	"syscall"
)

// openFlags are added to every open of the log: never follow a symbolic link in its place,
// and never wait on a named pipe.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// ownersApply reports whether file owners and permission bits mean anything here.
const ownersApply = true

// owner returns the user id that owns a file.
func owner(st fs.FileInfo) (int, bool) {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid), true
	}
	return 0, false
}

// private sets f's mode to 0600 unless it already is.
func private(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Mode().Perm() == 0o600 {
		return nil
	}
	return f.Chmod(0o600)
}
