'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs file with args and holds a conversation with it over its stdin and its output, as
 * `expect` does: for each step, waits until the program has written step.prompt (on stdout
 * or stderr), then writes step.answer and a newline to its stdin. After the last step it
 * closes the program's stdin, and waits for the program to exit.
 *
 * @param {string} file
 * @param {string[]} args
 * @param {Array<{ prompt: string, answer: string, timeout?: number }>} steps
 * @param {{ timeout?: number }} [options]
 * @returns {Promise<{ output: string, code: number|null, signal: string|null }>}
 *   Resolves once the program has exited, whatever its exit code; rejects with 'ETIMEDOUT',
 *   'ERR_EXITED_EARLY' (with err.prompt and err.output), or Node's error ('ENOENT').
 */
async function converse(file, args, steps, options = {}) {
  // TODO: spawn the program, wait for each prompt, answer it, then close its stdin.
  throw new Error('converse is not written yet');
}

module.exports = { converse };
