//go:build unix

package cli

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/term"

	"github.com/procdojo/procdojo/internal/iostreams"
)

// TestRunKataWatchTerminal runs a watch on a pseudo-terminal: keys arrive without Enter
// while it runs, and the terminal is restored however it ends (q, or Ctrl-C as a raw
// terminal delivers it).
func TestRunKataWatchTerminal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		keys     string
		wantCode int
	}{
		{"q", "hq", 0},
		{"Ctrl-C", "\x03", ExitInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ptm, pts, err := pty.Open()
			if err != nil {
				t.Skipf("no pseudo-terminal here: %v", err)
			}
			defer ptm.Close()
			defer pts.Close()
			fd := int(pts.Fd())
			before, err := term.GetState(fd)
			if err != nil {
				t.Fatal(err)
			}
			f := newWatchFixture(t)
			ios, _, _, _ := iostreams.Test()
			out := &lockedBuffer{}
			ios.In, ios.InFile, ios.InTTY, ios.Out, ios.ErrOut = pts, pts, true, out, out
			fc := &fakeCheck{runs: map[string]int{}}
			errc := make(chan error, 1)
			go func() {
				errc <- runKataWatch(context.Background(), &kataWatchOptions{IO: ios, Catalog: f.cat, Log: f.log, WS: wsLocator{Flag: f.ws.Dir}, ID: f.k0.ID, Check: fc.check})
			}()
			waitFor(t, out, "Watching for saves", 1)
			during, err := term.GetState(fd)
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(before, during) {
				t.Error("the terminal is not in raw mode during the watch")
			}
			for _, k := range tc.keys {
				ptm.Write([]byte(string(k)))
				if k == 'h' {
					waitFor(t, out, "Hint 1 of", 1)
				}
			}
			select {
			case err := <-errc:
				if exitCode(err) != tc.wantCode {
					t.Errorf("runKataWatch() = %v; want exit %d", err, tc.wantCode)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("the watch did not end on %q:\n%s", tc.keys, out)
			}
			after, err := term.GetState(fd)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(before, after) {
				t.Error("the terminal was not restored")
			}
		})
	}
}
