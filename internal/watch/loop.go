package watch

import (
	"context"
)

// Loop runs a job at the start and after every change, one run at a time. Fill its fields,
// then call Run once.
type Loop struct {
	// Changes signals saves, usually a Watcher's C.
	Changes <-chan struct{}
	// Check is the job. It runs on a goroutine of its own, never two at once, and must
	// return soon after its context ends.
	Check func(ctx context.Context)
	// Keys delivers keys the user pressed; nil means none.
	Keys <-chan rune
	// Key handles a key, on Run's goroutine, possibly while Check runs. It returns true to
	// end the loop. Nil ignores keys.
	Key func(r rune) (stop bool)
	// Missed and OnMissed: OnMissed runs on Run's goroutine when Missed fires (a Watcher's
	// Missed, to suggest polling mode). Either may be nil.
	Missed   <-chan struct{}
	OnMissed func()
}

// Run runs Check at once, then again after each change: a change during a run queues
// exactly one more run, started as soon as the running one ends. It returns nil when Key
// ends the loop, or ctx's error when ctx ends; either way it first cancels a running
// Check and waits for it.
func (l *Loop) Run(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	running, queued := false, false
	start := func() {
		running = true
		go func() {
			l.Check(runCtx)
			done <- struct{}{}
		}()
	}
	stop := func(err error) error {
		cancel()
		if running {
			<-done
		}
		return err
	}
	keys := l.Keys
	start()
	for {
		select {
		case <-ctx.Done():
			return stop(ctx.Err())
		case <-l.Changes:
			if running {
				queued = true
			} else {
				start()
			}
		case <-done:
			running = false
			if queued {
				queued = false
				start()
			}
		case r, ok := <-keys:
			if !ok {
				keys = nil
				continue
			}
			if l.Key != nil && l.Key(r) {
				return stop(nil)
			}
		case <-l.Missed:
			if l.OnMissed != nil {
				l.OnMissed()
			}
		}
	}
}
