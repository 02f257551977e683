'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

/**
 * Runs file with args and calls onLine with each line of its stdout as soon as the line is
 * complete, while the program still runs: a log monitor.
 *
 * A line ends at '\n', and is passed without it (and without a '\r' just before it); empty
 * lines are passed too, and so is a last line without '\n'. Lines are decoded as UTF-8, and
 * a character split across two reads arrives whole. The program's stdin and stderr are not
 * pipes that anyone must read: they are ignored.
 *
 * @param {string} file  the program; a name without a slash is looked up in PATH
 * @param {string[]} args  its arguments (no shell)
 * @param {(line: string) => void} onLine  called once per line, in order
 * @param {{ signal?: AbortSignal }} [options]
 * @returns {Promise<{ code: number|null, signal: string|null }>}
 *   Resolves after the last onLine call, once the program has exited AND its stdout has
 *   closed (the child's 'close' event: a process it started may hold stdout open after it
 *   exited): code is its exit status, or null when a signal ended it, then signal names it.
 *   Rejects with Node's error (err.code 'ENOENT', 'EACCES') when the program cannot start;
 *   onLine is never called.
 *   When options.signal aborts: onLine is not called any more, not even for lines already
 *   received; the program gets SIGTERM; the promise rejects with an error whose name is
 *   'AbortError', once the program has exited.
 */
function streamLines(file, args, onLine, options = {}) {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], signal });
    let failure = null;
    // 'error' comes when the program cannot start, and when signal aborts (spawn then sends
    // it SIGTERM); either way, 'close' follows once the program and its stdout are done.
    child.on('error', (err) => {
      failure ??= err;
    });
    const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => {
      if (failure || signal?.aborted) return;
      onLine(line);
    });
    child.on('close', (code, sig) => {
      if (failure) {
        reject(failure);
        return;
      }
      resolve({ code, signal: sig });
    });
  });
}

module.exports = { streamLines };
