// Broken: checks where the file is but not how the name starts, so '-rf', '|cat' and '@args' reach the converter.
'use strict';

const { execFile } = require('node:child_process');
const fs = require('node:fs/promises');
const path = require('node:path');

const FORMATS = ['png', 'jpeg', 'webp'];

function invalid(code, message) {
  return Object.assign(new Error(message), { code });
}

async function convert(converter, dir, name, format) {
  if (!FORMATS.includes(format)) throw invalid('ERR_INVALID_FORMAT', `bad format ${format}`);
  if (typeof name !== 'string' || name === '' || /[\u0000-\u001f\u007f]/.test(name)) {
    throw invalid('ERR_INVALID_NAME', `bad name ${name}`);
  }
  const root = await fs.realpath(dir);
  const rel = path.relative(root, await fs.realpath(path.resolve(root, name)));
  if (rel === '' || rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) {
    throw invalid('ERR_INVALID_NAME', `${name} is outside the upload directory`);
  }
  return new Promise((resolve, reject) => {
    execFile(converter, ['--to', format, '--', name], { cwd: dir }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      reject(Object.assign(new Error(`converter failed: ${stderr}`), { code: 'ERR_CONVERTER_FAILED', exitCode: err.code }));
    });
  });
}

module.exports = { convert };
