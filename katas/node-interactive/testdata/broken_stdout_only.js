// Broken: listens for prompts on stdout only, so a prompt written on stderr never appears.
'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs file with args and holds a conversation with it over its stdin and its output, as
 * `expect` does: for each step in turn, waits until the program has written step.prompt
 * (on stdout or on stderr; a prompt need not end a line, and may arrive in pieces), then
 * writes step.answer and a newline to the program's stdin. After the last step it closes
 * the program's stdin, and waits for the program to exit.
 *
 * @param {string} file  the program; a name without a slash is looked up in PATH
 * @param {string[]} args  its arguments, passed as they are (no shell)
 * @param {Array<{ prompt: string, answer: string, timeout?: number }>} steps
 *   timeout: milliseconds this prompt may take to appear (default: options.timeout)
 * @param {{ timeout?: number }} [options]
 *   timeout: milliseconds each prompt may take to appear, and the program to exit once its
 *   stdin is closed (default 5000)
 * @returns {Promise<{ output: string, code: number|null, signal: string|null }>}
 *   Resolves once the program has exited and its output has closed, whatever its exit
 *   code: output is what it wrote (stdout and stderr, as they came) after the last prompt
 *   (everything, without steps); code is its exit code, or null when a signal ended it,
 *   then signal names it.
 *   Rejects, after killing the program with SIGKILL if it still ran, once it has been reaped:
 *   - with code 'ETIMEDOUT' when a prompt did not appear in time (err.prompt is that
 *     prompt), or the program did not exit in time after its stdin was closed (err.prompt
 *     is null); err.output is what the program wrote since the previous prompt;
 *   - with code 'ERR_EXITED_EARLY' when the program's output ended before a prompt
 *     appeared: err.prompt, err.output as above, and err.exitCode and err.signal;
 *   - with Node's error (err.code 'ENOENT', 'EACCES') when the program cannot start.
 */
function converse(file, args, steps, options = {}) {
  const defaultTimeout = options.timeout ?? 5000;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = ''; // all the program wrote, stdout and stderr, as it came
    let pos = 0; // where the output after the last prompt starts
    let step = 0; // the step whose prompt is awaited; steps.length: waiting for the exit
    let timer = null;
    let failure = null; // the error to reject with once the program has been reaped
    let failed = false; // the program could not start

    const arm = () => {
      clearTimeout(timer);
      const waitingFor = step < steps.length ? steps[step] : null;
      timer = setTimeout(() => {
        failure = errorWith('ETIMEDOUT', waitingFor
          ? `the prompt ${JSON.stringify(waitingFor.prompt)} did not appear in time`
          : 'the program did not exit in time after its stdin was closed');
        child.kill('SIGKILL'); // then 'close' rejects
      }, waitingFor?.timeout ?? defaultTimeout);
    };
    const errorWith = (code, message) => Object.assign(new Error(message), {
      code,
      prompt: step < steps.length ? steps[step].prompt : null,
      output: output.slice(pos),
    });
    // Answers every prompt the output holds, in turn: only then may the next one come.
    const advance = () => {
      while (step < steps.length && !failure) {
        const at = output.indexOf(steps[step].prompt, pos);
        if (at < 0) return;
        pos = at + steps[step].prompt.length;
        child.stdin.write(`${steps[step].answer}\n`);
        step += 1;
        if (step === steps.length) child.stdin.end();
        arm();
      }
    };

    child.stdin.on('error', () => {}); // EPIPE: the program exited without reading
    child.stderr.resume();
    for (const stream of [child.stdout]) {
      stream.setEncoding('utf8');
      stream.on('data', (s) => {
        output += s;
        advance();
      });
    }
    child.on('error', (err) => {
      if (child.pid === undefined && !failed) {
        failed = true;
        clearTimeout(timer);
        reject(err);
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failed) return;
      if (failure) {
        reject(failure);
      } else if (step < steps.length) {
        reject(Object.assign(errorWith('ERR_EXITED_EARLY',
          `the program exited before the prompt ${JSON.stringify(steps[step].prompt)} appeared`),
        { exitCode: code, signal }));
      } else {
        resolve({ output: output.slice(pos), code, signal });
      }
    });

    if (steps.length === 0) child.stdin.end();
    arm();
  });
}

module.exports = { converse };
