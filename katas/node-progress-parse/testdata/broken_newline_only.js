// Broken: splits stderr on '\n' only, so updates that end with '\r' pile up until the job's last line.
'use strict';

const { spawn } = require('node:child_process');

function toHundredths(m) {
  return ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 100 + Number(m[4]);
}

function runJob(file, args, onProgress = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    child.stdout.on('data', (c) => out.push(c));
    let duration = null;
    let last = -1;
    let lastOther = '';
    let rest = '';
    const handle = (text) => {
      for (const update of text.split('\r')) {
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
      }
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      lines.forEach(handle);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (rest) handle(rest);
      if (code === 0) resolve(Buffer.concat(out).toString());
      else reject(Object.assign(new Error(`job failed: ${lastOther}`), { code: 'ERR_JOB_FAILED', exitCode: code }));
    });
  });
}

module.exports = { runJob };
