'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs stages as a pipeline, like the shell's `cmd1 | cmd2 | cmd3` with `set -o pipefail`,
 * but without a shell: each stage's stdout is connected to the next stage's stdin.
 *
 * @param {Array<string[]>} stages  each stage is [file, ...args]
 * @param {{ input?: string }} [options]  input: written to the first stage's stdin
 * @returns {Promise<{ stdout: string, stages: StageStatus[] }>}
 *   Resolves once every stage has exited, if every stage exited with code 0; rejects
 *   otherwise with err.code 'ERR_PIPELINE_FAILED', err.failed, err.stages and err.stdout.
 *
 * @typedef {{ file: string, pid: number|null, code: number|null, signal: string|null, error: string|null }} StageStatus
 */
async function pipeline(stages, options = {}) {
  // TODO: spawn every stage, connect them, and report every stage's status.
  throw new Error('pipeline is not written yet');
}

module.exports = { pipeline };
