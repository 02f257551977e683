//go:build !unix

package progress

import "os"

// lock is a no-op where flock(2) is missing: each record is still one O_APPEND write.
func lock(*os.File) error { return nil }

func unlock(*os.File) {}
