'use strict';

const { execFile } = require('node:child_process');

/** add returns a plus b. */
function add(a, b) {
  return a + b;
}

/** output runs file with args (no shell) and resolves with what it wrote to stdout. */
function output(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

module.exports = { add, output };
