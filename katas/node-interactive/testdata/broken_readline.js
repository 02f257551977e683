// Broken: reads the output line by line with readline, so a prompt, which ends no line, is never seen.
'use strict';

const { spawn } = require('node:child_process');
const readline = require('node:readline');

function converse(file, args, steps, options = {}) {
  const timeout = options.timeout ?? 5000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let step = 0;
    let output = '';
    let failure = null;
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        failure = Object.assign(new Error('timed out'), {
          code: 'ETIMEDOUT', prompt: step < steps.length ? steps[step].prompt : null, output,
        });
        child.kill('SIGKILL');
      }, step < steps.length ? steps[step].timeout ?? timeout : timeout);
    };
    child.stdin.on('error', () => {});
    for (const stream of [child.stdout, child.stderr]) {
      readline.createInterface({ input: stream }).on('line', (line) => {
        output += `${line}\n`;
        if (step < steps.length && line.includes(steps[step].prompt)) {
          output = '';
          child.stdin.write(`${steps[step].answer}\n`);
          step += 1;
          if (step === steps.length) child.stdin.end();
          arm();
        }
      });
    }
    child.on('error', (err) => { if (child.pid === undefined) reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure) return reject(failure);
      if (step < steps.length) {
        return reject(Object.assign(new Error('exited early'), {
          code: 'ERR_EXITED_EARLY', prompt: steps[step].prompt, output, exitCode: code, signal,
        }));
      }
      resolve({ output, code, signal });
    });
    if (steps.length === 0) child.stdin.end();
    arm();
  });
}

module.exports = { converse };
