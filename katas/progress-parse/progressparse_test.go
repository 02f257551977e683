package progressparse

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func init() {
	helpers["ffmpeg"] = func(args []string) int { return fakeJob("ffmpeg", args) }
	helpers["pack"] = func(args []string) int { return fakeJob("pack", args) }
}

// ackWait is how long a fake job waits for a percentage to be reported before it gives up
// with exit status 3. It is shorter than the tests' deadline, so a Run that reports late
// fails with a message instead of a timeout.
const ackWait = 3 * time.Second

// fakeJob is a transcoder ("ffmpeg": updates as "frame=... time=HH:MM:SS.ss ...", for an
// input of 8 seconds unless -duration says otherwise) or an archiver ("pack": updates as
// "progress=NN%"). Flags:
//
//	-steps LIST  comma-separated seconds (ffmpeg) or percentages (pack), one update each,
//	             each update ending with '\r'; a final '\n' follows the last one
//	-duration S  ffmpeg: the input lasts S seconds (default 8)
//	-ack DIR     after an update with a new percentage P, wait until the file DIR/P exists
//	             (the test's callback creates it) before going on; exit 3 after ackWait
//	-noise N     write about N bytes of banner lines on stderr before the first update
//	-bigout N    write N bytes on stdout half way through the updates
//	-fail MSG    after the updates, print MSG on stderr and exit 1 instead of finishing
//
// On success it writes its result line on stdout and exits 0.
func fakeJob(kind string, args []string) int {
	fs := flag.NewFlagSet(kind, flag.ContinueOnError)
	steps := fs.String("steps", "", "")
	ackDir := fs.String("ack", "", "")
	noise := fs.Int("noise", 0, "")
	bigout := fs.Int("bigout", 0, "")
	fail := fs.String("fail", "", "")
	seconds := fs.Int("duration", 8, "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	duration := *seconds * 100 // hundredths of a second

	if kind == "ffmpeg" {
		fmt.Fprint(os.Stderr, "ffmpeg version 6.1 Copyright (c) 2000-2023 the FFmpeg developers\n",
			"Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'in.mp4':\n",
			"  Duration: "+clock(*seconds)+".00, start: 0.000000, bitrate: 1205 kb/s\n")
	}
	for n := 0; n < *noise; n += 80 {
		fmt.Fprintf(os.Stderr, "  Stream #0:%d: Video: h264 (High), yuv420p, 1280x720, 1200 kb/s, 30 fps %7d\n", n%7, n)
	}

	list := strings.Split(*steps, ",")
	last := -1
	for i, s := range list {
		v, _ := strconv.Atoi(s)
		pct := v
		if kind == "ffmpeg" {
			pct = v * 100 * 100 / duration
			fmt.Fprintf(os.Stderr, "frame=%5d fps= 30 q=28.0 size=%8dkB time=%s.00 bitrate=1048.6kbits/s speed=1.01x \r",
				v*30, v*128, clock(v))
		} else {
			fmt.Fprintf(os.Stderr, "progress=%d%%\r", v)
		}
		if *ackDir != "" && pct > last {
			if !waitForAck(filepath.Join(*ackDir, strconv.Itoa(pct))) {
				fmt.Fprintf(os.Stderr, "\n%s: no one reported %d%% within %v; giving up\n", kind, pct, ackWait)
				return 3
			}
		}
		last = max(last, pct)
		if *bigout > 0 && i == len(list)/2 {
			os.Stdout.Write([]byte(strings.Repeat("0123456789abcde\n", *bigout/16)))
		}
	}
	fmt.Fprint(os.Stderr, "\n")
	if *fail != "" {
		fmt.Fprintln(os.Stderr, *fail)
		return 1
	}
	if kind == "ffmpeg" {
		fmt.Fprintln(os.Stderr, "video:1024kB audio:128kB subtitle:0kB other streams:0kB muxing overhead: 0.51%")
		fmt.Println("out.mp4")
	} else {
		fmt.Println("archive.zip")
	}
	return 0
}

// clock formats seconds as ffmpeg does, without the hundredths: "HH:MM:SS".
func clock(seconds int) string {
	return fmt.Sprintf("%02d:%02d:%02d", seconds/3600, seconds/60%60, seconds%60)
}

func waitForAck(path string) bool {
	for deadline := time.Now().Add(ackWait); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
	}
	return false
}

// recorder is the test's onProgress: it records each percentage and acknowledges it to
// the fake job by creating a file named after it.
type recorder struct {
	dir string
	mu  sync.Mutex
	got []int
}

func (r *recorder) report(pct int) {
	r.mu.Lock()
	r.got = append(r.got, pct)
	r.mu.Unlock()
	os.WriteFile(filepath.Join(r.dir, strconv.Itoa(pct)), nil, 0o644)
}

