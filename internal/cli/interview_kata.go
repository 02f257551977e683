package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/procdojo/procdojo/internal/interview"
	"github.com/procdojo/procdojo/internal/iostreams"
	"github.com/procdojo/procdojo/internal/kata"
	"github.com/procdojo/procdojo/internal/progress"
	"github.com/procdojo/procdojo/quiz"
)

// kataRunner is the interview's interview.KataRunner over the katas package: it starts the
// kata in the workspace, checks it and records each check as "kata check" does, and reveals
// and records hints.
type kataRunner struct {
	cat     *kata.Catalog
	ws      *kata.Workspace
	log     *progress.Log
	warn    io.Writer // where a failure to record is reported
	onBuild func(k *kata.Kata) func()
}

func (r *kataRunner) Start(id string) (string, bool, error) {
	k, err := r.cat.Get(id)
	if err != nil {
		return "", false, err
	}
	if err := needNode(k); err != nil {
		return "", false, err
	}
	if r.ws.Started(k) {
		return r.ws.File(k), false, nil
	}
	p, err := r.ws.Start(k, false)
	return p, err == nil, err
}

func (r *kataRunner) Check(ctx context.Context, id string) (interview.KataResult, error) {
	k, err := r.cat.Get(id)
	if err != nil {
		return interview.KataResult{}, err
	}
	var opts kata.CheckOptions
	if r.onBuild != nil {
		opts.OnBuild = r.onBuild(k)
	}
	res, err := kata.Check(ctx, r.ws, k, opts)
	if res == nil || errors.Is(err, kata.ErrInterrupted) || ctx.Err() != nil {
		return interview.KataResult{}, err // an interrupted check is not recorded
	}
	recordCheck(r.log, k.ID, res, r.warn)
	var b bytes.Buffer
	writeResult(&b, res, false, false)
	return interview.KataResult{Pass: res.Status == kata.StatusPass, Passed: res.Passed, Total: res.Total,
		Reason: res.Reason, Report: b.String()}, nil
}

func (r *kataRunner) Hint(id string, n int) (string, error) {
	k, err := r.cat.Get(id)
	if err != nil {
		return "", err
	}
	if n < 1 || n > len(k.Hints) {
		return "", fmt.Errorf("%s: %w", id, interview.ErrNoMoreHints)
	}
	if err := r.log.Append(progress.Record{Type: progress.TypeHint, Kata: k.ID, Hint: n}); err != nil {
		fmt.Fprintf(r.warn, "warning: the hint was not recorded: %v\n", err)
	}
	return k.Hints[n-1], nil
}

// termWriter is the interview's output: safe for the kata section's goroutines, and ending
// lines with CR LF while the terminal is in raw mode.
type termWriter struct {
	mu   sync.Mutex
	w    io.Writer
	crlf bool
}

func newTermWriter(w io.Writer) *termWriter { return &termWriter{w: w} }

func (t *termWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.crlf {
		if _, err := t.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return t.w.Write(p)
}

func (t *termWriter) setCRLF(on bool) {
	t.mu.Lock()
	t.crlf = on
	t.mu.Unlock()
}

// terminalKeys reads the kata section's keys from the terminal in raw mode, so they arrive
// without Enter; stopping restores the terminal.
func terminalKeys(ios *iostreams.IOStreams, out *termWriter) func() (<-chan interview.Key, func(), error) {
	return func() (<-chan interview.Key, func(), error) {
		raw := *ios // rawKeys wraps the copy's writers; out does that job here
		restore, err := rawKeys(&raw)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot read keys from the terminal (%w); try --plain", err)
		}
		out.setCRLF(true)
		keys, done := make(chan interview.Key), make(chan struct{})
		go func() {
			defer close(keys)
			for r := range readKeys(ios.InFile, false) {
				k, ok := interview.KeyFor(r)
				if !ok {
					continue
				}
				select {
				case keys <- k:
				case <-done:
					return
				}
			}
		}()
		var once sync.Once
		return keys, func() {
			once.Do(func() {
				close(done)
				restore()
				out.setCRLF(false)
			})
		}, nil
	}
}

// plainKeys reads the kata section's commands as lines from the plain prompter's input:
// check, hint, skip, q. echo repeats each line, for a transcript of piped input.
func plainKeys(p *quiz.PlainPrompter, out io.Writer, echo bool) func() (<-chan interview.Key, func(), error) {
	return func() (<-chan interview.Key, func(), error) {
		keys, done := make(chan interview.Key), make(chan struct{})
		go func() {
			defer close(keys)
			for {
				line, err := p.ReadLine()
				if err != nil {
					return
				}
				if echo {
					fmt.Fprintf(out, "> %s\n", line)
				}
				if strings.TrimSpace(line) == "" {
					continue
				}
				k, ok := interview.ParseCommand(line)
				if !ok {
					fmt.Fprintf(out, "%q is not a command: %s.\n", strings.TrimSpace(line), interview.KeysHelp(true))
					continue
				}
				select {
				case keys <- k:
				case <-done:
					return
				}
			}
		}()
		var once sync.Once
		return keys, func() { once.Do(func() { close(done) }) }, nil
	}
}
