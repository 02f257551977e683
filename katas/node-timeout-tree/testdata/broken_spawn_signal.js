// Broken: hands the AbortSignal to spawn, which kills only the program when it aborts.
'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs file with args in a process group of its own, with a time limit that stops the whole
 * group: the program and every process it started.
 *
 * @param {string} file  the program; a name without a slash is looked up in PATH
 * @param {string[]} args  its arguments, passed as they are (no shell)
 * @param {{ timeout: number, grace?: number, signal?: AbortSignal }} options
 *   timeout: milliseconds after which the group is sent SIGTERM (0: no time limit);
 *   grace: milliseconds between that SIGTERM and a SIGKILL to the group, if the program's
 *   output is still open by then (default 2000);
 *   signal: aborting it stops the group in the same way.
 * @returns {Promise<{ code: number|null, signal: string|null, timedOut: boolean, stdout: string }>}
 *   Resolves once the program has exited AND its stdout has closed (the 'close' event), so
 *   stdout is complete: code is its exit code, or null when a signal ended it, then signal
 *   names it; timedOut is true when the time limit stopped it.
 *   Rejects with Node's error (err.code 'ENOENT', 'EACCES') when the program cannot start,
 *   and with an error named 'AbortError' (err.code 'ABORT_ERR') when signal was aborted
 *   first.
 *   When it settles after the time limit or an abort, every process of the group has been
 *   sent SIGKILL.
 */
function run(file, args, options = {}) {
  const { timeout = 0, grace = 2000, signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(signal));
      return;
    }
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'pipe', 'inherit'], signal });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (s) => { stdout += s; });

    let settled = false;
    let stopping = null; // why the group is being stopped: 'timeout' or 'abort'
    let killTimer = null;

    // A negative pid names the process group whose id is the program's pid (detached: true
    // made it a group leader); the processes it starts join that group.
    const killGroup = (sig) => {
      try {
        process.kill(-child.pid, sig);
      } catch (err) {
        if (err.code !== 'ESRCH') throw err; // ESRCH: nothing left in the group
      }
    };
    const stop = (why) => {
      if (stopping || settled || child.pid === undefined) return;
      stopping = why;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), grace);
    };

    const timer = timeout > 0 ? setTimeout(() => stop('timeout'), timeout) : null;
    const onAbort = () => {};

    const finish = () => {
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (err) => {
      // A failed start, or spawn's own AbortError.
      if (settled) return;
      finish();
      reject(err);
    });
    child.on('close', (code, sig) => {
      if (settled) return;
      finish();
      if (stopping) killGroup('SIGKILL'); // whatever of the group ignored SIGTERM
      if (stopping === 'abort') {
        reject(abortError(signal));
      } else {
        resolve({ code, signal: sig, timedOut: stopping === 'timeout', stdout });
      }
    });
  });
}

function abortError(signal) {
  const err = new Error('The operation was aborted', { cause: signal.reason });
  err.name = 'AbortError';
  err.code = 'ABORT_ERR';
  return err;
}

module.exports = { run };
