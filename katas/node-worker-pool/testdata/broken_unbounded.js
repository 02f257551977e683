// Broken: sends each task at once to the next worker in turn, with no queue, so a worker runs several tasks at a time.
'use strict';

const { fork } = require('node:child_process');
const fs = require('node:fs');

/** codedError returns an Error with err.code set to code. */
function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}

/**
 * A pool of long-lived worker processes, each started with child_process.fork. Create it
 * with createPool.
 *
 * The protocol, over the IPC channel: the pool sends { id, task } to a worker; the worker
 * answers { id, result } or { id, error } with the same id. A worker may send other
 * messages (logs, a ready notice) that answer no task: they are ignored.
 */
class Pool {
  #workerPath;
  #args;
  #closeTimeout;
  #workers = new Set(); // every worker process that has not exited yet
  #idle = []; // workers with no task
  #queue = []; // tasks waiting for a worker: { id, task, resolve, reject }
  #nextId = 1;
  #closed = null; // the promise of close(), once it has been called
  #resolveClosed = null;
  #stopping = false; // the workers are being stopped: no task is left, none is replaced

  constructor(workerPath, size, args, closeTimeout) {
    this.#workerPath = workerPath;
    this.#args = args;
    this.#closeTimeout = closeTimeout;
    for (let i = 0; i < size; i++) this.#startWorker();
  }

  /**
   * Runs task on the next free worker and resolves with the worker's result. At most
   * `size` tasks run at once; the others wait, in the order submitted.
   *
   * @param {any} task  any value the IPC channel can carry (it is sent as JSON)
   * @returns {Promise<any>}  resolves with `result` of the worker's answer. Rejects with
   *   code 'ERR_TASK_FAILED' (message: the worker's `error`) when the worker reports a
   *   failure; 'ERR_WORKER_CRASHED' when the worker exited before answering (the task is not
   *   retried: it may have done part of its work, and only the caller knows whether running
   *   it again is safe); 'ERR_POOL_CLOSED' once close() has been called.
   */
  submit(task) {
    if (this.#closed) {
      return Promise.reject(codedError('ERR_POOL_CLOSED', 'submit: the pool is closed'));
    }
    return new Promise((resolve, reject) => {
      const job = { id: this.#nextId++, task, resolve, reject };
      const workers = [...this.#workers];
      const worker = workers[job.id % workers.length];
      worker.jobs = worker.jobs ?? new Map();
      worker.jobs.set(job.id, job);
      worker.child.send({ id: job.id, task }, () => {});
    });
  }

  /**
   * Closes the pool: submit rejects from now on with 'ERR_POOL_CLOSED'; the tasks already
   * submitted, running or waiting, still run. Then each worker's IPC channel is
   * disconnected, which tells it to exit; a worker still running closeTimeout ms later is
   * killed with SIGKILL.
   *
   * @returns {Promise<void>}  resolves once every worker process the pool started has
   *   exited and been reaped. Calling close again returns the same promise.
   */
  close() {
    if (!this.#closed) {
      this.#closed = new Promise((resolve) => {
        this.#resolveClosed = resolve;
      });
      this.#maybeStop();
    }
    return this.#closed;
  }

  #startWorker() {
    const child = fork(this.#workerPath, this.#args);
    const worker = { child, job: null, killTimer: null };
    this.#workers.add(worker);
    child.on('message', (msg) => this.#onMessage(worker, msg));
    // 'error' comes when the process could not be started, signalled or sent a message;
    // 'exit' follows whenever the process existed, and does the bookkeeping.
    child.on('error', () => {});
    child.once('exit', (code, signal) => this.#onExit(worker, code, signal));
    this.#idle.push(worker);
  }

  #dispatch() {
    while (this.#queue.length > 0 && this.#idle.length > 0) {
      const worker = this.#idle.shift();
      const job = this.#queue.shift();
      worker.job = job;
      // A failed send means the worker is dying: its 'exit' rejects the job.
      worker.child.send({ id: job.id, task: job.task }, () => {});
    }
    this.#maybeStop();
  }

  #onMessage(worker, msg) {
    const job = worker.jobs?.get(msg?.id);
    if (!job) return;
    worker.jobs.delete(msg.id);
    if (msg.error !== undefined) {
      job.reject(codedError('ERR_TASK_FAILED', String(msg.error)));
    } else {
      job.resolve(msg.result);
    }
    this.#idle.push(worker);
    this.#dispatch();
  }

  #onExit(worker, code, signal) {
    clearTimeout(worker.killTimer);
    this.#workers.delete(worker);
    this.#idle = this.#idle.filter((w) => w !== worker);
    for (const job of worker.jobs?.values() ?? []) worker.job = job;
    if (worker.job) {
      const how = signal ? `signal ${signal}` : `exit code ${code}`;
      worker.job.reject(codedError('ERR_WORKER_CRASHED', `the worker (pid ${worker.child.pid}) ended with ${how} before answering`));
      worker.job = null;
    }
    if (this.#stopping) {
      if (this.#workers.size === 0) this.#resolveClosed();
      return;
    }
    this.#startWorker();
    this.#dispatch();
  }

  // maybeStop stops the workers once close() was called and no task is left.
  #maybeStop() {
    if (!this.#closed || this.#stopping || this.#queue.length > 0) return;
    for (const w of this.#workers) if (w.job || w.jobs?.size) return;
    this.#stopping = true;
    if (this.#workers.size === 0) {
      this.#resolveClosed();
      return;
    }
    for (const w of this.#workers) {
      if (w.child.connected) w.child.disconnect();
      w.killTimer = setTimeout(() => w.child.kill('SIGKILL'), this.#closeTimeout);
    }
  }
}

/**
 * Creates a pool of `size` worker processes, each started with
 * child_process.fork(workerPath, args), and returns it at once.
 *
 * @param {string} workerPath  the worker's module
 * @param {{ size: number, args?: string[], closeTimeout?: number }} options
 *   size: how many workers, an integer >= 1; args: the workers' arguments; closeTimeout:
 *   how long close() lets a worker take to exit before killing it (ms, default 5000).
 * @returns {Pool}
 * @throws {Error}  code 'ERR_INVALID_ARG_VALUE' when size is not an integer >= 1; the error
 *   of fs.accessSync (code 'ENOENT') when workerPath does not exist. Then no process starts.
 */
function createPool(workerPath, options) {
  const { size, args = [], closeTimeout = 5000 } = options ?? {};
  if (!Number.isInteger(size) || size < 1) {
    throw codedError('ERR_INVALID_ARG_VALUE', `createPool: size must be an integer >= 1, not ${size}`);
  }
  fs.accessSync(workerPath);
  return new Pool(workerPath, size, args, closeTimeout);
}

module.exports = { createPool };
