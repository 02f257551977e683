// Broken: passes Node's error through, so a missing working directory is reported as ENOENT for the program (and cwd '' silently means this process's directory).
'use strict';

const { execFile } = require('node:child_process');

const SAFE_PATH = '/usr/bin:/bin';

function run(file, args, options = {}) {
  const { cwd, allow = [] } = options;
  if (cwd === undefined) return Promise.reject(Object.assign(new Error('options.cwd is required'), { code: 'ERR_NO_CWD' }));
  const env = { PATH: SAFE_PATH };
  for (const name of allow) if (name !== 'PATH' && Object.hasOwn(process.env, name)) env[name] = process.env[name];
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code === 'string') return reject(err);
      resolve({ code: err ? (err.signal ? null : err.code) : 0, signal: err?.signal ?? null, stdout, stderr });
    });
  });
}

module.exports = { run, SAFE_PATH };
