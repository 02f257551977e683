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
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks = [];
    let kept = 0;
    let truncated = false;
    child.stdout.on('data', (chunk) => {
      if (truncated) return;
      const room = maxBytes - kept;
      if (chunk.length <= room) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, room));
      kept = maxBytes;
      truncated = true;
      child.kill('SIGKILL');
      child.stdout.destroy(); // stop reading; 'close' still waits for the program's exit
    });
    let startError = null;
    child.on('error', (err) => {
      startError ??= err;
    });
    child.on('close', (code, signal) => {
      if (startError) {
        reject(startError);
        return;
      }
      const bytes = Buffer.concat(chunks);
      // A StringDecoder keeps an incomplete character back instead of replacing it.
      const output = truncated ? new StringDecoder('utf8').write(bytes) : bytes.toString('utf8');
      resolve({ output, truncated, code, signal });
    });
  });
}

module.exports = { capture };
