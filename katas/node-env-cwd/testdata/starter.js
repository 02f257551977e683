'use strict';

const { execFile } = require('node:child_process');
const fs = require('node:fs/promises');

/** The PATH every child gets: system directories only, never this process's PATH. */
const SAFE_PATH = '/usr/bin:/bin';

/**
 * Runs file with args in options.cwd, with a minimal environment, and waits for it to end.
 *
 * The child's environment is exactly PATH=SAFE_PATH plus, for each name in options.allow
 * that is set in process.env (even to ''), that variable with its value: nothing else of
 * process.env reaches it (the service's secrets stay here). 'PATH' in allow changes nothing.
 *
 * @param {string} file  the program: a path, or a name without a slash, looked up in
 *   SAFE_PATH (the child's PATH), never in this process's PATH
 * @param {string[]} args  its arguments (no shell)
 * @param {{ cwd: string, allow?: string[] }} options
 *   cwd: the child's working directory, required: it never inherits this process's;
 *   allow: the names of the variables to copy from process.env (default none)
 * @returns {Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string }>}
 *   Resolves once the program has ended, whatever its exit status: code is that status, or
 *   null when a signal ended it, then signal names it; stdout and stderr are what it wrote.
 *   Rejects, starting nothing, with an Error whose code is
 *   - 'ERR_NO_CWD' when options.cwd is missing or '';
 *   - 'ERR_CWD_NOT_FOUND' when cwd does not exist or is not a directory, whether the
 *     program exists or not: the message names cwd, and err.path is cwd;
 *   - 'ENOENT' (Node's own error, err.path is file) when cwd is fine but the program does
 *     not exist.
 */
async function run(file, args, options = {}) {
  // TODO: check options.cwd, build the environment from SAFE_PATH and options.allow, run.
  throw new Error('run is not written yet');
}

module.exports = { run, SAFE_PATH };
