package progress

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
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
// created by the first Append.
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
		return "", fmt.Errorf("progress: no data directory: %w; set PROCDOJO_HOME or pass --data-dir", err)
	}
	return filepath.Join(home, ".local", "state", "procdojo"), nil
}

// CheckWritable makes sure records can be appended: it creates the directory if needed and
// opens the log for appending, without writing anything.
func (l *Log) CheckWritable() error {
	f, err := l.openAppend()
	if err != nil {
		return err
	}
	return f.Close()
}

func (l *Log) openAppend() (*os.File, error) {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return nil, fmt.Errorf("progress: cannot create data directory %q: %w (choose another with --data-dir or PROCDOJO_HOME)", l.dir, err)
	}
	f, err := os.OpenFile(l.Path(), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("progress: cannot write %q: %w (choose another data directory with --data-dir or PROCDOJO_HOME)", l.Path(), err)
	}
	return f, nil
}

// Append adds r to the log as one line, in one write, under an exclusive advisory lock, and
// syncs it to disk. If an earlier writer crashed mid-line, Append first ends that torn line so
// the new record stays intact. A zero r.Time is set to now.
func (l *Log) Append(r Record) error {
	if r.Time.IsZero() {
		r.Time = time.Now()
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("progress: encoding record: %w", err)
	}
	line = append(line, '\n')
	f, err := l.openAppend()
	if err != nil {
		return err
	}
	defer f.Close()
	if err := lock(f); err != nil {
		return fmt.Errorf("progress: locking %q: %w", l.Path(), err)
	}
	defer unlock(f)
	if torn, err := endsTorn(f); err != nil {
		return fmt.Errorf("progress: reading %q: %w", l.Path(), err)
	} else if torn {
		line = append([]byte{'\n'}, line...)
	}
	if _, err := f.Write(line); err != nil {
		return fmt.Errorf("progress: appending to %q: %w", l.Path(), err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("progress: syncing %q: %w", l.Path(), err)
	}
	return nil
}

// endsTorn reports whether the file is non-empty and its last byte is not a newline.
func endsTorn(f *os.File) (bool, error) {
	st, err := f.Stat()
	if err != nil || st.Size() == 0 {
		return false, err
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, st.Size()-1); err != nil {
		// The file was opened write-only: reopen to read its last byte.
		rf, oerr := os.Open(f.Name())
		if oerr != nil {
			return false, oerr
		}
		defer rf.Close()
		if _, err := rf.ReadAt(b, st.Size()-1); err != nil {
			return false, err
		}
	}
	return b[0] != '\n', nil
}

// Warning is a line of the log that could not be read.
type Warning struct {
	Line int
	Err  error
}

func (w Warning) String() string {
	return fmt.Sprintf("%s line %d: skipped a damaged record: %v", FileName, w.Line, w.Err)
}

// Read returns every readable record, in file order, and a warning for each line that is
// torn or not a record. A missing log is empty, not an error. Read never changes the file.
func (l *Log) Read() ([]Record, []Warning, error) {
	f, err := os.Open(l.Path())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("progress: %w", err)
	}
	defer f.Close()
	return parse(f)
}

func parse(r io.Reader) ([]Record, []Warning, error) {
	var (
		recs  []Record
		warns []Warning
		br    = bufio.NewReader(r)
	)
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			complete := line[len(line)-1] == '\n'
			line = bytes.TrimSpace(line)
			if len(line) > 0 {
				var rec Record
				switch uerr := json.Unmarshal(line, &rec); {
				case uerr != nil && !complete:
					warns = append(warns, Warning{n, errors.New("the line is torn (a write was cut short)")})
				case uerr != nil:
					warns = append(warns, Warning{n, uerr})
				case rec.Type == "":
					warns = append(warns, Warning{n, errors.New(`no "type"`)})
				default:
					recs = append(recs, rec)
				}
			}
		}
		if err == io.EOF {
			return recs, warns, nil
		}
		if err != nil {
			return recs, warns, fmt.Errorf("progress: reading: %w", err)
		}
	}
}

// NewSessionID returns a random identifier for one quiz, review or kata session.
func NewSessionID() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
