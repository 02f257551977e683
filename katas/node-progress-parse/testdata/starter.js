'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

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
  // TODO: spawn the job, parse stderr as it comes, collect stdout, settle on 'close'.
  return Promise.reject(new Error('runJob is not written yet'));
}

module.exports = { runJob };
