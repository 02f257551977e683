'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs untrusted JavaScript in a new node process (process.execPath), under limits: time
 * (kill the whole process group), output (kill on the first byte past outputBytes), memory
 * (--max-old-space-size), environment (exactly PATH=/usr/bin:/bin), no shell.
 *
 * @param {string} source  the script
 * @param {{ timeMs: number, outputBytes: number, heapMb?: number }} limits
 *   timeMs and outputBytes: integers > 0; heapMb: an integer > 0, default 64.
 * @returns {Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string, limit: null|'time'|'output'|'memory' }>}
 *   resolves once the script has exited and its process group has been sent SIGKILL;
 *   rejects with code 'ERR_INVALID_ARG_VALUE' when a limit is invalid.
 */
async function runSandboxed(source, limits) {
  // TODO: spawn node in its own process group, feed it source, enforce the limits.
  throw new Error('runSandboxed is not written yet');
}

module.exports = { runSandboxed };
