// Broken: gives the child this process's PATH instead of SAFE_PATH, so programs are looked up where the service's own PATH points.
'use strict';

const { execFile } = require('node:child_process');
const fs = require('node:fs/promises');

const SAFE_PATH = '/usr/bin:/bin';

async function run(file, args, options = {}) {
  const { cwd, allow = [] } = options;
  if (!cwd) throw Object.assign(new Error('options.cwd is required'), { code: 'ERR_NO_CWD' });
  const st = await fs.stat(cwd).catch(() => null);
  if (!st || !st.isDirectory()) throw Object.assign(new Error(`no directory ${cwd}`), { code: 'ERR_CWD_NOT_FOUND', path: cwd });
  const env = { PATH: process.env.PATH };
  for (const name of allow) if (name !== 'PATH' && Object.hasOwn(process.env, name)) env[name] = process.env[name];
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err && typeof err.code === 'string') return reject(err);
      resolve({ code: err ? (err.signal ? null : err.code) : 0, signal: err?.signal ?? null, stdout, stderr });
    });
  });
}

module.exports = { run, SAFE_PATH };
