// Broken: calls onProgress for every update it parses, so a repeated percentage is reported twice and progress can go back; and it finds a '%' anywhere in a line.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

function toHundredths(m) {
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 100 + Number(m[4]);
}

function runJob(file, args, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    let duration = null;
    let lastOther = '';
    readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (update) => {
      const p = /(\d{1,3})%/.exec(update);
      const t = /time=\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/.exec(update);
      const d = /Duration:\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/.exec(update);
      if (p) onProgress(Math.min(Number(p[1]), 100));
      else if (t && duration) onProgress(Math.min(Math.floor((100 * toHundredths(t)) / duration), 100));
      else if (d) duration = toHundredths(d);
      else if (update.trim()) lastOther = update.trim();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(Object.assign(new Error(`job failed: ${lastOther}`), { code: 'ERR_JOB_FAILED', exitCode: code }));
    });
  });
}

module.exports = { runJob };
