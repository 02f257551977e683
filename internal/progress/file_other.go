//go:build !unix

package progress

import (
	"io/fs"
	"os"
)

const openFlags = 0

// ownersApply is false where Unix owners and permission bits do not exist.
const ownersApply = false

func owner(fs.FileInfo) (int, bool) { return 0, false }

func private(*os.File) error { return nil }
