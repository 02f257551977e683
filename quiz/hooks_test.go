package quiz

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

// TestSessionBefore: Before sees each item before it is shown; ErrQuit from it stops the
// session, keeping the answers; another error ends it with that error. Both report Stopped.
func TestSessionBefore(t *testing.T) {
	t.Parallel()
	items := Pick(smallBank(t), 0, 0, false)
	boom := errors.New("boom")
	for _, tc := range []struct {
		name    string
		err     error
		wantErr error
	}{
		{"quit", ErrQuit, nil},
		{"other", boom, boom},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var seen []int
			s := &Session{Items: items, Out: &bytes.Buffer{}, Now: clock(),
				Prompter: newFake(t, fakeAnswer{choose: []string{"exec"}}),
				Before: func(i int) error {
					seen = append(seen, i)
					if i == 1 {
						return tc.err
					}
					return nil
				}}
			rep, err := s.Run(context.Background())
			if !errors.Is(err, tc.wantErr) || err == nil && tc.wantErr != nil {
				t.Errorf("Run() error = %v; want %v", err, tc.wantErr)
			}
			// Either way the session ended before its last question: the report says Stopped.
			if len(rep.Results) != 1 || !rep.Stopped || len(seen) != 2 {
				t.Errorf("Run() = %d results, stopped %v, Before saw %v; want 1, true, [0 1]", len(rep.Results), rep.Stopped, seen)
			}
		})
	}
}

// TestSessionQuiet: a quiet session shows the questions but no feedback.
func TestSessionQuiet(t *testing.T) {
	t.Parallel()
	items := Pick(smallBank(t), 1, 0, false)
	for _, quiet := range []bool{false, true} {
		var out bytes.Buffer
		s := &Session{Items: items, Out: &out, Quiet: quiet, Prompter: newFake(t, fakeAnswer{choose: []string{"exec"}})}
		if _, err := s.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(out.String(), "Source: "); got == quiet {
			t.Errorf("Quiet %v: feedback shown = %v:\n%s", quiet, got, out.String())
		}
		if !strings.Contains(out.String(), items[0].Q.FirstLine()) {
			t.Errorf("Quiet %v: the question was not shown:\n%s", quiet, out.String())
		}
	}
}

// TestPlainReadLine: ReadLine reads the lines after the answers from the same input.
func TestPlainReadLine(t *testing.T) {
	t.Parallel()
	p := NewPlainPrompter(context.Background(), strings.NewReader("2\ncheck\nskip"), io.Discard, false)
	if got, err := p.Select("?", []string{"a", "b"}); err != nil || got != 1 {
		t.Fatalf("Select() = %d, %v; want 1, nil", got, err)
	}
	for _, want := range []string{"check", "skip"} {
		if got, err := p.ReadLine(); err != nil || got != want {
			t.Errorf("ReadLine() = %q, %v; want %q, nil", got, err, want)
		}
	}
	if _, err := p.ReadLine(); !errors.Is(err, io.EOF) {
		t.Errorf("ReadLine() at the end = %v; want io.EOF", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	pr, pw := io.Pipe()
	defer pw.Close()
	if _, err := NewPlainPrompter(ctx, pr, io.Discard, false).ReadLine(); !errors.Is(err, ErrInterrupted) {
		t.Errorf("ReadLine() after Ctrl-C = %v; want ErrInterrupted", err)
	}
}
