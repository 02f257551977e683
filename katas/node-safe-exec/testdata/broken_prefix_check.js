// Broken: checks that path.resolve(dir, name) starts with dir, so a sibling such as '../uploads-evil/x.png' and a symbolic link to a file outside pass.
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
  if (typeof name !== 'string' || name === '' || /[\u0000-\u001f\u007f]/.test(name) || '-|@'.includes(name[0])) {
    throw invalid('ERR_INVALID_NAME', `bad name ${name}`);
  }
  const full = path.resolve(dir, name);
  if (!full.startsWith(dir) || full === dir) throw invalid('ERR_INVALID_NAME', `${name} is outside the upload directory`);
  await fs.access(full); // ENOENT for a missing file
  return new Promise((resolve, reject) => {
    execFile(converter, ['--to', format, '--', name], { cwd: dir }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      reject(Object.assign(new Error(`converter failed: ${stderr}`), { code: 'ERR_CONVERTER_FAILED', exitCode: err.code }));
    });
  });
}

module.exports = { convert };
