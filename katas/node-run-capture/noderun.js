'use strict';

const { execFile } = require('node:child_process');

const DEFAULT_MAX_BUFFER = 16 * 1024 * 1024;

/**
 * Runs file with args, without a shell, and waits for it to end.
 *
 * @param {string} file  the program; a name without a slash is looked up in PATH
 * @param {string[]} args  its arguments, passed as they are (no shell, no globbing)
 * @param {{ timeout?: number, maxBuffer?: number }} [options]
 * @returns {Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string, timedOut: boolean }>}
 */
function run(file, args, options = {}) {
  const timeout = options.timeout ?? 0;
  const maxBuffer = options.maxBuffer ?? DEFAULT_MAX_BUFFER;
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, maxBuffer, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ code: 0, signal: null, stdout, stderr, timedOut: false });
        return;
      }
      if (typeof err.code === 'string') {
        // The program never started (ENOENT, EACCES), or its output passed maxBuffer.
        reject(err);
        return;
      }
      resolve({
        code: err.signal ? null : err.code,
        signal: err.signal ?? null,
        stdout,
        stderr,
        timedOut: Boolean(err.killed && timeout > 0 && err.signal === 'SIGTERM'),
      });
    });
  });
}

module.exports = { run };
