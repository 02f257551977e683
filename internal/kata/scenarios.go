package kata

// Levels are the kata levels, easiest first; they mean the same as in the question banks.
var Levels = []string{"junior", "mid", "senior"}

// Topics are the topics a kata may list, the same list as the question banks'.
var Topics = []string{
	"spawn", "exec", "execfile", "fork", "ipc", "streams", "signals", "exit-codes",
	"timeouts", "security", "performance", "errors", "pools", "lifecycle", "environment",
	"process-groups", "fds", "resources", "shutdown", "observability",
}

// Scenario is one of the child-process guide's scenarios that a kata may practise.
type Scenario struct {
	Key         string // what kata.toml's scenarios lists
	Group       string // the guide's section: spawn, exec, execFile, fork, advanced, exercises
	Description string // what the scenario asks for, in a few words
}

// Scenarios lists every scenario of the guide, in the guide's order. Every key should have
// at least one kata: Catalog.Uncovered lists those that do not, and verify fails on them.
var Scenarios = []Scenario{
	{"spawn-progress", "spawn", "compression or transcoding progress parsed from stderr"},
	{"spawn-log-monitor", "spawn", "real-time log monitoring"},
	{"spawn-large-file", "spawn", "stream 100 MB through a child with bounded memory"},
	{"spawn-interpreter", "spawn", "run a script in another language's interpreter"},
	{"spawn-interactive", "spawn", "drive a prompting child over stdin and stdout"},
	{"spawn-timeout", "spawn", "a process with a timeout"},
	{"exec-pipeline", "exec", "cmd | cmd | cmd without a shell, pipefail, no leaked fds"},
	{"exec-env-cwd", "exec", "a clean environment, the working directory, PATH lookup pitfalls, ErrDot"},
	{"exec-retry", "exec", "retry with backoff for transient failures"},
	{"exec-log-analysis", "exec", "aggregate a child's output"},
	{"exec-env-checks", "exec", "probe tools and versions in parallel with deadlines"},
	{"execfile-safe", "execFile", "safe execution with validation and allow-lists"},
	{"execfile-batch", "execFile", "batch file processing, bounded concurrency, per-file errors"},
	{"execfile-rlimits", "execFile", "CPU-time and memory rlimits for the child only, via a re-exec trampoline"},
	{"execfile-custom-binary", "execFile", "a custom binary with exit-code semantics"},
	{"issue-maxbuffer", "execFile", "an output cap (the guide's maxBuffer issue)"},
	{"fork-cpu", "fork", "CPU-bound work offloaded to child processes"},
	{"fork-parallel-map", "fork", "a parallel map over processes"},
	{"fork-worker-pool", "fork", "a pool of long-lived worker processes"},
	{"fork-master-worker", "fork", "request/response IPC with ids and crash detection"},
	{"fork-load-balance", "fork", "load balancing across workers, least busy first"},
	{"fork-recovery", "fork", "restart with backoff, give up after N crashes in a window"},
	{"fork-graceful-shutdown", "fork", "drain, SIGTERM, SIGKILL after a grace period, forward signals"},
	{"adv-job-queue", "advanced", "a job queue with priorities, retries and per-job timeouts"},
	{"adv-autoscale", "advanced", "workers between a minimum and a maximum by queue depth"},
	{"adv-progress", "advanced", "progress aggregated across workers"},
	{"adv-metrics", "advanced", "duration, exit codes, CPU time and max RSS from ProcessState"},
	{"adv-daemon", "advanced", "a detached daemon with a pidfile (Setsid), stopped later"},
	{"adv-pass-fds", "advanced", "pass file descriptors to a child (ExtraFiles)"},
	{"ex-file-converter", "exercises", "a file-converter service: queue, progress, errors"},
	{"ex-task-runner", "exercises", "a task runner: prioritisation, failure recovery, metrics"},
	{"ex-safe-executor", "exercises", "a safe code executor: time and memory limits, output cap, no network"},
}

// ScenarioByKey returns the scenario with key, and whether there is one.
func ScenarioByKey(key string) (Scenario, bool) {
	for _, s := range Scenarios {
		if s.Key == key {
			return s, true
		}
	}
	return Scenario{}, false
}

// levelRank orders levels: junior 0, mid 1, senior 2, anything else after them.
func levelRank(level string) int {
	for i, l := range Levels {
		if l == level {
			return i
		}
	}
	return len(Levels)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
