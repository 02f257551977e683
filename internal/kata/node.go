package kata

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// MinNodeMajor is the oldest Node.js major version that Node katas support.
const MinNodeMajor = 18

// NodeEnv names the variable that tells a Node kata's tests which node to run.
const NodeEnv = "PROCDOJO_NODE"

// ErrNoNode is wrapped by FindNode when node is missing or too old.
var ErrNoNode = errors.New("Node.js is needed for this kata")

// FindNode returns the path of node (path, or "node" looked up on PATH when path is ""),
// after checking that it runs and is at least MinNodeMajor. The error wraps ErrNoNode and
// says what to install.
func FindNode(path string) (string, error) {
	if path == "" {
		p, err := exec.LookPath("node")
		if err != nil {
			return "", fmt.Errorf("kata: %w: node was not found on PATH; install Node.js %d or newer (https://nodejs.org/) or solve the Go katas", ErrNoNode, MinNodeMajor)
		}
		path = p
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.WaitDelay = time.Second
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("kata: %w: %s --version failed: %v; install Node.js %d or newer", ErrNoNode, path, err, MinNodeMajor)
	}
	v := strings.TrimSpace(string(out))
	major, _, _ := strings.Cut(strings.TrimPrefix(v, "v"), ".")
	if n, err := strconv.Atoi(major); err != nil || n < MinNodeMajor {
		return "", fmt.Errorf("kata: %w: %s is %s; Node katas need Node.js %d or newer", ErrNoNode, path, v, MinNodeMajor)
	}
	return path, nil
}
