'use strict';

const { fork } = require('node:child_process');

/**
 * Forks a worker, a Node.js script that answers requests over the IPC channel, and returns
 * a client that sends it requests and matches its replies to them by id.
 *
 * The protocol: the client sends { id, method, params }; the worker replies, in any order,
 * { id, result } or { id, error: { message, code } }.
 *
 * @param {string} workerPath  the worker script, started with child_process.fork
 * @param {{ args?: string[], timeout?: number, closeGrace?: number }} [options]
 * @returns {{ pid: number, call: Function, close: Function }}  the client:
 *   client.call(method, params, { timeout }?) resolves with the reply's result; rejects
 *   with the worker's error, 'ETIMEDOUT' or 'ERR_WORKER_EXITED'.
 *   client.close() resolves once the worker has exited.
 */
function connect(workerPath, options = {}) {
  // TODO: fork the worker, send requests with ids, and route the replies by id.
  throw new Error('connect is not written yet');
}

module.exports = { connect };
