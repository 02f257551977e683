package progress

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/procdojo/procdojo/internal/termsafe"
)

// FileName is the name of the log inside the data directory.
const FileName = "history.jsonl"

// Record types.
const (
	TypeAnswer    = "answer"     // one answered quiz or review question
	TypeKataCheck = "kata_check" // one `procdojo kata check`
	TypeHint      = "hint"       // one revealed kata hint
)

// Record is one line of the log. Type says which of the field groups is set.
type Record struct {
	Time    time.Time `json:"time"`
	Type    string    `json:"type"`
	Session string    `json:"session,omitempty"`

	// Answers (TypeAnswer).
	Question  string  `json:"question,omitempty"`
	Level     string  `json:"level,omitempty"`
	Topic     string  `json:"topic,omitempty"`
	Kind      string  `json:"kind,omitempty"`
	Score     float64 `json:"score,omitempty"`
	Max       float64 `json:"max,omitempty"`
	Given     string  `json:"given,omitempty"`
	ElapsedMS int64   `json:"elapsed_ms,omitempty"`
	Mode      string  `json:"mode,omitempty"` // "quiz" or "review"
	// Rating is the FSRS rating of a review answer, 1 (Again) to 4 (Easy), as the review
	// session derived it or the user chose it; 0 when none was given (quiz answers).
	Rating int `json:"rating,omitempty"`

	// Kata checks (TypeKataCheck) and hints (TypeHint).
	Kata    string `json:"kata,omitempty"`
	Verdict string `json:"verdict,omitempty"` // pass, fail or error
	Passed  int    `json:"passed,omitempty"`
	Total   int    `json:"total,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Hint    int    `json:"hint,omitempty"` // the number of the hint revealed, from 1

	// Mock interviews (TypeInterview): Level is the interview's level and ElapsedMS its
	// duration; the rest is in Interview.
	Interview *Interview `json:"interview,omitempty"`
}

// Log is the history log in one data directory. The zero value is not usable; use Open.
// A Log is safe for use by several goroutines and several processes at once.
type Log struct {
	dir string
}

// Open returns the log in dir. It does no I/O: the directory (0700) and the file (0600) are
// created by the first Append. Paths in messages are quoted, so a strange name cannot act
// on the terminal.
func Open(dir string) *Log { return &Log{dir: dir} }

// Dir returns the data directory.
func (l *Log) Dir() string { return l.dir }

// Path returns the log file's path.
func (l *Log) Path() string { return filepath.Join(l.dir, FileName) }

// ResolveDir returns the data directory: flagValue when set, else $PROCDOJO_HOME, else
// $XDG_STATE_HOME/procdojo, else ~/.local/state/procdojo.
func ResolveDir(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if d := os.Getenv("PROCDOJO_HOME"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "procdojo"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", errorf("progress: no data directory: %w; set PROCDOJO_HOME or pass --data-dir", err)
	}
	return filepath.Join(home, ".local", "state", "procdojo"), nil
}

// Error is the error of every failure to read or write the log, or to trust it: callers
// tell it from other errors with errors.As. Its message says what to do.
type Error struct{ err error }

func (e *Error) Error() string { return e.err.Error() }
func (e *Error) Unwrap() error { return e.err }

func errorf(format string, a ...any) error { return &Error{fmt.Errorf(format, a...)} }

// Limits of reading the log.
const (
	// MaxLineLength is the longest line read as a record, in bytes; a longer line is skipped
	// with a warning. A record takes a few hundred bytes.
	MaxLineLength = 64 << 10
	// MaxWarnings is how many damaged lines are reported one by one; the others are counted
	// in one more warning.
	MaxWarnings = 5
)

// CheckWritable makes sure records can be appended: it creates the directory if needed and
// opens the log for appending, with the checks of Append, without writing anything.
func (l *Log) CheckWritable() error {
	f, err := l.openAppend()
	if err != nil {
		return err
	}
	return f.Close()
}

const fixDir = "choose another data directory with --data-dir or PROCDOJO_HOME"

// openAppend opens the log for appending, creating the directory (0700) and the file
// (0600) when missing. It refuses a data directory that belongs to another user or that
// others may write in, and a log that is a symbolic link (it is never followed), not a
// regular file, or another user's. It sets the mode of the log to 0600.
func (l *Log) openAppend() (*os.File, error) {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, errorf("progress: cannot create data directory %q: %w (%s)", l.dir, unwrapPath(err), fixDir)
	}
	if err := checkDir(l.dir); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(l.Path(), os.O_RDWR|os.O_APPEND|os.O_CREATE|openFlags, 0o600)
	if err != nil {
		return nil, l.openError(err, "write")
	}
	if err := l.checkFile(f); err != nil {
		f.Close()
		return nil, err
	}
	if err := private(f); err != nil {
		f.Close()
		return nil, errorf("progress: cannot make %q private (mode 0600): %w", l.Path(), unwrapPath(err))
	}
	return f, nil
}

// openError explains a failure to open the log.
func (l *Log) openError(err error, what string) error {
	if st, lerr := os.Lstat(l.Path()); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
		return errorf("progress: %q is a symbolic link; procdojo does not follow it, so that answers never land in another file: replace it with the file itself, or %s", l.Path(), fixDir)
	} else if lerr == nil && !st.Mode().IsRegular() {
		return notRegular(l.Path(), st.Mode())
	}
	return errorf("progress: cannot %s %q: %w (%s)", what, l.Path(), unwrapPath(err), fixDir)
}

// checkDir refuses a data directory that is not a folder, belongs to another user, or can
// be written by group or others: anyone who can write in it can replace the log.
func checkDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return errorf("progress: cannot use data directory %q: %w (%s)", dir, unwrapPath(err), fixDir)
	}
	if !st.IsDir() {
		return errorf("progress: data directory %q is not a folder (%s)", dir, fixDir)
	}
	if uid, ok := owner(st); ok && uid != os.Getuid() {
		return errorf("progress: data directory %q belongs to another user (uid %d); keep your history in a folder of your own: %s", dir, uid, fixDir)
	}
	if perm := st.Mode().Perm(); perm&0o022 != 0 && ownersApply {
		return errorf("progress: data directory %q can be written by other users (mode %04o), who could replace your history: make it private with chmod go-w %q, or %s", dir, perm, dir, fixDir)
	}
	return nil
}

// checkFile refuses an open log that is not a regular file or belongs to another user.
func (l *Log) checkFile(f *os.File) error {
	st, err := f.Stat()
	if err != nil {
		return errorf("progress: cannot read %q: %w", l.Path(), unwrapPath(err))
	}
	if !st.Mode().IsRegular() {
		return notRegular(l.Path(), st.Mode())
	}
	if uid, ok := owner(st); ok && uid != os.Getuid() {
		return errorf("progress: %q belongs to another user (uid %d), so procdojo neither reads nor writes it: %s", l.Path(), uid, fixDir)
	}
	return nil
}

func notRegular(path string, m fs.FileMode) error {
	return errorf("progress: %q is %s, not a regular file: move it away, or %s", path, fileKind(m), fixDir)
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "an irregular file"
}

// unwrapPath drops the path from a *fs.PathError, which the messages already quote.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Append adds r to the log as one line, in one write, under an exclusive advisory lock, and
// syncs it to disk. If an earlier writer crashed mid-line, Append first ends that torn line so
// the new record stays intact. A zero r.Time is set to now. The log is opened as
// CheckWritable says.
func (l *Log) Append(r Record) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return errorf("progress: encoding record: %w", err)
	}
	line = append(line, '\n')
	f, err := l.openAppend()
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lock(f); err != nil {
		return errorf("progress: locking %q: %w", l.Path(), err)
	}
	defer unlock(f)
	if torn, err := endsTorn(f); err != nil {
		return errorf("progress: reading %q: %w", l.Path(), err)
	} else if torn {
		line = append([]byte{'\n'}, line...)
	}
	if _, err := f.Write(line); err != nil {
		return errorf("progress: appending to %q: %w", l.Path(), unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		return errorf("progress: syncing %q: %w", l.Path(), unwrapPath(err))
	}
	return nil
}

// endsTorn reports whether the file (open for reading and appending) is non-empty and its
// last byte is not a newline.
func endsTorn(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, st.Size()-1); err != nil {
		return false, err
	}
	return b[0] != '\n', nil
}

// Warning is a line of the log that could not be read, or, when More is set, the count of
// the damaged lines beyond the first MaxWarnings.
type Warning struct {
	Line int
	Err  error
	// More, when not zero, is how many more damaged lines were skipped, the last at Line.
	More int
}

func (w Warning) String() string {
	if w.More > 0 {
		return fmt.Sprintf("%s: %d more damaged lines skipped, the last at line %d", FileName, w.More, w.Line)
	}
	return termsafe.Line(fmt.Sprintf("%s line %d: skipped a damaged record: %v", FileName, w.Line, w.Err))
}

// Read is ReadContext without a deadline.
func (l *Log) Read() ([]Record, []Warning, error) { return l.ReadContext(context.Background()) }

// ReadContext returns every readable record, in file order, and warnings for the lines that
// are torn, too long or not a record: the first MaxWarnings one by one, then one counting
// the rest. A missing log is empty, not an error. A UTF-8 byte order mark at the start is
// skipped. The log is refused, as by Append, when it is a symbolic link, not a regular
// file, or another user's, and when the data directory is not safe. ReadContext never
// changes the file; it stops with ctx's error once ctx is done.
func (l *Log) ReadContext(ctx context.Context) ([]Record, []Warning, error) {
	if _, err := os.Stat(l.dir); errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err := checkDir(l.dir); err != nil {
		return nil, nil, err
	}
	f, err := os.OpenFile(l.Path(), os.O_RDONLY|openFlags, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, l.openError(err, "read")
	}
	defer f.Close()
	if err := l.checkFile(f); err != nil {
		return nil, nil, err
	}
	recs, warns, err := parse(ctx, f)
	if err != nil {
		return recs, warns, errorf("progress: reading %q: %w", l.Path(), err)
	}
	return recs, warns, nil
}

var bom = []byte("\xef\xbb\xbf")

func parse(ctx context.Context, r io.Reader) ([]Record, []Warning, error) {
	var (
		recs  []Record
		warns []Warning
		more  int
		br    = bufio.NewReaderSize(r, MaxLineLength)
	)
	warn := func(n int, err error) {
		if len(warns) < MaxWarnings {
			warns = append(warns, Warning{Line: n, Err: err})
			return
		}
		more++
		if len(warns) == MaxWarnings {
			warns = append(warns, Warning{})
		}
		warns[MaxWarnings] = Warning{Line: n, More: more}
	}
	for n := 1; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return recs, warns, err
			}
		}
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			warn(n, fmt.Errorf("the line is longer than %d bytes", MaxLineLength))
			line = nil
		}
		if n == 1 {
			line = bytes.TrimPrefix(line, bom)
		}
		if len(line) > 0 {
			complete := line[len(line)-1] == '\n'
			line = bytes.TrimSpace(line)
			if len(line) > 0 && line[0] != '{' { // not a record, whatever follows: no need to parse it
				warn(n, errors.New("not a JSON object"))
			} else if len(line) > 0 {
				var rec Record
				switch uerr := json.Unmarshal(line, &rec); {
				case uerr != nil && !complete:
					warn(n, errors.New("the line is torn (a write was cut short)"))
				case uerr != nil:
					warn(n, uerr)
				case rec.Type == "":
					warn(n, errors.New(`no "type"`))
				default:
					recs = append(recs, rec)
				}
			}
		}
		if err == io.EOF {
			return recs, warns, nil
		}
		if err != nil {
			return recs, warns, err
		}
	}
}

// NewSessionID returns a random identifier for one quiz, review or kata session.
func NewSessionID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
