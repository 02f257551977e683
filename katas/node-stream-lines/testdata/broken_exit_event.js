// Broken: settles on the child's 'exit' event, before its stdout has closed, so lines that come later are lost.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

function streamLines(file, args, onLine, options = {}) {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], signal });
    let failure = null;
    child.on('error', (err) => {
      failure ??= err;
      if (err.code === 'ENOENT' || err.code === 'EACCES') reject(err);
    });
    const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => {
      if (!failure && !signal?.aborted) onLine(line);
    });
    child.on('exit', (code, sig) => (failure ? reject(failure) : resolve({ code, signal: sig })));
  });
}

module.exports = { streamLines };
