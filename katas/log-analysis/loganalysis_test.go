package loganalysis

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	helpers["logcat"] = logcat
}

// logcat is the logging command: "logcat FILE [STATUS]" copies FILE to stdout, then exits
// with STATUS (0 if absent).
func logcat(args []string) int {
	f, err := os.Open(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, "logcat:", err)
		return 2
	}
	defer f.Close()
	if _, err := io.Copy(os.Stdout, f); err != nil {
		fmt.Fprintln(os.Stderr, "logcat:", err)
		return 2
	}
	if len(args) > 1 {
		code, _ := strconv.Atoi(args[1])
		return code
	}
	return 0
}

// writeLog writes lines (each followed by a newline) to a temporary file.
func writeLog(t *testing.T, lines []string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "app.log")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	for _, l := range lines {
		w.WriteString(l)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// show formats a Summary for a failure message, shortening long messages.
func show(s Summary) string {
	var top []string
	for _, c := range s.Top {
		m := c.Message
		if len(m) > 40 {
			m = fmt.Sprintf("%s…(%d bytes)", m[:20], len(m))
		}
		top = append(top, fmt.Sprintf("%q:%d", m, c.Count))
	}
	levels := slices.Sorted(maps.Keys(s.Levels))
	var lv []string
	for _, l := range levels {
		lv = append(lv, fmt.Sprintf("%s:%d", l, s.Levels[l]))
	}
	return fmt.Sprintf("{Lines:%d Malformed:%d Levels:[%s] Top:[%s]}",
		s.Lines, s.Malformed, strings.Join(lv, " "), strings.Join(top, " "))
}

func equal(a, b Summary) bool {
	return a.Lines == b.Lines && a.Malformed == b.Malformed &&
		maps.Equal(a.Levels, b.Levels) && slices.Equal(a.Top, b.Top)
}

// readNothing explains the usual reason for a summary of nothing.
func readNothing(got Summary, want Summary) string {
	if got.Lines == 0 && want.Lines > 0 {
		return " (it read nothing: read stdout while the child runs, and call Wait only after EOF)"
	}
	return ""
}

func TestAnalyze(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100<<10) // a 100 KiB message: too long for a default Scanner
	longest := strings.Repeat("z", MaxLine-1-len("2 WARN "))

	var big []string // 30000 lines, far more than a pipe holds
	for i := range 30000 {
		if i%3 == 0 {
			big = append(big, fmt.Sprintf("t%d ERROR disk full", i))
		} else {
			big = append(big, fmt.Sprintf("t%d INFO tick", i))
		}
	}

	tests := []struct {
		name  string
		lines []string
		k     int
		want  Summary
	}{
		{
			name: "levels and top messages",
			lines: []string{
				"10:00:01 INFO user logged in",
				"10:00:02 WARN slow query",
				"10:00:03 INFO user logged in",
				"10:00:04 ERROR db down",
				"10:00:05 INFO user logged out",
				"10:00:06 WARN slow query",
				"10:00:07 INFO user logged in",
			},
			k: 2,
			want: Summary{Lines: 7, Levels: map[string]int{"INFO": 4, "WARN": 2, "ERROR": 1},
				Top: []Count{{"user logged in", 3}, {"slow query", 2}}},
		},
		{
			name:  "ties in message order, k above the number of messages",
			lines: []string{"1 INFO b", "2 INFO c", "3 WARN a", "4 INFO c", "5 DEBUG b"},
			k:     10,
			want: Summary{Lines: 5, Levels: map[string]int{"INFO": 3, "WARN": 1, "DEBUG": 1},
				Top: []Count{{"b", 2}, {"c", 2}, {"a", 1}}},
		},
		{
			name:  "negative k",
			lines: []string{"1 INFO a", "2 INFO a"},
			k:     -1,
			want:  Summary{Lines: 2, Levels: map[string]int{"INFO": 2}},
		},
		{
			name:  "k of zero",
			lines: []string{"1 INFO a", "2 INFO a"},
			k:     0,
			want:  Summary{Lines: 2, Levels: map[string]int{"INFO": 2}},
		},
		{
			name:  "malformed lines",
			lines: []string{"", "garbage", "1 INFO", "2  empty level", "3 INFO  two spaces"},
			k:     5,
			want: Summary{Lines: 5, Malformed: 4, Levels: map[string]int{"INFO": 1},
				Top: []Count{{" two spaces", 1}}},
		},
		{
			name:  "a 100 KiB line",
			lines: []string{"1 INFO start", "2 WARN " + long, "3 INFO start", "4 WARN " + long, "5 INFO end"},
			k:     2,
			want: Summary{Lines: 5, Levels: map[string]int{"INFO": 3, "WARN": 2},
				Top: []Count{{"start", 2}, {long, 2}}},
		},
		{
			// The longest line Analyze reads: MaxLine-1 bytes, then "\n".
			name:  "a line of MaxLine-1 bytes",
			lines: []string{"1 INFO start", "2 WARN " + longest, "3 INFO end"},
			k:     3,
			want: Summary{Lines: 3, Levels: map[string]int{"INFO": 2, "WARN": 1},
				Top: []Count{{"end", 1}, {"start", 1}, {longest, 1}}},
		},
		{
			name:  "more output than a pipe holds",
			lines: big,
			k:     2,
			want: Summary{Lines: 30000, Levels: map[string]int{"INFO": 20000, "ERROR": 10000},
				Top: []Count{{"tick", 20000}, {"disk full", 10000}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := helperArgs("logcat", writeLog(t, tt.lines))
			got, err := Analyze(testContext(t), helperPath(t), args, tt.k)
			if err != nil || !equal(got, tt.want) {
				t.Errorf("Analyze(logcat, k=%d) = %s, %v;\nwant %s, nil%s", tt.k, show(got), err, show(tt.want),
					readNothing(got, tt.want))
			}
		})
	}
}

func TestAnalyzeFailingCommand(t *testing.T) {
	t.Parallel()
	lines := []string{"1 INFO working", "2 ERROR giving up"}
	want := Summary{Lines: 2, Levels: map[string]int{"INFO": 1, "ERROR": 1}, Top: []Count{{"giving up", 1}}}

	got, err := Analyze(testContext(t), helperPath(t), helperArgs("logcat", writeLog(t, lines), "1"), 1)
	var exitErr *exec.ExitError
	if !errors.As(err, &exitErr) || exitErr.ExitCode() != 1 {
		t.Errorf("Analyze(logcat exiting 1) error = %v; want one wrapping *exec.ExitError with status 1"+
			" (check what Wait returns)", err)
	}
	if !equal(got, want) {
		t.Errorf("Analyze(logcat exiting 1) = %s; want %s (the summary of what it printed)%s",
			show(got), show(want), readNothing(got, want))
	}
}

// TestAnalyzeLineTooLong feeds a line that is not shorter than MaxLine: exactly MaxLine
// bytes, or 2 MiB followed by megabytes more. Analyze must give up with bufio.ErrTooLong
// and stop the command, not wait for a child blocked on a full pipe.
func TestAnalyzeLineTooLong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		long string // the line that is too long
		more int    // lines after it
	}{
		{"a line of MaxLine bytes", "3 WARN " + strings.Repeat("y", MaxLine-len("3 WARN ")), 10},
		{"a 2 MiB line", "3 WARN " + strings.Repeat("y", 2<<20), 50000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lines := []string{"1 INFO before", "2 INFO before", tt.long}
			for i := range tt.more {
				lines = append(lines, fmt.Sprintf("%d INFO after, never read", i+4))
			}
			want := Summary{Lines: 2, Levels: map[string]int{"INFO": 2}, Top: []Count{{"before", 2}}}

			ctx := testContext(t)
			call := fmt.Sprintf("Analyze(logcat with a line of %d bytes, then %d more lines)", len(tt.long), tt.more)
			got, err := Analyze(ctx, helperPath(t), helperArgs("logcat", writeLog(t, lines)), 1)
			if ctx.Err() != nil {
				t.Fatalf("%s returned only after the test's deadline; want it to stop the"+
					" command once it stops reading (cancel the command's context before Wait)", call)
			}
			if !errors.Is(err, bufio.ErrTooLong) {
				t.Errorf("%s error = %v; want one wrapping bufio.ErrTooLong (check Scanner.Err): only lines shorter than MaxLine = %d bytes are read; the Scanner's limit counts the \"\\n\" too", call, err, MaxLine)
			}
			if !equal(got, want) {
				t.Errorf("%s = %s; want %s (the lines before the long one)", call, show(got), show(want))
			}
		})
	}
}

func TestAnalyzeNotFound(t *testing.T) {
	t.Parallel()
	_, err := Analyze(testContext(t), "procdojo-no-such-logger", nil, 1)
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("Analyze(%q) error = %v; want one wrapping exec.ErrNotFound", "procdojo-no-such-logger", err)
	}
}
