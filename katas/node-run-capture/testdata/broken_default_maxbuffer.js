// Broken: keeps execFile's default maxBuffer (1 MiB), so a program with 2 MiB of output is killed.
'use strict';

const { execFile } = require('node:child_process');

function run(file, args, options = {}) {
  const timeout = options.timeout ?? 0;
  const opts = { timeout, encoding: 'utf8' };
  if (options.maxBuffer !== undefined) opts.maxBuffer = options.maxBuffer;
  return new Promise((resolve, reject) => {
    execFile(file, args, opts, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, signal: null, stdout, stderr, timedOut: false });
      if (typeof err.code === 'string') return reject(err);
      resolve({ code: err.signal ? null : err.code, signal: err.signal ?? null, stdout, stderr, timedOut: Boolean(err.killed && timeout > 0) });
    });
  });
}

module.exports = { run };
