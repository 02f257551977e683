package progress

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The test binary re-runs itself as an appending process when this variable is set.
const appenderEnv = "PROCDOJO_TEST_APPENDER"

func TestMain(m *testing.M) {
	if spec := os.Getenv(appenderEnv); spec != "" {
		os.Exit(appender(spec))
	}
	os.Exit(m.Run())
}

// appender appends n records tagged with who to the log in dir; spec is "dir|who|n".
func appender(spec string) int {
	parts := strings.Split(spec, "|")
	n, _ := strconv.Atoi(parts[2])
	l := Open(parts[0])
	for i := 0; i < n; i++ {
		if err := l.Append(Record{Type: TypeAnswer, Session: parts[1], Question: fmt.Sprintf("q%d", i), Score: 1, Max: 1}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

func TestConcurrentProcessesLoseNothing(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	for _, who := range []string{"a", "b"} {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), appenderEnv+"="+dir+"|"+who+"|200")
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("appender: %v", err)
		}
	}
	recs, warns, err := Open(dir).Read()
	if err != nil || len(warns) > 0 {
		t.Fatalf("Read() warnings %v, error %v; want none", warns, err)
	}
	count := map[string]int{}
	for _, r := range recs {
		count[r.Session]++
	}
	if len(recs) != 400 || count["a"] != 200 || count["b"] != 200 {
		t.Errorf("Read() = %d records (%v); want 400, 200 from each process", len(recs), count)
	}
	data, _ := os.ReadFile(filepath.Join(dir, FileName))
	if lines := strings.Count(string(data), "\n"); lines != 400 {
		t.Errorf("file has %d lines; want 400", lines)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, FileName): 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != want {
			t.Errorf("mode of %s = %v (%v); want %v", path, st.Mode().Perm(), err, want)
		}
	}
}

func TestTornLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := Open(dir)
	for i := 0; i < 3; i++ {
		if err := l.Append(Record{Type: TypeAnswer, Question: fmt.Sprint("q", i)}); err != nil {
			t.Fatal(err)
		}
	}
	// A crash in the middle of the fourth write.
	f, _ := os.OpenFile(l.Path(), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"time":"2026-11-26T10:00:00Z","type":"ans`)
	f.Close()
	before, _ := os.ReadFile(l.Path())

	recs, warns, err := l.Read()
	if err != nil || len(recs) != 3 || len(warns) != 1 || warns[0].Line != 4 {
		t.Fatalf("Read() = %d records, warnings %v, err %v; want 3 records and a warning for line 4", len(recs), warns, err)
	}
	if !strings.Contains(warns[0].String(), "line 4") || !strings.Contains(warns[0].String(), "torn") {
		t.Errorf("warning = %q; want it to name line 4 and say torn", warns[0])
	}
	after, _ := os.ReadFile(l.Path())
	if string(before) != string(after) {
		t.Error("Read() changed the file")
	}

	// The next append ends the torn line first, so the new record is intact.
	if err := l.Append(Record{Type: TypeAnswer, Question: "q4"}); err != nil {
		t.Fatal(err)
	}
	recs, warns, _ = l.Read()
	if len(recs) != 4 || recs[3].Question != "q4" || len(warns) != 1 {
		t.Errorf("after append: %d records (last %q), %d warnings; want 4 (q4), 1", len(recs), recs[len(recs)-1].Question, len(warns))
	}
}

func TestReadCorruptAndMissing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	l := Open(filepath.Join(dir, "never-written"))
	if recs, warns, err := l.Read(); err != nil || recs != nil || warns != nil {
		t.Errorf("Read(missing) = %v, %v, %v; want empty", recs, warns, err)
	}
	path := filepath.Join(dir, FileName)
	os.WriteFile(path, []byte("{\"type\":\"answer\",\"question\":\"a\"}\nnot json\n\n{\"question\":\"no type\"}\n{\"type\":\"hint\",\"kata\":\"k\",\"hint\":1}\n"), 0o600)
	recs, warns, err := Open(dir).Read()
	if err != nil || len(recs) != 2 || len(warns) != 2 || warns[0].Line != 2 || warns[1].Line != 4 {
		t.Errorf("Read() = %d records, warnings %v, %v; want 2 records, warnings for lines 2 and 4", len(recs), warns, err)
	}
}

func TestResolveDir(t *testing.T) {
	tests := []struct {
		name, flag, home, xdg, want string
	}{
		{"flag wins", "/f", "/h", "/x", "/f"},
		{"PROCDOJO_HOME", "", "/h", "/x", "/h"},
		{"XDG_STATE_HOME", "", "", "/x", "/x/procdojo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PROCDOJO_HOME", tt.home)
			t.Setenv("XDG_STATE_HOME", tt.xdg)
			if got, err := ResolveDir(tt.flag); got != tt.want || err != nil {
				t.Errorf("ResolveDir(%q) = %q, %v; want %q", tt.flag, got, err, tt.want)
			}
		})
	}
	t.Run("home", func(t *testing.T) {
		t.Setenv("PROCDOJO_HOME", "")
		t.Setenv("XDG_STATE_HOME", "")
		t.Setenv("HOME", "/home/u")
		if got, _ := ResolveDir(""); got != "/home/u/.local/state/procdojo" {
			t.Errorf("ResolveDir() = %q; want /home/u/.local/state/procdojo", got)
		}
	})
}

func TestUnwritableDir(t *testing.T) {
	t.Parallel()
	// A file where the directory should be fails even for root, who ignores permission bits.
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o600)
	l := Open(filepath.Join(blocker, "state"))
	if err := l.CheckWritable(); err == nil || !strings.Contains(err.Error(), "--data-dir") {
		t.Errorf("CheckWritable() = %v; want an error that suggests --data-dir", err)
	}
	if err := l.Append(Record{Type: TypeAnswer, Time: time.Now()}); err == nil {
		t.Error("Append() into a file path succeeded; want an error")
	}
}
