// Broken: cuts the bytes at maxBytes and decodes them with toString(), so a character cut in two becomes U+FFFD, three bytes past the cap.
'use strict';

const { spawn } = require('node:child_process');

function capture(file, args, maxBytes) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks = [];
    let kept = 0;
    let truncated = false;
    child.stdout.on('data', (chunk) => {
      if (truncated) return;
      chunks.push(chunk);
      kept += chunk.length;
      if (kept > maxBytes) {
        truncated = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(chunks);
      resolve({ output: bytes.subarray(0, maxBytes).toString('utf8'), truncated, code, signal });
    });
  });
}

module.exports = { capture };
