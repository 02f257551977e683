//go:build unix

package quiz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadSourcesHostile gives ReadSources paths that are not bank files: a named pipe
// (which used to block for ever in open), a device (/dev/zero used to be read until memory
// ran out), a file over the size cap, and folders holding such entries under *.toml names.
func TestReadSourcesHostile(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile("testdata/good/small.toml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "pipe.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := write("big.toml", make([]byte, MaxBankSize+1))
	// A folder with a sound bank and, under *.toml names, a subfolder, a link to a folder,
	// a named pipe, a link to the pipe and a broken link: all skipped with a warning.
	mixed := filepath.Join(dir, "mixed")
	write("mixed/a.toml", good)
	os.Mkdir(filepath.Join(mixed, "sub.toml"), 0o700)
	os.Symlink(dir, filepath.Join(mixed, "dirlink.toml"))
	syscall.Mkfifo(filepath.Join(mixed, "fifo.toml"), 0o600)
	os.Symlink(fifo, filepath.Join(mixed, "fifolink.toml"))
	os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(mixed, "broken.toml"))
	write("mixed/notes.txt", []byte("not a bank"))
	onlyDirs := filepath.Join(dir, "only-dirs")
	os.MkdirAll(filepath.Join(onlyDirs, "x.toml"), 0o700)
	overFolder := filepath.Join(dir, "over")
	write("over/a.toml", good)
	write("over/b.toml", make([]byte, MaxBankSize+1))

	tests := []struct {
		name  string
		paths []string
		files []string // the sources read, by base name
		warns []string
		err   string
	}{
		{name: "named pipe", paths: []string{fifo}, err: `quiz: bank "` + fifo + `" is a named pipe (FIFO), not a regular file; give a bank file or a folder of them`},
		{name: "character device", paths: []string{"/dev/zero"}, err: `quiz: bank "/dev/zero" is a character device, not a regular file; give a bank file or a folder of them`},
		{name: "over the cap", paths: []string{big}, err: `quiz: bank "` + big + `" is over 8 MiB, the limit for one bank file; split it into several files`},
		{name: "folder with a file over the cap", paths: []string{overFolder}, err: `quiz: bank "` + filepath.Join(overFolder, "b.toml") + `" is over 8 MiB`},
		{name: "missing", paths: []string{filepath.Join(dir, "nope.toml")}, err: `quiz: cannot read bank "` + filepath.Join(dir, "nope.toml") + `": no such file or directory`},
		{name: "folder of folders", paths: []string{onlyDirs}, err: `quiz: folder "` + onlyDirs + `" holds no bank files (*.toml)`,
			warns: []string{`skipped "` + filepath.Join(onlyDirs, "x.toml") + `": it is a folder, not a bank file`}},
		{name: "mixed folder", paths: []string{mixed}, files: []string{"a.toml"}, warns: []string{
			`skipped "` + filepath.Join(mixed, "broken.toml") + `": no such file or directory`,
			`skipped "` + filepath.Join(mixed, "dirlink.toml") + `": it is a folder, not a bank file`,
			`skipped "` + filepath.Join(mixed, "fifo.toml") + `": it is a named pipe (FIFO), not a bank file`,
			`skipped "` + filepath.Join(mixed, "fifolink.toml") + `": it is a named pipe (FIFO), not a bank file`,
			`skipped "` + filepath.Join(mixed, "sub.toml") + `": it is a folder, not a bank file`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var warns []string
			srcs, err := ReadSources(context.Background(), tt.paths, func(w string) { warns = append(warns, w) })
			if tt.err != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
					t.Errorf("ReadSources(%s) error = %v; want %s", tt.name, err, tt.err)
				}
			} else if err != nil {
				t.Errorf("ReadSources(%s) error = %v; want nil", tt.name, err)
			}
			var files []string
			for _, s := range srcs {
				files = append(files, filepath.Base(s.Name))
			}
			if strings.Join(files, ",") != strings.Join(tt.files, ",") {
				t.Errorf("ReadSources(%s) read %q; want %q", tt.name, files, tt.files)
			}
			if strings.Join(warns, "\n") != strings.Join(tt.warns, "\n") {
				t.Errorf("ReadSources(%s) warnings =\n%s\nwant\n%s", tt.name, strings.Join(warns, "\n"), strings.Join(tt.warns, "\n"))
			}
		})
	}
	if _, err := ReadSources(context.Background(), []string{fifo}, nil); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadSources(fifo) = %v; want an error wrapping ErrNotRegular", err)
	}
	// A file swapped for a pipe or a device after it was looked at: the open itself must
	// neither block nor read.
	for _, p := range []string{fifo, "/dev/zero"} {
		if f, err := openRegular(p); !errors.Is(err, ErrNotRegular) {
			f.Close()
			t.Errorf("openRegular(%s) = %v; want an error wrapping ErrNotRegular", p, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadSources(ctx, []string{mixed}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadSources(cancelled) = %v; want context.Canceled", err)
	}
	if _, err := LoadContext(ctx, []Source{{Name: "a", Data: good}}); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadContext(cancelled) = %v; want context.Canceled", err)
	}
}
