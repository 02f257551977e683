package safeexec

import (
	"os"
	"syscall"
	"testing"
)

func init() {
	helpers["probe"] = func([]string) int { return 0 }
}

// probeNamespaces reports whether this system lets an unprivileged process start a child
// in new user and network namespaces: it starts one, the "probe" helper, which exits 0.
func probeNamespaces(t *testing.T) error {
	cmd := helperCommand(t, "probe")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: os.Getuid(), HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: os.Getgid(), HostID: os.Getgid(), Size: 1}},
	}
	return cmd.Run()
}
