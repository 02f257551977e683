// Broken: relies on execFile's maxBuffer with encoding 'utf8': the cut is not made in bytes, the child gets SIGTERM (which it may ignore), and the callback comes before the child has exited.
'use strict';

const { execFile } = require('node:child_process');

function capture(file, args, maxBytes) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: maxBytes, encoding: 'utf8' }, (err, stdout) => {
      if (err && err.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        resolve({ output: stdout, truncated: true, code: null, signal: 'SIGKILL' });
      } else if (err && typeof err.code === 'string') {
        reject(err);
      } else {
        resolve({ output: stdout, truncated: false, code: err ? (err.signal ? null : err.code) : 0, signal: err?.signal ?? null });
      }
    });
  });
}

module.exports = { capture };
