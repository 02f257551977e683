package cli

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"sync"

	"golang.org/x/term"

	"github.com/procdojo/procdojo/internal/iostreams"
)

// rawKeys puts the terminal on ios.InFile in raw mode, so that keys arrive without Enter,
// and makes ios's terminal writers end lines with CR LF, as raw mode needs. The returned
// function restores the terminal; call it on every way out.
func rawKeys(ios *iostreams.IOStreams) (restore func(), err error) {
	fd := int(ios.InFile.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return nil, err
	}
	if ios.OutTTY {
		ios.Out = crlfWriter{ios.Out}
	}
	if ios.ErrTTY {
		ios.ErrOut = crlfWriter{ios.ErrOut}
	}
	var once sync.Once
	return func() { once.Do(func() { _ = term.Restore(fd, old) }) }, nil
}

// readKeys delivers keys read from r: each byte of a raw terminal, or the first letter of
// each line when lines is set. The channel is closed at the end of input.
func readKeys(r io.Reader, lines bool) <-chan rune {
	keys := make(chan rune)
	go func() {
		defer close(keys)
		br := bufio.NewReader(r)
		for {
			if lines {
				line, err := br.ReadString('\n')
				if t := strings.TrimSpace(line); t != "" {
					keys <- rune(t[0])
				}
				if err != nil {
					return
				}
				continue
			}
			b, err := br.ReadByte()
			if err != nil {
				return
			}
			keys <- rune(b)
		}
	}()
	return keys
}

// crlfWriter turns "\n" into "\r\n", for a terminal in raw mode.
type crlfWriter struct{ w io.Writer }

func (c crlfWriter) Write(p []byte) (int, error) {
	if _, err := c.w.Write(bytes.ReplaceAll(p, []byte("\n"), []byte("\r\n"))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// syncWriter serialises writes from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func newSyncWriter(w io.Writer) *syncWriter { return &syncWriter{w: w} }

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
