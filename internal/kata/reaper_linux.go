package kata

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"
)

// prSetChildSubreaper is PR_SET_CHILD_SUBREAPER of prctl(2).
const prSetChildSubreaper = 36

// becomeSubreaper makes the calling process a child subreaper: orphans in its subtree are
// reparented to it rather than to init.
func becomeSubreaper() error {
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, prSetChildSubreaper, 1, 0); e != 0 {
		return e
	}
	return nil
}

// reaperAttr is how procdojo starts a reaper: in a process group of its own (Ctrl-C at the
// terminal reaches procdojo, which tells the reaper), and told with SIGTERM if procdojo dies.
func reaperAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// buildAttr is how the build's go command starts: in a process group of its own, killed
// if procdojo dies.
func buildAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// testBinaryAttr is how the reaper starts the test binary: in a process group of its own,
// killed if the reaper dies.
func testBinaryAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// killTree kills the process group pgid and every living process below the calling
// process (a subreaper, so its whole subtree hangs below it), until none is left or 10
// seconds have passed. It returns how many processes it found alive; the caller reaps them.
func killTree(pgid int) int {
	killed := map[int]bool{}
	for _, pid := range liveDescendants(os.Getpid()) {
		killed[pid] = true
	}
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		live := liveDescendants(os.Getpid())
		if len(live) == 0 {
			break
		}
		for _, pid := range live {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			killed[pid] = true
		}
		time.Sleep(2 * time.Millisecond) // let the kernel finish the kills before looking again
	}
	return len(killed)
}

// liveDescendants returns the processes below root, zombies left out, from /proc.
func liveDescendants(root int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	zombie := map[int]bool{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces and parentheses.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		fields := bytes.Fields(stat[i+1:])
		if len(fields) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(string(fields[1]))
		children[ppid] = append(children[ppid], pid)
		zombie[pid] = string(fields[0]) == "Z"
	}
	var live []int
	queue := []int{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			if !zombie[c] {
				live = append(live, c)
			}
			queue = append(queue, c)
		}
	}
	return live
}
