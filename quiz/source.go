package quiz

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNotRegular is returned for a bank path that is not a regular file: a named pipe, a
// device, a socket or a folder where a file was expected.
var ErrNotRegular = errors.New("not a regular file")

// ReadSources reads banks from files and folders (a folder's *.toml files, not recursively),
// in the order given and by name within a folder. Only regular files are read, and at most
// MaxBankSize bytes of each: a path given that is a named pipe or a device is an error, and
// so is a file over the limit. In a folder, an entry named *.toml that is not a regular
// file (a subfolder, a pipe, a link to either, or a broken link) is skipped, and warn (when
// not nil) is told why. ReadSources stops between files once ctx is done.
func ReadSources(ctx context.Context, paths []string, warn func(string)) ([]Source, error) {
	var srcs []Source
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("quiz: cannot read bank %q: %w", p, unwrapPath(err))
		}
		files := []string{p}
		if st.IsDir() {
			if files, err = folderBanks(p, warn); err != nil {
				return nil, err
			}
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("quiz: reading banks: %w", err)
			}
			data, err := readBank(f)
			if err != nil {
				return nil, err
			}
			srcs = append(srcs, Source{Name: f, Data: data})
		}
	}
	if len(srcs) == 0 {
		return nil, ErrNoBanks
	}
	return srcs, nil
}

// folderBanks returns the regular *.toml files of dir, by name.
func folderBanks(dir string, warn func(string)) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("quiz: cannot list bank folder %q: %w", dir, unwrapPath(err))
	}
	var files []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".toml") {
			continue
		}
		f := filepath.Join(dir, e.Name())
		st, err := os.Stat(f)
		switch {
		case err != nil:
			if warn != nil {
				warn(fmt.Sprintf("skipped %q: %v", f, unwrapPath(err)))
			}
		case !st.Mode().IsRegular():
			if warn != nil {
				warn(fmt.Sprintf("skipped %q: it is %s, not a bank file", f, kind(st.Mode())))
			}
		default:
			files = append(files, f)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("quiz: folder %q holds no bank files (*.toml)", dir)
	}
	return files, nil
}

// readBank reads one bank file. It checks the kind of file before opening it (opening a
// device can act on it), then reads it through openRegular.
func readBank(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("quiz: cannot read bank %q: %w", path, unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxBankSize+1))
	if err != nil {
		return nil, fmt.Errorf("quiz: cannot read bank %q: %w", path, unwrapPath(err))
	}
	if len(data) > MaxBankSize { // it grew since openRegular looked
		return nil, tooBig(path)
	}
	return data, nil
}

// openRegular opens a bank file for reading without blocking (opening a named pipe would
// wait for a writer for ever), and refuses what the open file turns out to be if it is not
// a regular file of at most MaxBankSize bytes: the file may have been replaced since it
// was looked at.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlock, 0)
	if err != nil {
		return nil, fmt.Errorf("quiz: cannot read bank %q: %w", path, unwrapPath(err))
	}
	st, err := f.Stat()
	switch {
	case err != nil:
		err = fmt.Errorf("quiz: cannot read bank %q: %w", path, unwrapPath(err))
	case !st.Mode().IsRegular():
		err = notRegular(path, st.Mode())
	case st.Size() > MaxBankSize:
		err = tooBig(path)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func notRegular(path string, m fs.FileMode) error {
	return fmt.Errorf("quiz: bank %q is %s, %w; give a bank file or a folder of them", path, kind(m), ErrNotRegular)
}

func tooBig(path string) error {
	return fmt.Errorf("quiz: bank %q is over %s, the limit for one bank file; split it into several files", path, mib(MaxBankSize))
}

// kind names the type of a file that is not a regular one.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "an irregular file"
}

// unwrapPath drops the path from a *fs.PathError, which the message already quotes.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
