// Broken: copies each stage's output to the next with 'data' events and write(), ignoring backpressure.
'use strict';

const { spawn } = require('node:child_process');

function pipeline(stages, options = {}) {
  return new Promise((resolve, reject) => {
    const statuses = [];
    let left = stages.length;
    let stdout = '';
    let prev = null;
    stages.forEach(([file, ...args], i) => {
      const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'inherit'] });
      const status = { file, pid: child.pid ?? null, code: null, signal: null, error: null };
      statuses.push(status);
      child.stdin.on('error', () => {});
      if (i === 0) {
        child.stdin.end(options.input ?? '');
      } else {
        prev.stdout.on('data', (data) => child.stdin.write(data));
        prev.stdout.on('end', () => child.stdin.end());
      }
      if (i === stages.length - 1) {
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (s) => { stdout += s; });
      }
      child.on('error', (err) => { status.error = err.code; });
      child.on('close', (code, signal) => {
        if (status.error === null) Object.assign(status, { code, signal });
        if (--left > 0) return;
        const failed = statuses.findIndex((s) => s.error !== null || s.code !== 0);
        if (failed < 0) return resolve({ stdout, stages: statuses });
        reject(Object.assign(new Error(`pipeline: stage ${failed} failed`), { code: 'ERR_PIPELINE_FAILED', failed, stages: statuses, stdout }));
      });
      prev = child;
    });
  });
}

module.exports = { pipeline };
