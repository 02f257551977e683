//go:build unix

package progress

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const oneRecord = `{"time":"2026-11-26T10:00:00Z","type":"answer","question":"q1","score":1,"max":1}` + "\n"

// TestHostileLogFiles puts things that are not the user's own regular file where the log
// should be, and checks that both reading and appending refuse them, with a message that
// says what to do, and leave them as they were.
func TestHostileLogFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // dir is the data directory, made 0700
		want  string                         // in the error of Read and of Append
	}{
		{"symlink to a file", func(t *testing.T, dir string) {
			target := filepath.Join(t.TempDir(), "precious")
			os.WriteFile(target, []byte("keep me\n"), 0o600)
			os.Symlink(target, filepath.Join(dir, FileName))
		}, "is a symbolic link; procdojo does not follow it"},
		{"symlink to nowhere", func(t *testing.T, dir string) {
			os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, FileName))
		}, "is a symbolic link; procdojo does not follow it"},
		{"folder", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, FileName), 0o700)
		}, "is a folder, not a regular file: move it away, or choose another data directory"},
		{"named pipe", func(t *testing.T, dir string) {
			if err := syscall.Mkfifo(filepath.Join(dir, FileName), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is a named pipe"},
		{"another user's file", func(t *testing.T, dir string) {
			p := filepath.Join(dir, FileName)
			os.WriteFile(p, []byte(oneRecord), 0o666)
			chownOrSkip(t, p)
		}, "belongs to another user (uid 65534), so procdojo neither reads nor writes it"},
		{"another user's folder", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, FileName), []byte(oneRecord), 0o600)
			chownOrSkip(t, dir)
		}, "belongs to another user (uid 65534); keep your history in a folder of your own"},
		{"world-writable folder", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, FileName), []byte(oneRecord), 0o600)
			os.Chmod(dir, 0o777)
		}, "can be written by other users (mode 0777), who could replace your history: make it private with chmod go-w"},
		{"group-writable folder", func(t *testing.T, dir string) {
			os.Chmod(dir, 0o770)
		}, "can be written by other users (mode 0770)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "state")
			os.Mkdir(dir, 0o700)
			tt.setup(t, dir)
			before := snapshot(t, dir)
			l := Open(dir)
			var pe *Error
			if _, _, err := l.Read(); err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &pe) {
				t.Errorf("Read() = %v; want a *progress.Error saying %q", err, tt.want)
			}
			if err := l.Append(Record{Type: TypeAnswer, Question: "x"}); err == nil || !strings.Contains(err.Error(), tt.want) || !errors.As(err, &pe) {
				t.Errorf("Append() = %v; want a *progress.Error saying %q", err, tt.want)
			}
			if err := l.CheckWritable(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("CheckWritable() = %v; want an error saying %q", err, tt.want)
			}
			if after := snapshot(t, dir); after != before {
				t.Errorf("the data directory changed:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// snapshot describes what the log path is and holds, following a link, to see that a
// refused log was left alone.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, FileName)
	lst, err := os.Lstat(p)
	if err != nil {
		return err.Error()
	}
	out := lst.Mode().String()
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
		data, _ := os.ReadFile(p)
		out += " " + st.Mode().String() + " " + string(data)
	}
	return out
}

// chownOrSkip gives path to the user nobody (uid 65534), which only root may do.
func chownOrSkip(t *testing.T, path string) {
	t.Helper()
	if err := os.Lchown(path, 65534, 65534); err != nil {
		t.Skipf("cannot give a file to another user here (%v); run as root to test it", err)
	}
}

// TestAppendMakesTheLogPrivate checks that an existing log readable by others is made 0600.
func TestAppendMakesTheLogPrivate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, FileName)
	os.WriteFile(p, []byte(oneRecord), 0o644)
	os.Chmod(p, 0o644)
	if err := Open(dir).Append(Record{Type: TypeAnswer, Question: "q2"}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode after Append = %v, %v; want 0600", st.Mode().Perm(), err)
	}
}

// TestReadHostileContent reads logs whose content is hostile: a byte order mark, a million
// damaged lines, an endless line, and a read cancelled half-way.
func TestReadHostileContent(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, data []byte) *Log {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o600); err != nil {
			t.Fatal(err)
		}
		return Open(dir)
	}
	t.Run("byte order mark", func(t *testing.T) {
		t.Parallel()
		recs, warns, err := write(t, []byte("\ufeff"+oneRecord+oneRecord)).Read()
		if err != nil || len(recs) != 2 || len(warns) != 0 {
			t.Errorf("Read() = %d records, warnings %v, %v; want 2 records and no warning", len(recs), warns, err)
		}
	})
	t.Run("a million damaged lines", func(t *testing.T) {
		t.Parallel()
		data := bytes.Repeat([]byte("not json\n"), 1_000_000)
		recs, warns, err := write(t, append(data, oneRecord...)).Read()
		if err != nil || len(recs) != 1 || len(warns) != MaxWarnings+1 {
			t.Fatalf("Read() = %d records, %d warnings, %v; want 1 record, %d warnings", len(recs), len(warns), err, MaxWarnings+1)
		}
		if w := warns[MaxWarnings]; w.More != 1_000_000-MaxWarnings || w.String() != "history.jsonl: 999995 more damaged lines skipped, the last at line 1000000" {
			t.Errorf("last warning = %+v %q; want a count of the 999995 others", w, w)
		}
		if w := warns[0].String(); w != "history.jsonl line 1: skipped a damaged record: not a JSON object" {
			t.Errorf("first warning = %q", w)
		}
	})
	t.Run("endless line", func(t *testing.T) {
		t.Parallel()
		data := append(bytes.Repeat([]byte("x"), 10<<20), '\n')
		recs, warns, err := write(t, append(data, oneRecord...)).Read()
		if err != nil || len(recs) != 1 || len(warns) != 1 || !strings.Contains(warns[0].String(), "line 1: skipped a damaged record: the line is longer than 65536 bytes") {
			t.Errorf("Read() = %d records, warnings %v, %v; want 1 record and a warning for line 1", len(recs), warns, err)
		}
	})
	t.Run("control characters in a damaged line", func(t *testing.T) {
		t.Parallel()
		_, warns, _ := write(t, []byte("{\"type\":\"answer\",\"question\":\"\x1b]0;x\x07\"}\n")).Read()
		if len(warns) != 1 || strings.ContainsAny(warns[0].String(), "\x1b\x07") {
			t.Errorf("warnings = %q; want one, escaped", warns)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		l := write(t, bytes.Repeat([]byte(oneRecord), 10_000))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, _, err := l.ReadContext(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("ReadContext(cancelled) = %v; want context.Canceled", err)
		}
	})
}
