'use strict';

const { execFile } = require('node:child_process');

/**
 * Runs file with args, without a shell, and waits for it to end.
 *
 * @param {string} file  the program; a name without a slash is looked up in PATH
 * @param {string[]} args  its arguments, passed as they are (no shell, no globbing)
 * @param {{ timeout?: number, maxBuffer?: number }} [options]
 *   timeout: milliseconds after which the program is killed with SIGTERM (0 or absent: none);
 *   maxBuffer: the most bytes kept of each stream (default 16 MiB); past it the program is
 *   killed and the promise rejects with code 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER'.
 * @returns {Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string, timedOut: boolean }>}
 *   Resolves once the program has ended, whatever its exit code; rejects when it cannot
 *   start (err.code 'ENOENT', 'EACCES').
 */
async function run(file, args, options = {}) {
  // TODO: run file with execFile and resolve with how it ended.
  throw new Error('run is not written yet');
}

module.exports = { run };
