// Broken: never clears a call's timer when its reply comes, so node stays alive until every timeout has passed.
'use strict';

const { fork } = require('node:child_process');

/**
 * Forks a worker, a Node.js script that answers requests over the IPC channel, and returns
 * a client that sends it requests and matches its replies to them by id.
 *
 * The protocol: the client sends { id, method, params }, with an id unique among the calls
 * it has made; the worker replies, in any order, { id, result } or
 * { id, error: { message, code } }. A reply whose id no call waits for any more is ignored.
 *
 * @param {string} workerPath  the worker script, started with child_process.fork
 * @param {{ args?: string[], timeout?: number, closeGrace?: number }} [options]
 *   args: the worker's arguments; timeout: milliseconds a call may wait for its reply
 *   (default 10000); closeGrace: milliseconds close() gives the worker to exit once the
 *   channel is closed, before it kills it with SIGKILL (default 2000).
 * @returns {{ pid: number, call: Function, close: Function }}  the client:
 *
 *   client.pid: the worker's process id.
 *
 *   client.call(method, params, { timeout }?): Promise<any>. Sends a request; several may be
 *   in flight at once. Resolves with the reply's result. Rejects with:
 *   - an error with the reply's message and code, when the worker replies with an error;
 *   - code 'ETIMEDOUT', when no reply came within timeout (options.timeout by default);
 *     the worker keeps running, and the other calls are not affected;
 *   - code 'ERR_WORKER_EXITED', with exitCode and signal (as in the 'exit' event), when the
 *     worker exits before it replies, or had exited (or close() was called) before the call.
 *
 *   client.close(): Promise<void>. Closes the IPC channel, which lets a well-behaved worker
 *   exit; kills it with SIGKILL if it is still running closeGrace later. Resolves once the
 *   worker has exited and been reaped (then the calls still waiting have been rejected with
 *   'ERR_WORKER_EXITED'). Calling it again returns the same promise. Once the promises of
 *   the client have settled, nothing of it keeps the event loop alive.
 */
function connect(workerPath, options = {}) {
  const { args = [], timeout: defaultTimeout = 10000, closeGrace = 2000 } = options;
  const child = fork(workerPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map(); // id -> { resolve, reject, timer }
  let nextId = 1;
  let ended = null; // { code, signal } once the worker has exited
  let closing = null;

  const exitedError = () => {
    const how = ended ? `exited (code ${ended.code}, signal ${ended.signal})` : 'is shutting down';
    const err = new Error(`the worker ${how} before it replied`);
    err.code = 'ERR_WORKER_EXITED';
    err.exitCode = ended ? ended.code : null;
    err.signal = ended ? ended.signal : null;
    return err;
  };
  const settle = (id) => {
    const p = pending.get(id);
    if (p) {
      pending.delete(id);
    }
    return p;
  };

  child.on('message', (msg) => {
    const p = msg && settle(msg.id);
    if (!p) return; // a late reply to a call that timed out, or noise
    if (msg.error) {
      const err = new Error(msg.error.message);
      err.code = msg.error.code;
      p.reject(err);
    } else {
      p.resolve(msg.result);
    }
  });
  const rejectAll = () => {
    for (const id of [...pending.keys()]) settle(id).reject(exitedError());
  };
  // When the worker dies on its own, 'close' comes after 'exit' and after its channel has
  // closed, so every reply it sent before dying has been delivered by then. But after
  // child.disconnect() in the parent, Node never emits 'close' (nodejs/node#19433): then
  // 'exit' it is, and no reply can come anyway.
  child.on('exit', (code, signal) => {
    ended = { code, signal };
    if (closing) rejectAll();
  });
  child.on('close', rejectAll);
  child.on('error', () => {
    // Sending fails through send's callback; a failed kill needs nothing done.
  });

  function call(method, params, { timeout = defaultTimeout } = {}) {
    return new Promise((resolve, reject) => {
      if (ended || closing || !child.connected) {
        reject(exitedError());
        return;
      }
      const id = nextId++;
      const timer = setTimeout(() => {
        settle(id);
        const err = new Error(`call ${method} got no reply within ${timeout} ms`);
        err.code = 'ETIMEDOUT';
        reject(err);
      }, timeout);
      pending.set(id, { resolve, reject, timer });
      child.send({ id, method, params }, (err) => {
        // With the channel closed, the worker is exiting: 'close' rejects the call.
        if (err && child.connected && settle(id)) reject(err);
      });
    });
  }

  function close() {
    closing ??= new Promise((resolve) => {
      if (ended) {
        resolve();
        return;
      }
      const killTimer = setTimeout(() => child.kill('SIGKILL'), closeGrace);
      child.once('exit', () => {
        clearTimeout(killTimer);
        resolve();
      });
      if (child.connected) child.disconnect();
    });
    return closing;
  }

  return { pid: child.pid, call, close };
}

module.exports = { connect };
