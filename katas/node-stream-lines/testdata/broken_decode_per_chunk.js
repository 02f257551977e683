// Broken: keeps the unfinished end of each chunk, but decodes every chunk on its own with toString(), so a UTF-8 character split between two chunks becomes two U+FFFD.
'use strict';

const { spawn } = require('node:child_process');

function streamLines(file, args, onLine, options = {}) {
  const { signal } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'], signal });
    let failure = null;
    let rest = '';
    const deliver = (line) => {
      if (!failure && !signal?.aborted) onLine(line.replace(/\r$/, ''));
    };
    child.on('error', (err) => {
      failure ??= err;
    });
    child.stdout.on('data', (chunk) => {
      const lines = (rest + chunk.toString()).split('\n');
      rest = lines.pop();
      lines.forEach(deliver);
    });
    child.stdout.on('end', () => {
      if (rest !== '') deliver(rest);
    });
    child.on('close', (code, sig) => (failure ? reject(failure) : resolve({ code, signal: sig })));
  });
}

module.exports = { streamLines };
