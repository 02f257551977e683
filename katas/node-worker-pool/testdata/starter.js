'use strict';

const { fork } = require('node:child_process');

/**
 * A pool of long-lived worker processes, each started with child_process.fork. Create it
 * with createPool.
 *
 * The protocol, over the IPC channel: the pool sends { id, task } to a worker; the worker
 * answers { id, result } or { id, error } with the same id. A worker may send other
 * messages (logs, a ready notice) that answer no task: they are ignored.
 */
class Pool {
  /**
   * Runs task on the next free worker and resolves with the worker's result. At most
   * `size` tasks run at once; the others wait, in the order submitted.
   *
   * @param {any} task  any value the IPC channel can carry (it is sent as JSON)
   * @returns {Promise<any>}  resolves with `result` of the worker's answer. Rejects with
   *   code 'ERR_TASK_FAILED' (message: the worker's `error`) when the worker reports a
   *   failure; 'ERR_WORKER_CRASHED' when the worker exited before answering (not retried);
   *   'ERR_POOL_CLOSED' once close() has been called.
   */
  submit(task) {
    // TODO: queue the task and hand it to an idle worker.
    return Promise.reject(new Error('submit is not written yet'));
  }

  /**
   * Closes the pool: submit rejects from now on with 'ERR_POOL_CLOSED'; the tasks already
   * submitted still run. Then each worker is disconnected, and killed with SIGKILL if it
   * is still running closeTimeout ms later.
   *
   * @returns {Promise<void>}  resolves once every worker process the pool started has
   *   exited and been reaped. Calling close again returns the same promise.
   */
  close() {
    // TODO: drain, disconnect, wait for every 'exit'.
    return Promise.reject(new Error('close is not written yet'));
  }
}

/**
 * Creates a pool of `size` worker processes, each started with
 * child_process.fork(workerPath, args), and returns it at once.
 *
 * @param {string} workerPath  the worker's module
 * @param {{ size: number, args?: string[], closeTimeout?: number }} options
 * @returns {Pool}
 * @throws {Error}  code 'ERR_INVALID_ARG_VALUE' when size is not an integer >= 1; the error
 *   of fs.accessSync (code 'ENOENT') when workerPath does not exist.
 */
function createPool(workerPath, options) {
  // TODO: validate options and fork the workers.
  throw new Error('createPool is not written yet');
}

module.exports = { createPool };
