// Broken: add subtracts.
'use strict';

const { execFile } = require('node:child_process');

function add(a, b) {
  return a - b;
}

function output(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}

module.exports = { add, output };
