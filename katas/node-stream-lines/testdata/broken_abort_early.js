// Broken: rejects as soon as the signal aborts, while the program is still running, and keeps calling onLine for the lines already read.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

function streamLines(file, args, onLine, options = {}) {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], signal });
    child.on('error', reject);
    const rl = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });
    rl.on('line', onLine);
    child.on('close', (code, sig) => resolve({ code, signal: sig }));
  });
}

module.exports = { streamLines };
