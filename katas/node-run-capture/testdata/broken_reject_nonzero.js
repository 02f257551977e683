// Broken: a non-zero exit rejects the promise instead of resolving with the code (util.promisify(execFile)).
'use strict';

const { execFile } = require('node:child_process');
const { promisify } = require('node:util');

const execFileP = promisify(execFile);

async function run(file, args, options = {}) {
  const { stdout, stderr } = await execFileP(file, args, {
    timeout: options.timeout ?? 0,
    maxBuffer: options.maxBuffer ?? 16 * 1024 * 1024,
  });
  return { code: 0, signal: null, stdout, stderr, timedOut: false };
}

module.exports = { run };
