// Broken: runs one stage at a time and buffers its whole output in the parent before starting the next.
'use strict';

const { spawn } = require('node:child_process');

function runStage(file, args, input) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    const status = { file, pid: child.pid ?? null, code: null, signal: null, error: null };
    const chunks = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
    child.on('error', (err) => { status.error = err.code; });
    child.on('close', (code, signal) => {
      if (status.error === null) Object.assign(status, { code, signal });
      resolve({ status, output: Buffer.concat(chunks) });
    });
  });
}

async function pipeline(stages, options = {}) {
  const statuses = [];
  let data = Buffer.from(options.input ?? '');
  for (const [file, ...args] of stages) {
    const { status, output } = await runStage(file, args, data);
    statuses.push(status);
    data = output;
  }
  const stdout = data.toString('utf8');
  const failed = statuses.findIndex((s) => s.error !== null || s.code !== 0);
  if (failed < 0) return { stdout, stages: statuses };
  throw Object.assign(new Error(`pipeline: stage ${failed} failed`), { code: 'ERR_PIPELINE_FAILED', failed, stages: statuses, stdout });
}

module.exports = { pipeline };
