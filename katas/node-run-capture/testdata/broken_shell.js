// Broken: joins the arguments into one command line for exec(), so a shell interprets them.
'use strict';

const { exec } = require('node:child_process');

function run(file, args, options = {}) {
  const timeout = options.timeout ?? 0;
  const line = [file, ...args].map((a) => `"${a}"`).join(' ');
  return new Promise((resolve, reject) => {
    exec(line, { timeout, maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve({ code: 0, signal: null, stdout, stderr, timedOut: false });
      if (typeof err.code === 'string') return reject(err);
      if (err.code === 127) return reject(Object.assign(new Error('not found'), { code: 'ENOENT' }));
      if (err.code === 126) return reject(Object.assign(new Error('not executable'), { code: 'EACCES' }));
      resolve({ code: err.signal ? null : err.code, signal: err.signal ?? null, stdout, stderr, timedOut: Boolean(err.killed && timeout > 0) });
    });
  });
}

module.exports = { run };
