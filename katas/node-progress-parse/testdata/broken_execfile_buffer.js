// Broken: uses execFile to collect stdout, with its default maxBuffer of 1 MiB, so a job with 2 MiB of output is killed.
'use strict';

const { execFile } = require('node:child_process');
const readline = require('node:readline');

function toHundredths(m) {
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 100 + Number(m[4]);
}

function runJob(file, args, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    let duration = null;
    let last = -1;
    let lastOther = '';
    const child = execFile(file, args, (err, stdout) => {
      if (!err) return resolve(stdout);
      if (typeof err.code === 'string') return reject(err);
      reject(Object.assign(new Error(`job failed: ${lastOther}`), { code: 'ERR_JOB_FAILED', exitCode: err.code }));
    });
    readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (update) => {
      const p = /^\s*(\d{1,3})%/.exec(update);
      const t = /time=\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/.exec(update);
      const d = /Duration:\s*(\d+):(\d{2}):(\d{2})\.(\d{2})/.exec(update);
      let pct = null;
      if (p) pct = Number(p[1]);
      else if (t && duration) pct = Math.floor((100 * toHundredths(t)) / duration);
      else if (d) duration = toHundredths(d);
      if (pct === null) {
        if (update.trim()) lastOther = update.trim();
      } else if (Math.min(pct, 100) > last) {
        last = Math.min(pct, 100);
        onProgress(last);
      }
    });
  });
}

module.exports = { runJob };
