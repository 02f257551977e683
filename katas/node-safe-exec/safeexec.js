'use strict';

const { execFile } = require('node:child_process');
const fs = require('node:fs/promises');
const path = require('node:path');

/** The output formats the converter supports. */
const FORMATS = ['png', 'jpeg', 'webp'];

/** Characters a name may not start with: an option, a pipe (Perl-style open), a response file. */
const BAD_FIRST = ['-', '|', '@'];

/** Control characters, U+0000 to U+001F and U+007F. */
const CONTROL = /[\u0000-\u001f\u007f]/;

function invalid(code, message) {
  return Object.assign(new Error(message), { code });
}

/**
 * Converts the file called name, inside dir, to format, with the converter program, without
 * a shell.
 *
 * The converter runs as `converter --to FORMAT -- NAME`, in dir (its cwd), with name exactly
 * as the user gave it, as one argument.
 *
 * @param {string} converter  absolute path of the converter program (trusted)
 * @param {string} dir  absolute path of the upload directory (trusted): files come from here
 * @param {string} name  the file name the user gave (untrusted): relative to dir, may name a
 *   file in a subdirectory ("2024/photo.png"); any character but a control character
 * @param {string} format  the output format the user asked for (untrusted)
 * @returns {Promise<string>}  resolves with what the converter wrote to stdout, once it has
 *   exited with status 0.
 *   Rejects, before starting anything, with an Error whose code is
 *   - 'ERR_INVALID_FORMAT' when format is not exactly 'png', 'jpeg' or 'webp';
 *   - 'ERR_INVALID_NAME' when name is not a non-empty string, contains a control character,
 *     starts with '-', '|' or '@', or names a path that, once '..' and symbolic links are
 *     resolved, is not strictly inside dir (dir itself is not inside);
 *   - 'ENOENT' (Node's own error) when that path does not exist.
 *   Rejects with code 'ERR_CONVERTER_FAILED' when the converter exits with another status or
 *   is killed: err.exitCode is its exit status (null after a signal), and err.message
 *   quotes what it wrote to stderr.
 */
async function convert(converter, dir, name, format) {
  if (!FORMATS.includes(format)) {
    throw invalid('ERR_INVALID_FORMAT', `format ${JSON.stringify(format)} is not one of ${FORMATS.join(', ')}`);
  }
  if (typeof name !== 'string' || name === '') {
    throw invalid('ERR_INVALID_NAME', 'the file name is empty');
  }
  if (CONTROL.test(name)) {
    throw invalid('ERR_INVALID_NAME', `the file name ${JSON.stringify(name)} contains a control character`);
  }
  if (BAD_FIRST.includes(name[0])) {
    throw invalid('ERR_INVALID_NAME', `the file name ${JSON.stringify(name)} may not start with ${JSON.stringify(name[0])}`);
  }
  // realpath resolves '..' and symbolic links, and fails with ENOENT for a missing file.
  const root = await fs.realpath(dir);
  const real = await fs.realpath(path.resolve(root, name));
  const rel = path.relative(root, real);
  if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) {
    throw invalid('ERR_INVALID_NAME', `the file name ${JSON.stringify(name)} is outside the upload directory`);
  }
  return new Promise((resolve, reject) => {
    execFile(converter, ['--to', format, '--', name], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60_000 }, (err, stdout, stderr) => {
      if (!err) {
        resolve(stdout);
        return;
      }
      if (typeof err.code === 'string') {
        reject(err); // the converter could not start, or said too much
        return;
      }
      const how = err.signal ? `was killed by ${err.signal}` : `exited with status ${err.code}`;
      reject(Object.assign(new Error(`converter ${how}: ${stderr.trim()}`), {
        code: 'ERR_CONVERTER_FAILED',
        exitCode: err.signal ? null : err.code,
      }));
    });
  });
}

module.exports = { convert };
