// Broken: judges the pipeline by its last stage only, as a shell without pipefail does.
'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs stages as a pipeline, like the shell's `cmd1 | cmd2 | cmd3` with `set -o pipefail`,
 * but without a shell: each stage's stdout is connected to the next stage's stdin.
 *
 * @param {Array<string[]>} stages  each stage is [file, ...args]; file is looked up in PATH
 *   when it has no slash, and args are passed as they are
 * @param {{ input?: string }} [options]
 *   input: written to the first stage's stdin, which is then closed (without input, the
 *   first stage reads /dev/null). Every stage's stderr is the parent's.
 * @returns {Promise<{ stdout: string, stages: StageStatus[] }>}
 *   Resolves once every stage has exited and its pipes have closed, if every stage exited
 *   with code 0: stdout is what the last stage wrote (UTF-8), stages the status of each.
 *   Rejects otherwise (pipefail) with an error whose code is 'ERR_PIPELINE_FAILED', and
 *   err.failed (the index of the first stage that failed), err.stages (the status of every
 *   stage) and err.stdout. A stage that cannot start (err.code 'ENOENT') has failed; the
 *   others run on, and see end-of-file or a closed pipe where it would have been.
 *   Either way, when it settles, every stage has exited and been reaped.
 *
 * @typedef {{ file: string, pid: number|null, code: number|null, signal: string|null, error: string|null }} StageStatus
 *   pid is null and error is the start error's code ('ENOENT') when the stage could not
 *   start; code is its exit code, or null when a signal ended it, then signal names it.
 */
function pipeline(stages, options = {}) {
  if (stages.length === 0) return Promise.reject(new TypeError('pipeline: no stages'));
  return new Promise((resolve, reject) => {
    const statuses = [];
    let left = stages.length;
    let stdout = '';
    let upstream = null; // the previous stage's stdout, which the next stage reads directly

    const done = () => {
      const lastStatus = statuses[statuses.length - 1];
      const failed = lastStatus.error !== null || lastStatus.code !== 0 ? statuses.length - 1 : -1;
      if (failed < 0) {
        resolve({ stdout, stages: statuses });
        return;
      }
      const s = statuses[failed];
      const how = s.error ? `could not start (${s.error})` : s.signal ? `was killed by ${s.signal}` : `exited with code ${s.code}`;
      const err = new Error(`pipeline: stage ${failed} (${s.file}) ${how}`);
      err.code = 'ERR_PIPELINE_FAILED';
      Object.assign(err, { failed, stages: statuses, stdout });
      reject(err);
    };

    stages.forEach(([file, ...args], i) => {
      const last = i === stages.length - 1;
      let stdin = upstream;
      if (i === 0) stdin = options.input === undefined ? 'ignore' : 'pipe';
      // The stages are all spawned in this one synchronous loop: a child's stdout that the
      // parent has not read from yet is handed, as a file descriptor, to the next child.
      const child = spawn(file, args, { stdio: [stdin, 'pipe', 'inherit'] });
      // The next stage holds its own copy now. The parent must not keep one: the writer
      // would never get EPIPE if the reader exited, and the parent might read its data.
      if (upstream) upstream.destroy();
      upstream = child.stdout;

      const status = { file, pid: child.pid ?? null, code: null, signal: null, error: null };
      statuses.push(status);
      if (i === 0 && options.input !== undefined) {
        child.stdin.on('error', () => {}); // EPIPE: the stage exited without reading it all
        child.stdin.end(options.input);
      }
      if (last) {
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (s) => { stdout += s; });
      }
      child.on('error', (err) => { status.error = err.code ?? String(err); });
      child.on('close', (code, signal) => {
        if (status.error === null) {
          status.code = code;
          status.signal = signal;
        }
        left -= 1;
        if (left === 0) done();
      });
    });
  });
}

module.exports = { pipeline };
