// Broken: parses times as floating-point seconds, so 4.56 s of 8 s comes out as 56.99999999999999 and is reported as 56.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

function seconds(m) {
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + parseFloat(`${m[3]}.${m[4]}`);
}

function runJob(file, args, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    let duration = null;
    let last = -1;
    let lastOther = '';
    readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (update) => {
      const p = /^\s*(\d{1,3})%/.exec(update);
      const t = /time=\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/.exec(update);
      const d = /Duration:\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/.exec(update);
      let pct = null;
      if (p) pct = Number(p[1]);
      else if (t && duration) pct = Math.floor((seconds(t) / duration) * 100);
      else if (d) duration = seconds(d);
      if (pct === null) {
        if (update.trim()) lastOther = update.trim();
      } else if (Math.min(pct, 100) > last) {
        last = Math.min(pct, 100);
        onProgress(last);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(Object.assign(new Error(`job failed: ${lastOther}`), { code: 'ERR_JOB_FAILED', exitCode: code }));
    });
  });
}

module.exports = { runJob };
