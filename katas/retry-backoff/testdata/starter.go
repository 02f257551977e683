// Package retry runs a command again, with exponential backoff and jitter, when it fails
// in a way that may go away by itself.
package retry

import (
	"context"
	"errors"
	"time"
)

// ExitTempFail is the status that says "temporary failure, try again later" (EX_TEMPFAIL
// in sysexits.h; sendmail, fetchmail and many daemons use it).
const ExitTempFail = 75

// Policy says when and how often Run tries again. The zero Policy runs the command once.
type Policy struct {
	// MaxAttempts is the number of attempts in all, the first one included. Values below
	// 1 mean 1.
	MaxAttempts int

	// BaseDelay is the delay after the first failure; it doubles after each further one,
	// up to MaxDelay (no cap if MaxDelay is 0). The delay actually waited is drawn at
	// random from [d/2, d], so that many clients failing together do not retry together.
	BaseDelay time.Duration
	MaxDelay  time.Duration

	// Retryable reports whether a failed attempt's error is worth retrying. Nil means
	// Transient.
	Retryable func(err error) bool

	// Sleep waits for d, or returns ctx's error as soon as ctx is done. Nil means a real
	// timer; tests pass a fake to run without waiting.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Transient reports whether err is an exit with status ExitTempFail. Everything else (a
// program that is not found, exit status 1, a crash) is taken as permanent.
func Transient(err error) bool {
	// TODO: is err an *exec.ExitError with status ExitTempFail?
	return false
}

// Run runs name with args until an attempt succeeds, fails permanently, or p.MaxAttempts
// attempts have failed, waiting between attempts as p says; each attempt is a new
// process. It returns the number of attempts made (1 if the program could not be
// started) and nil or the last attempt's error, wrapped. If ctx is done, during an
// attempt or while Run waits between attempts, Run stops at once with an error wrapping
// ctx.Err().
func Run(ctx context.Context, p Policy, name string, args ...string) (attempts int, err error) {
	// TODO: loop: run a new exec.Cmd, stop on success, on a permanent error or after the
	// last attempt, otherwise sleep (ctx-aware) for a jittered, doubling, capped delay.
	return 0, errors.New("not implemented")
}
