package jobprogress

// The tests call runJob() in node on real jobs: the test binary, started as the "job"
// helper, which fakes a transcoder (ffmpeg's "time=" updates, an input of 8 seconds) or an
// archiver ("NN%" updates). After each update with a new percentage, the job waits until
// the test's onProgress has been called with it: a runJob that reports late (at the end, or
// only when a '\n' comes) makes the job give up.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func init() {
	helpers["job"] = job
}

// ackWait is how long the job waits for onProgress to get a new percentage before it gives
// up with exit status 3: well within the tests' deadline, generous for a loaded machine.
const ackWait = 10 * time.Second

// duration is the length of the transcoder's input, in hundredths of a second.
const duration = 800

// job fakes a long job. Flags:
//
//	-kind K     "ffmpeg": a banner with "Duration: 00:00:08.00", then updates
//	            "frame=... time=HH:MM:SS.cc ..."; "pack": updates " NN% N - file"
//	-steps L    comma-separated updates: hundredths of a second ("na" for time=N/A) for
//	            ffmpeg, percentages for pack; each update ends with '\r', and a '\n' follows
//	            the last one
//	-ack DIR    after an update with a new percentage P (greater than every one before,
//	            at most 100), wait until the file DIR/P exists (onProgress creates it);
//	            after ackWait, write "no ack for P%" to stderr and exit 3
//	-noise N    write about N bytes of banner lines to stderr before the first update
//	-bigout N   write N bytes to stdout half way through the updates
//	-fail MSG   after the updates, write MSG and '\n' to stderr and exit 1
//
// Otherwise it writes "done: K\n" to stdout and exits 0.
func job(args []string) int {
	time.AfterFunc(90*time.Second, func() { os.Exit(98) }) // in case nobody stops it
	fs := flag.NewFlagSet("job", flag.ContinueOnError)
	kind := fs.String("kind", "pack", "")
	steps := fs.String("steps", "", "")
	ackDir := fs.String("ack", "", "")
	noise := fs.Int("noise", 0, "")
	bigout := fs.Int("bigout", 0, "")
	fail := fs.String("fail", "", "")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *kind == "ffmpeg" {
		os.Stderr.WriteString("ffmpeg version 6.1 Copyright (c) 2000-2023 the FFmpeg developers\n" +
			"Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'in.mp4':\n" +
			"  Duration: 00:00:08.00, start: 0.000000, bitrate: 1205 kb/s\n")
	}
	var banner strings.Builder
	for n := 0; banner.Len() < *noise; n++ {
		fmt.Fprintf(&banner, "  Stream #0:%d: Video: h264 (High), yuv420p, 1280x720, %d kb/s, 30%% keyframes\n", n%7, 1000+n%500)
	}
	os.Stderr.WriteString(banner.String())
	list := strings.Split(*steps, ",")
	last := -1
	for i, s := range list {
		if i == len(list)/2 && *bigout > 0 {
			os.Stdout.WriteString(strings.Repeat("x", *bigout-1) + "\n")
		}
		pct := -1
		switch {
		case *kind == "ffmpeg" && s == "na":
			fmt.Fprintf(os.Stderr, "frame=    0 fps=0.0 q=0.0 size=       0kB time=N/A bitrate=N/A speed=N/A    \r")
		case *kind == "ffmpeg":
			cs, _ := strconv.Atoi(s)
			fmt.Fprintf(os.Stderr, "frame=%5d fps=30 q=28.0 size=%8dkB time=%02d:%02d:%02d.%02d bitrate=1205.3kbits/s speed=1.01x    \r",
				cs*30/100, cs*15, cs/360000, cs/6000%60, cs/100%60, cs%100)
			pct = min(100, 100*cs/duration)
		default:
			pct, _ = strconv.Atoi(s)
			fmt.Fprintf(os.Stderr, "%3d%% %d - photos/img%04d.png\r", pct, i, i)
			pct = min(100, pct)
		}
		if pct > last {
			last = pct
			if *ackDir != "" && !waitFile(filepath.Join(*ackDir, strconv.Itoa(pct)), ackWait) {
				fmt.Fprintf(os.Stderr, "\nno ack for %d%%\n", pct)
				return 3
			}
		}
	}
	os.Stderr.WriteString("\n")
	if *fail != "" {
		os.Stderr.WriteString(*fail + "\n")
		return 1
	}
	fmt.Printf("done: %s\n", *kind)
	return 0
}

func waitFile(path string, d time.Duration) bool {
	for start := time.Now(); time.Since(start) < d; time.Sleep(5 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
	}
	return false
}

// outcome is how runJob settled, and what onProgress got by then.
type outcome struct {
	Stdout *string `json:"stdout"`
	Error  *struct {
		Name     string `json:"name"`
		Message  string `json:"message"`
		Code     any    `json:"code"`
		ExitCode *int   `json:"exitCode"`
	} `json:"error"`
	Progress []int `json:"progress"`
}

func (o outcome) String() string {
	got := fmt.Sprintf("onProgress got %v", o.Progress)
	if len(o.Progress) > 20 {
		got = fmt.Sprintf("onProgress got %v and %d more", o.Progress[:20], len(o.Progress)-20)
	}
	switch {
	case o.Stdout != nil:
		return fmt.Sprintf("resolved with %s (%d bytes); %s", quoteCap(*o.Stdout), len(*o.Stdout), got)
	case o.Error != nil:
		exit := "no exitCode"
		if o.Error.ExitCode != nil {
			exit = "exitCode " + strconv.Itoa(*o.Error.ExitCode)
		}
		code := "no code"
		if o.Error.Code != nil {
			code = fmt.Sprintf("code %v", o.Error.Code)
		}
		return fmt.Sprintf("rejected with %s (%s, %s): %s; %s", o.Error.Name, code, exit, capText(o.Error.Message, 300), got)
	}
	return "did not settle; " + got
}

