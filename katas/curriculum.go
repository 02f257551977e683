package katas

// Curriculum is the teaching order of the katas within each level: the catalogue lists them,
// and "next" suggests them, in this order. Each level starts with the kata whose skill the
// others build on. A kata missing here sorts after the listed ones, by id, and the
// TestCurriculumListsEveryKata test fails until it is added.
var Curriculum = []string{
	// junior: run a program, then run it safely, then follow its output.
	"run-capture", "no-shell", "stream-lines", "env-cwd", "interpreter", "log-analysis",
	"progress-parse", "retry-backoff",
	// mid: stop what you start, bound what it produces, then compose processes.
	"timeout-tree", "capped-output", "pipeline", "interactive", "large-file", "env-checks",
	"batch-files", "parallel-map", "pass-fds", "metrics",
	// senior: long-lived workers, then supervision, then whole systems.
	"worker-pool", "load-balancer", "supervisor", "graceful-shutdown", "job-queue",
	"autoscale", "rlimits", "daemon", "safe-executor", "file-converter", "task-runner",

	// The Node.js track, in the same spirit: junior, mid, then senior.
	"node-run-capture",
	// Node senior: long-lived workers, then shutting them down, then whole systems.
	"node-worker-pool", "node-graceful-shutdown", "node-safe-executor", "node-file-converter",
	"node-task-runner",
}
