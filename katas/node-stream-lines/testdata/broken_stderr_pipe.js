// Broken: keeps spawn's default stdio, so stderr is a pipe nobody reads and a program that writes a lot there blocks.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

function streamLines(file, args, onLine, options = {}) {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { signal });
    let failure = null;
    child.on('error', (err) => {
      failure ??= err;
    });
    const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => {
      if (!failure && !signal?.aborted) onLine(line);
    });
    child.on('close', (code, sig) => (failure ? reject(failure) : resolve({ code, signal: sig })));
  });
}

module.exports = { streamLines };
