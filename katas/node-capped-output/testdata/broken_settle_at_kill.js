// Broken: resolves as soon as it has sent SIGKILL, before the program has exited, and with the signal it only hopes ended it.
'use strict';

const { spawn } = require('node:child_process');
const { StringDecoder } = require('node:string_decoder');

function capture(file, args, maxBytes) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks = [];
    let kept = 0;
    child.stdout.on('data', (chunk) => {
      const room = maxBytes - kept;
      if (room < 0) return;
      if (chunk.length <= room) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, room));
      kept = maxBytes + 1;
      child.kill('SIGKILL');
      resolve({ output: new StringDecoder('utf8').write(Buffer.concat(chunks)), truncated: true, code: null, signal: 'SIGKILL' });
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ output: Buffer.concat(chunks).toString(), truncated: false, code, signal }));
  });
}

module.exports = { capture };