func quoteCap(s string) string {
	if len(s) > 60 {
		return strconv.Quote(s[:60]) + "..."
	}
	return strconv.Quote(s)
}

// runJob calls runJob on the job with flags (plus -ack), with an onProgress that records
// each percentage and acknowledges it (or without onProgress when noCallback), and returns
// how it settled.
func runJob(t *testing.T, noCallback bool, flags ...string) outcome {
	t.Helper()
	ackDir := t.TempDir()
	if !noCallback {
		flags = append([]string{"-ack", ackDir}, flags...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 75*time.Second)
	defer cancel()
	r := runNode(t, ctx, `const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const progress = [];
const onProgress = (p) => {
  progress.push(p);
  writeFileSync(join(ackDir, String(p)), '');
};
try {
  const out = noCallback ? await mod.runJob(file, args) : await mod.runJob(file, args, onProgress);
  report({ stdout: out, progress });
} catch (e) {
  report({ error: { name: e.name, message: String(e.message), code: e.code ?? null, exitCode: typeof e.exitCode === 'number' ? e.exitCode : null }, progress });
}`, nodeVars{"file": helperPath(t), "args": helperArgs("job", flags...), "ackDir": ackDir, "noCallback": noCallback})
	if r.TimedOut {
		t.Fatalf("runJob(job %q) did not settle within 75s; want it to settle once the job has ended", flags)
	}
	if r.Err != nil {
		t.Fatalf("runJob(job %q): node failed: %v", flags, r.Err)
	}
	var o outcome
	r.Report(t, 0, &o)
	return o
}

func TestRunJobProgress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		flags []string
		want  []int
		why   string
	}{
		{"transcoder", []string{"-kind", "ffmpeg", "-steps", "na,0,100,200,200,456,600,800"}, []int{0, 12, 25, 57, 75, 100},
			"time / 8 s, rounded down; 00:00:04.56 is exactly 57% (work in hundredths, as integers); time=N/A and a repeated time are not progress"},
		{"transcoder past the end", []string{"-kind", "ffmpeg", "-steps", "400,799,804"}, []int{50, 99, 100},
			"00:00:08.04 of 8 s is capped at 100"},
		{"archiver", []string{"-kind", "pack", "-steps", "0,10,10,20,15,30,100"}, []int{0, 10, 20, 30, 100},
			"each percentage once, never a step back (20 then 15)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o := runJob(t, false, tc.flags...)
			if o.Stdout == nil || !slices.Equal(o.Progress, tc.want) {
				t.Errorf("runJob(job %q) %v; want onProgress called with %v, each as soon as the job writes it, then the job's stdout: %s", tc.flags, o, tc.want, tc.why)
			}
		})
	}
}

func TestRunJobStdout(t *testing.T) {
	t.Parallel()
	const big = 2 << 20
	o := runJob(t, false, "-kind", "pack", "-steps", "10,50,90", "-noise", "300000", "-bigout", strconv.Itoa(big))
	want := strings.Repeat("x", big-1) + "\ndone: pack\n"
	if o.Stdout == nil || *o.Stdout != want || !slices.Equal(o.Progress, []int{10, 50, 90}) {
		t.Errorf("runJob(job, 300 KB of banner on stderr, 2 MiB on stdout) %v; want [10 50 90] and the whole stdout, %d bytes ending in \"done: pack\\n\": read both pipes as the job writes them, without a maxBuffer limit; and a '%%' inside a banner line is not progress", o, len(want))
	}
}

func TestRunJobFails(t *testing.T) {
	t.Parallel()
	const why = "Error while decoding stream #0:0: Invalid data found when processing input"
	o := runJob(t, false, "-kind", "ffmpeg", "-steps", "200,400", "-fail", why)
	if o.Error == nil || o.Error.Code != "ERR_JOB_FAILED" || o.Error.ExitCode == nil || *o.Error.ExitCode != 1 ||
		!strings.Contains(o.Error.Message, why) || !slices.Equal(o.Progress, []int{25, 50}) {
		t.Errorf("runJob(job failing after 50%%) %v; want [25 50], then a rejection with code 'ERR_JOB_FAILED', exitCode 1 and a message that quotes the job's last word on stderr, %q", o, why)
	}
}

func TestRunJobNoCallback(t *testing.T) {
	t.Parallel()
	o := runJob(t, true, "-kind", "ffmpeg", "-steps", "200,800")
	if o.Stdout == nil || *o.Stdout != "done: ffmpeg\n" {
		t.Errorf("runJob(job) without onProgress %v; want it to resolve with \"done: ffmpeg\\n\"", o)
	}
}

func TestRunJobNotFound(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	r := runNode(t, ctx, `report(await mod.runJob('procdojo-no-such-program', [], () => {}));`, nil)
	if r.Err == nil || r.Err.Code != "ENOENT" {
		got, _ := json.Marshal(r.Reports)
		t.Errorf("runJob(\"procdojo-no-such-program\") = %s, error %v; want a rejection with code 'ENOENT' (listen to the child's 'error' event)", got, r.Err)
	}
}
