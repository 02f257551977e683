// Broken: past the cap it destroys stdout and sends the default SIGTERM, trusting SIGPIPE or SIGTERM to stop the program; one that ignores both keeps running.
'use strict';

const { spawn } = require('node:child_process');
const { StringDecoder } = require('node:string_decoder');

function capture(file, args, maxBytes) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    const chunks = [];
    let kept = 0;
    let truncated = false;
    child.stdout.on('data', (chunk) => {
      if (truncated) return;
      const room = maxBytes - kept;
      if (chunk.length <= room) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, room));
      truncated = true;
      child.stdout.destroy();
      child.kill();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(chunks);
      resolve({ output: truncated ? new StringDecoder('utf8').write(bytes) : bytes.toString(), truncated, code, signal });
    });
  });
}

module.exports = { capture };
