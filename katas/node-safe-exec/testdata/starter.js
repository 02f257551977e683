'use strict';

const { execFile } = require('node:child_process');
const fs = require('node:fs/promises');
const path = require('node:path');

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
  // TODO: validate format and name, then run the converter with execFile.
  throw new Error('convert is not written yet');
}

module.exports = { convert };
