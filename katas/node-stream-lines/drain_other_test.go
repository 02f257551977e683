//go:build !linux

package linestream

// unreadStdout cannot tell elsewhere; the helper then pauses instead.
func unreadStdout() (unread, known bool) { return false, false }
