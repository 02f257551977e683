// Broken: classifies each failure before looking at ctx, so an attempt killed because ctx ended is reported as a permanent failure ("signal: killed"), not as ctx's error.
// Package retry runs a command again, with exponential backoff and jitter, when it fails
// in a way that may go away by itself.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
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
	var exitErr *exec.ExitError
	return errors.As(err, &exitErr) && exitErr.ExitCode() == ExitTempFail
}

// Run runs name with args until an attempt succeeds, fails permanently, or p.MaxAttempts
// attempts have failed, waiting between attempts as p says; each attempt is a new
// process. It returns the number of attempts made (1 if the program could not be
// started) and nil or the last attempt's error, wrapped. If ctx is done, during an
// attempt or while Run waits between attempts, Run stops at once with an error wrapping
// ctx.Err().
func Run(ctx context.Context, p Policy, name string, args ...string) (attempts int, err error) {
	retryable := p.Retryable
	if retryable == nil {
		retryable = Transient
	}
	sleep := p.Sleep
	if sleep == nil {
		sleep = sleepContext
	}
	maxAttempts := max(p.MaxAttempts, 1)

	for attempts = 1; ; attempts++ {
		// A fresh Cmd for every attempt: an exec.Cmd runs once, a second Start fails
		// with "exec: already started".
		err = exec.CommandContext(ctx, name, args...).Run()
		switch {
		case err == nil:
			return attempts, nil
		case !retryable(err):
			return attempts, fmt.Errorf("retry: %q failed permanently: %w", name, err)
		case attempts == maxAttempts:
			// No sleep after the last attempt: nobody would use it.
			return attempts, fmt.Errorf("retry: %q: giving up after %d attempts: %w", name, attempts, err)
		}
		if sleepErr := sleep(ctx, jitter(backoff(p, attempts))); sleepErr != nil {
			return attempts, fmt.Errorf("retry: %q: stopped after %d attempts (last: %v): %w",
				name, attempts, err, sleepErr)
		}
	}
}

// backoff returns the delay after failure number n (from 1), before jitter: BaseDelay
// doubled n-1 times, capped at MaxDelay.
func backoff(p Policy, n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d > 0; i++ {
		if p.MaxDelay > 0 && d >= p.MaxDelay || d > time.Duration(1<<62) {
			break // capped, or about to overflow
		}
		d *= 2
	}
	if p.MaxDelay > 0 {
		d = min(d, p.MaxDelay)
	}
	return d
}

// jitter returns a random duration in [d/2, d].
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleepContext waits for d unless ctx is done first. Unlike time.Sleep, it can be
// interrupted.
func sleepContext(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