func (r *recorder) reported() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		job      string
		flags    []string
		want     []int  // percentages reported, in order
		wantOut  string // "" to check only the length
		outLen   int
		wantExit int    // 0 for success
		wantMsg  string // part of the error message, for a failing job
	}{
		{name: "ffmpeg time= lines", job: "ffmpeg", flags: []string{"-steps", "1,2,4,4,6,8"},
			want: []int{12, 25, 50, 75, 100}, wantOut: "out.mp4\n"},
		{name: "progress=NN% lines", job: "pack", flags: []string{"-steps", "5,20,20,64,100"},
			want: []int{5, 20, 64, 100}, wantOut: "archive.zip\n"},
		{name: "0% is a percentage too", job: "pack", flags: []string{"-steps", "0,0,50,100"},
			want: []int{0, 50, 100}, wantOut: "archive.zip\n"},
		{name: "a percentage that goes back is not reported", job: "pack", flags: []string{"-steps", "10,40,30,40,90"},
			want: []int{10, 40, 90}, wantOut: "archive.zip\n"},
		// 1:02:03 is 3723 s: 600 s is 16.1%, 1861 s is 49.98%.
		{name: "hours and minutes", job: "ffmpeg", flags: []string{"-duration", "3723", "-steps", "600,1861,3723"},
			want: []int{16, 49, 100}, wantOut: "out.mp4\n"},
		{name: "much stderr before the first update", job: "ffmpeg", flags: []string{"-steps", "4,8", "-noise", "300000"},
			want: []int{50, 100}, wantOut: "out.mp4\n"},
		{name: "much stdout during the updates", job: "ffmpeg", flags: []string{"-steps", "2,4,6,8", "-bigout", "300000"},
			want: []int{25, 50, 75, 100}, outLen: 300000/16*16 + len("out.mp4\n")},
		{name: "job fails half way", job: "ffmpeg",
			flags:    []string{"-steps", "2,4", "-fail", "in.mp4: Invalid data found when processing input"},
			want:     []int{25, 50},
			wantExit: 1, wantMsg: "in.mp4: Invalid data found when processing input"},
	}
	// A job that is not reported in time waits ackWait for nothing: start every case at
	// once, rather than two at a time as t.Parallel would on two cores, then check each.
	type outcome struct {
		out     string
		err     error
		got     []int
		expired bool
	}
	exe := helperPath(t)
	outcomes := make([]chan outcome, len(tests))
	for i, tt := range tests {
		rec := &recorder{dir: t.TempDir()}
		args := helperArgs(tt.job, append([]string{"-ack", rec.dir}, tt.flags...)...)
		outcomes[i] = make(chan outcome, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
			defer cancel()
			out, err := Run(ctx, exe, args, rec.report)
			outcomes[i] <- outcome{out, err, rec.reported(), ctx.Err() != nil}
		}()
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := <-outcomes[i]
			out, err, got := o.out, o.err, o.got
			call := fmt.Sprintf("Run(%s %s)", tt.job, strings.Join(tt.flags, " "))

			var exitErr *exec.ExitError
			switch {
			case o.expired:
				t.Fatalf("%s did not return within 8s; reported %v so far. The job blocked writing to a full"+
					" pipe: read stdout and stderr at the same time (one of them in another goroutine)", call, got)
			case errors.As(err, &exitErr) && exitErr.ExitCode() == 3:
				t.Fatalf("%s = %v\nreported %v in all; want %v, each as soon as the job prints it. The job"+
					" waits until each new percentage is reported and gave up after %v: call onProgress when"+
					" an update ends with '\\r' or '\\n', while the job runs", call, err, got, tt.want, ackWait)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("%s reported %v; want %v (each percentage once, in order, only when it grows, rounded down)", call, got, tt.want)
			}
			if tt.wantExit == 0 {
				if err != nil {
					t.Errorf("%s error = %v; want nil", call, err)
				}
				if tt.wantOut != "" && out != tt.wantOut {
					t.Errorf("%s output = %q; want %q (the job's stdout)", call, out, tt.wantOut)
				}
				if tt.outLen != 0 && len(out) != tt.outLen {
					t.Errorf("%s output has %d bytes; want %d (the job's stdout)", call, len(out), tt.outLen)
				}
				return
			}
			if !errors.As(err, &exitErr) || exitErr.ExitCode() != tt.wantExit {
				t.Errorf("%s error = %v; want one wrapping *exec.ExitError with status %d", call, err, tt.wantExit)
			} else if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("%s error = %q; want it to quote the job's last stderr line %q", call, err, tt.wantMsg)
			}
		})
	}
}

func TestRunNilCallback(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	out, err := Run(ctx, helperPath(t), helperArgs("pack", "-steps", "10,100"), nil)
	if err != nil || out != "archive.zip\n" {
		t.Errorf("Run(pack, onProgress nil) = %q, %v; want %q, nil", out, err, "archive.zip\n")
	}
}
