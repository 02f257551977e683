// A Node solution that starts a detached child ("sleep 300", a session of its own), writes
// its pid to grandchild.pid (renamed into place), and never settles (a timer keeps node
// running).
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');

function add(a, b) {
  return a + b;
}

function output(file, args) {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  child.unref();
  fs.writeFileSync('.grandchild.pid', String(child.pid));
  fs.renameSync('.grandchild.pid', 'grandchild.pid');
  setInterval(() => {}, 1000);
  return new Promise(() => {});
}

module.exports = { add, output };
