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
	// end the loop. It may call CheckNow and StopWhenIdle. Nil ignores keys.
	Key func(r rune) (stop bool)
	// Missed and OnMissed: OnMissed runs on Run's goroutine when Missed fires (a Watcher's
	// Missed, to suggest polling mode). Either may be nil.
	Missed   <-chan struct{}
	OnMissed func()
	// Lazy leaves out the run at the start: the first run comes with the first change or
	// CheckNow.
	Lazy bool

	// The state of Run, touched only on Run's goroutine.
	running, queued, draining bool
	start                     func()
}

// CheckNow asks for a run, as a change does: at once when none is running, else exactly
// once more after the running one. Call it only from Key.
func (l *Loop) CheckNow() {
	if l.running {
		l.queued = true
	} else {
		l.start()
	}
}

// StopWhenIdle makes Run return nil as soon as no run is going on or queued: at once when
// the loop is idle, else after the running (and queued) runs end. Call it only from Key.
func (l *Loop) StopWhenIdle() { l.draining = true }

// Run runs Check at once (unless Lazy), then again after each change: a change during a run
// queues exactly one more run, started as soon as the running one ends. It returns nil when
// Key ends the loop, or when it is idle after StopWhenIdle, or ctx's error when ctx ends;
// on Key and ctx it first cancels a running Check and waits for it.
func (l *Loop) Run(ctx context.Context) error {
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	l.running, l.queued, l.draining = false, false, false
	l.start = func() {
		l.running = true
		go func() {
			l.Check(runCtx)
			done <- struct{}{}
		}()
	}
	stop := func(err error) error {
		cancel()
		if l.running {
			<-done
			l.running = false
		}
		return err
	}
	idle := func() bool { return l.draining && !l.running && !l.queued }
	keys := l.Keys
	if !l.Lazy {
		l.start()
	}
	for {
		select {
		case <-ctx.Done():
			return stop(ctx.Err())
		case <-l.Changes:
			l.CheckNow()
		case <-done:
			l.running = false
			if l.queued {
				l.queued = false
				l.start()
			}
			if idle() {
				return nil
			}
		case r, ok := <-keys:
			if !ok {
				keys = nil
				continue
			}
			if l.Key != nil && l.Key(r) {
				return stop(nil)
			}
			if idle() {
				return nil
			}
		case <-l.Missed:
			if l.OnMissed != nil {
				l.OnMissed()
			}
		}
	}
}
