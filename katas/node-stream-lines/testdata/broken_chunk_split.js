// Broken: splits each chunk on '\n' by itself, so a line that spans two chunks arrives in pieces (and a UTF-8 character split between chunks is garbled).
'use strict';

const { spawn } = require('node:child_process');

function streamLines(file, args, onLine, options = {}) {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], signal });
    let failure = null;
    child.on('error', (err) => {
      failure ??= err;
    });
    child.stdout.on('data', (chunk) => {
      const parts = chunk.toString().split('\n');
      if (parts[parts.length - 1] === '') parts.pop();
      for (const part of parts) {
        if (failure || signal?.aborted) return;
        onLine(part.replace(/\r$/, ''));
      }
    });
    child.on('close', (code, sig) => (failure ? reject(failure) : resolve({ code, signal: sig })));
  });
}

module.exports = { streamLines };
