// Broken: passes node's own environment with PATH replaced, so secrets and NODE_OPTIONS reach the script.
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** codedError returns an Error with err.code set to code. */
function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}

/** killGroup sends SIGKILL to the process group pgid; a group that is gone is no error. */
function killGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/**
 * Runs untrusted JavaScript in a new node process (process.execPath), under limits:
 *  - time: after limits.timeMs, the script's whole process group is killed with SIGKILL;
 *  - output: at most limits.outputBytes bytes of stdout and stderr together are kept; the
 *    first byte past that kills the group at once;
 *  - memory: the V8 heap is capped with --max-old-space-size=limits.heapMb; a script that
 *    fills it dies (V8 aborts the process: SIGABRT). Buffers and native memory are not
 *    capped: that needs an rlimit or a cgroup, which Node cannot set on a child;
 *  - environment: exactly PATH=/usr/bin:/bin, so neither secrets nor NODE_OPTIONS reach it;
 *  - no shell; the script is read from stdin (`node -`); its working directory is an empty
 *    temporary folder, removed afterwards; it runs in a process group of its own.
 *
 * @param {string} source  the script
 * @param {{ timeMs: number, outputBytes: number, heapMb?: number }} limits
 *   timeMs and outputBytes: integers > 0; heapMb: an integer > 0, default 64.
 * @returns {Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string, limit: null|'time'|'output'|'memory' }>}
 *   resolves once the script's process has exited and been reaped and its process group
 *   has been sent SIGKILL (whatever the script left running is killed, even when it exited
 *   by itself). code and signal say how the process ended; stdout and stderr are what it
 *   wrote, decoded as UTF-8, at most outputBytes bytes in all; limit names the limit that
 *   ended the script, or is null when it ended by itself.
 *   Rejects with code 'ERR_INVALID_ARG_VALUE' when a limit is invalid (nothing runs), or
 *   with the error of spawn when node cannot start.
 */
async function runSandboxed(source, limits) {
  const { timeMs, outputBytes, heapMb = 64 } = limits ?? {};
  for (const [name, value] of Object.entries({ timeMs, outputBytes, heapMb })) {
    if (!Number.isInteger(value) || value <= 0) {
      throw codedError('ERR_INVALID_ARG_VALUE', `runSandboxed: limits.${name} must be an integer > 0, not ${value}`);
    }
  }
  const cwd = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'sandbox-'));
  try {
    return await run(source, { timeMs, outputBytes, heapMb, cwd });
  } finally {
    await fs.promises.rm(cwd, { recursive: true, force: true });
  }
}

function run(source, { timeMs, outputBytes, heapMb, cwd }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, '-'], {
      cwd,
      env: { ...process.env, PATH: '/usr/bin:/bin' },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let limit = null;
    let kept = 0;
    const out = { stdout: [], stderr: [] };
    const stop = (why) => {
      limit ??= why;
      killGroup(child.pid);
    };
    const timer = setTimeout(() => stop('time'), timeMs);
    for (const name of ['stdout', 'stderr']) {
      child[name].on('data', (chunk) => {
        if (limit === 'output') return; // the rest is dropped
        const room = outputBytes - kept;
        out[name].push(chunk.subarray(0, room));
        kept += Math.min(room, chunk.length);
        if (chunk.length > room) stop('output');
      });
    }
    child.stdin.on('error', () => {}); // the script may exit before it has read everything
    child.stdin.end(source);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    // Once the script is gone, nothing it started may stay: that also closes the pipes
    // that a leftover process would hold open, so that 'close' comes.
    child.once('exit', () => killGroup(child.pid));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (limit === null && signal === 'SIGABRT') limit = 'memory';
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out.stdout).toString('utf8'),
        stderr: Buffer.concat(out.stderr).toString('utf8'),
        limit,
      });
    });
  });
}

module.exports = { runSandboxed };
