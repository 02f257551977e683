// Broken: collects the whole output with execFile and splits it at the end, so no line arrives while the program runs.
'use strict';

const { execFile } = require('node:child_process');

function streamLines(file, args, onLine, options = {}) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { signal: options.signal, maxBuffer: 64 << 20 }, (err, stdout) => {
      if (err && typeof err.code === 'string') return reject(err);
      if (err && err.name === 'AbortError') return reject(err);
      const lines = stdout.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      for (const line of lines) onLine(line.replace(/\r$/, ''));
      resolve({ code: err ? (err.signal ? null : err.code) : 0, signal: err ? err.signal ?? null : null });
    });
  });
}

module.exports = { streamLines };
