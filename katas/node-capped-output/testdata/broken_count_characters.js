// Broken: decodes stdout as it comes and counts the string's length, UTF-16 units, against maxBytes, so multi-byte text keeps too many bytes.
'use strict';

const { spawn } = require('node:child_process');

function capture(file, args, maxBytes) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    child.stdout.setEncoding('utf8');
    let output = '';
    let truncated = false;
    child.stdout.on('data', (text) => {
      if (truncated) return;
      output += text;
      if (output.length > maxBytes) {
        output = output.slice(0, maxBytes);
        truncated = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ output, truncated, code, signal }));
  });
}

module.exports = { capture };
