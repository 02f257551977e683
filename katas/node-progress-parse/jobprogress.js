'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

const PERCENT = /^\s*(\d{1,3})%/;
const DURATION = /Duration:\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/;
const TIME = /time=\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/;

/** Returns HH:MM:SS.cc, matched by re, in hundredths of a second: integers, so exact. */
function hundredths(m) {
  const [h, min, s, cs] = m.slice(1).map(Number);
  return ((h * 60 + min) * 60 + s) * 100 + cs;
}

/**
 * Runs a job (file with args), follows the progress it reports on stderr, and resolves with
 * what it wrote to stdout.
 *
 * Updates come on stderr, each ending with '\r' (a terminal redraws the line) or '\n'. Two
 * forms are progress:
 *   "  42% 13 - photos/cat.png"   1 to 3 digits and '%' at the start of the update (after
 *                                 spaces): 42
 *   "frame=  120 fps=30 ... time=00:00:04.00 bitrate=..."   100 * time / duration, where
 *                                 duration comes from an earlier line such as
 *                                 "  Duration: 00:00:08.00, start: 0.000000, bitrate: ..."
 *                                 (50 here); a time before any Duration is not progress.
 * A percentage is a whole number, rounded down, computed exactly (4.56 s of 8 s is 57, not
 * 56.99999999999999), and at most 100. onProgress is called, as soon as the job writes the
 * update, with each percentage greater than the last one it got (the first one, even 0,
 * included): never twice the same, never a step back. Every other update is not progress.
 *
 * @param {string} file  the job's program
 * @param {string[]} args  its arguments (no shell)
 * @param {(percent: number) => void} [onProgress]  may be omitted
 * @returns {Promise<string>}  resolves with the job's whole stdout (UTF-8), however large,
 *   once it has exited with status 0.
 *   Rejects with an Error whose code is 'ERR_JOB_FAILED' when the job ends otherwise:
 *   err.exitCode is its exit status (null when a signal killed it), and err.message quotes
 *   the last stderr update that was not progress (a job says why it failed there).
 *   Rejects with Node's error (code 'ENOENT', 'EACCES') when the job cannot start.
 */
function runJob(file, args, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    // stdout and stderr are both read as they come: a pipe nobody reads stalls the job.
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout = [];
    child.stdout.on('data', (chunk) => stdout.push(chunk));

    let duration = null;
    let last = -1;
    let lastOther = '';
    // readline ends a line at '\r' too, and hands each one over at once.
    const updates = readline.createInterface({ input: child.stderr, crlfDelay: Infinity });
    updates.on('line', (update) => {
      let percent = null;
      const p = PERCENT.exec(update);
      const t = TIME.exec(update);
      const d = DURATION.exec(update);
      if (p) {
        percent = Number(p[1]);
      } else if (t && duration) {
        percent = Math.floor((100 * hundredths(t)) / duration);
      } else if (d) {
        duration = hundredths(d) || null;
      }
      if (percent === null) {
        if (update.trim() !== '') lastOther = update.trim();
        return;
      }
      percent = Math.min(percent, 100);
      if (percent > last) {
        last = percent;
        onProgress(percent);
      }
    });

    let startError = null;
    child.on('error', (err) => {
      startError = err;
    });
    child.on('close', (code, signal) => {
      if (startError) {
        reject(startError);
      } else if (code === 0) {
        resolve(Buffer.concat(stdout).toString('utf8'));
      } else {
        const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
        reject(Object.assign(new Error(`job ${how}: ${lastOther || '(nothing on stderr)'}`), {
          code: 'ERR_JOB_FAILED',
          exitCode: code,
        }));
      }
    });
  });
}

module.exports = { runJob };
