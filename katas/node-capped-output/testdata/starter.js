'use strict';

const { spawn } = require('node:child_process');
const { StringDecoder } = require('node:string_decoder');

/**
 * Runs file with args and keeps at most maxBytes bytes of its stdout, however much it writes.
 *
 * The program's stdin and stderr are ignored (no pipe that anyone must read).
 *
 * @param {string} file  the program; a name without a slash is looked up in PATH
 * @param {string[]} args  its arguments (no shell)
 * @param {number} maxBytes  the most bytes of stdout kept: bytes, not characters
 * @returns {Promise<{ output: string, truncated: boolean, code: number|null, signal: string|null }>}
 *   Settles only once the program has exited: no process is left behind.
 *   If the program writes at most maxBytes bytes (exactly maxBytes is not too many): output
 *   is all of it, decoded as UTF-8; truncated is false; code is its exit status, or null
 *   when a signal ended it, then signal names it.
 *   If it writes more: as soon as stdout passes maxBytes, the program is killed with
 *   SIGKILL (it may ignore SIGTERM and SIGPIPE), and nothing more is kept; output is the
 *   first maxBytes bytes decoded as UTF-8, without a character that the cap cut in two
 *   (so Buffer.byteLength(output) <= maxBytes, and no U+FFFD appears at the end); truncated
 *   is true; code and signal say how it ended (signal 'SIGKILL' when the kill ended it).
 *   Rejects with Node's error (err.code 'ENOENT', 'EACCES') when the program cannot start.
 */
function capture(file, args, maxBytes) {
  // TODO: spawn the program, keep at most maxBytes bytes of stdout, kill it past them.
  return Promise.reject(new Error('capture is not written yet'));
}

module.exports = { capture };
