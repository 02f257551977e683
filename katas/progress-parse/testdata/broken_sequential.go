// Broken: reads all of stdout, then stderr, so a job that fills the stderr pipe first blocks for ever.

// Package progressparse runs a long job, such as a transcoder, and reports its progress
// while it runs by parsing the updates the job writes on stderr.
package progressparse

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"os/exec"
	"strconv"
	"strings"
)

// Run runs name with args, returns what it wrote on stdout, and calls onProgress (if not
// nil) with each new percentage, 0 to 100, as soon as the job reports it on stderr.
//
// Updates end with '\r' (redrawing one terminal line) or '\n'. Two forms are understood:
//
//	progress=42%                                     42
//	frame=  120 fps=30 ... time=00:00:04.00 ...      time / Duration, 50 if Duration was 8s
//
// where Duration comes from an earlier ffmpeg line such as "  Duration: 00:00:08.00, start:
// 0.000000, ...". Percentages are rounded down and reported only when they grow. Other
// stderr lines are noise, but the last one is quoted in the error if the job fails (the
// error then wraps *exec.ExitError). onProgress is called from Run's goroutine.
func Run(ctx context.Context, name string, args []string, onProgress func(percent int)) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)

	// stdout goes to a buffer that os/exec fills from its own goroutine, while this one
	// reads stderr: each pipe is drained as the job writes it, so the job never blocks on
	// a full pipe that we are not reading.
	stdoutPipe, err := cmd.StdoutPipe()
	if err != nil {
		return "", fmt.Errorf("progressparse: %w", err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", fmt.Errorf("progressparse: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("progressparse: starting %q: %w", name, err)
	}

	// First the result, then the updates.
	var stdout bytes.Buffer
	io.Copy(&stdout, stdoutPipe)

	p := parser{report: onProgress, last: -1}
	sc := bufio.NewScanner(stderr)
	sc.Split(scanUpdates)
	for sc.Scan() {
		p.parse(sc.Text())
	}
	if sc.Err() != nil {
		// A line too long for the Scanner: not worth failing for, but keep draining
		// stderr, or the job would block on it and Wait would never return.
		io.Copy(io.Discard, stderr)
	}

	// Wait after stderr reached EOF; it also waits for the stdout copy to finish.
	if err := cmd.Wait(); err != nil {
		if p.lastNoise != "" {
			return stdout.String(), fmt.Errorf("progressparse: %q: %w: %s", name, err, p.lastNoise)
		}
		return stdout.String(), fmt.Errorf("progressparse: %q: %w", name, err)
	}
	return stdout.String(), nil
}

// scanUpdates is bufio.ScanLines that also ends a token at '\r': a progress meter rewrites
// its line with '\r' and sends '\n' only at the very end.
func scanUpdates(data []byte, atEOF bool) (advance int, token []byte, err error) {
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		return i + 1, data[:i], nil
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil // ask for more data
}

// parser turns stderr lines into percentages.
type parser struct {
	report    func(int)
	last      int    // last percentage reported, -1 before the first
	duration  int    // the input's duration in hundredths of a second; 0 until known
	lastNoise string // the last line that was not a progress update
}

func (p *parser) parse(line string) {
	line = strings.TrimSpace(line)
	if line == "" {
		return
	}
	pct, ok := p.percent(line)
	if !ok {
		p.lastNoise = line
		return
	}
	pct = min(max(pct, 0), 100)
	if pct > p.last {
		p.last = pct
		if p.report != nil {
			p.report(pct)
		}
	}
}

// percent reads a progress update; ok is false for any other line.
func (p *parser) percent(line string) (pct int, ok bool) {
	if v, found := strings.CutPrefix(line, "progress="); found {
		n, err := strconv.Atoi(strings.TrimSuffix(v, "%"))
		return n, err == nil
	}
	if _, rest, found := strings.Cut(line, "Duration: "); found {
		clock, _, _ := strings.Cut(rest, ",")
		if d, ok := centiseconds(clock); ok {
			p.duration = d
		}
		return 0, false
	}
	if _, rest, found := strings.Cut(line, "time="); found {
		clock, _, _ := strings.Cut(rest, " ")
		t, ok := centiseconds(clock)
		if !ok || p.duration <= 0 {
			return 0, false
		}
		return t * 100 / p.duration, true // integer division rounds down
	}
	return 0, false
}

// centiseconds parses "HH:MM:SS.ss" into hundredths of a second.
func centiseconds(clock string) (int, bool) {
	parts := strings.Split(clock, ":")
	if len(parts) != 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	s, err3 := strconv.ParseFloat(parts[2], 64)
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, false
	}
	return (h*3600+m*60)*100 + int(math.Round(s*100)), true
}
