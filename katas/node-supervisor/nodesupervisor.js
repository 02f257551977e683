'use strict';

const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');

/**
 * Keeps one worker process running: restarts it when it crashes, after a delay that doubles
 * with each crash of a streak, and gives up when it crashes too often. Each worker leads a
 * process group of its own; when it exits, whatever is left of that group is killed.
 *
 * Events (emitted in this order for each worker):
 *   'start' { pid }: a worker was started.
 *   'exit' { pid, code, signal, error, crashed, crashes, delay }: a worker ended. pid is null
 *     and error the start error's code ('ENOENT') when it could not start; otherwise code
 *     is its exit code, or null when a signal ended it, then signal names it. crashed is
 *     false for an exit with code 0 and for a worker that stop() stopped; any other end is
 *     a crash, even a failed start. crashes is how many crashes happened within the last
 *     `window` milliseconds, this one included. delay is the milliseconds until the next
 *     start, or null when there will be none.
 *   'giveup' { crashes }: the worker crashed maxCrashes times within window; no restart.
 *
 * @param {string} file  the worker program; a name without a slash is looked up in PATH
 * @param {string[]} args  its arguments
 * @param {{ backoff?: number, maxBackoff?: number, maxCrashes?: number, window?: number, killGrace?: number }} [options]
 *   backoff: the delay before a restart after the first crash of a streak, in ms (100);
 *   each further crash within the window doubles it, up to maxBackoff (5000). maxCrashes
 *   (5) crashes within window ms (60000) make it give up; older crashes do not count.
 *   killGrace: how long stop() waits after SIGTERM before SIGKILL, in ms (2000).
 */
class Supervisor extends EventEmitter {
  #file;
  #args;
  #opts;
  #crashTimes = []; // when each crash of the window happened (performance.now())
  #child = null; // the running worker
  #restartTimer = null;
  #killTimer = null;
  #stopping = false;
  #stopped = null; // the promise stop() returns
  #reaped = null; // resolves it, once the worker has exited
  #run = null; // the promise run() returns, and how to settle it
  #settle = null;

  constructor(file, args, options = {}) {
    super();
    this.#file = file;
    this.#args = args;
    this.#opts = {
      backoff: 100, maxBackoff: 5000, maxCrashes: 5, window: 60000, killGrace: 2000, ...options,
    };
  }

  /**
   * Starts the worker and keeps it running. Calling it again returns the same promise.
   *
   * @returns {Promise<'finished'|'stopped'>}
   *   Resolves with 'finished' when a worker exits with code 0 (its job is done: no
   *   restart), with 'stopped' when stop() was called. Rejects with an error whose code is
   *   'ERR_TOO_MANY_CRASHES' (err.crashes: how many) after maxCrashes crashes within window.
   *   When it settles, no worker runs, nor any process of a worker's process group.
   */
  run() {
    this.#run ??= new Promise((resolve, reject) => {
      this.#settle = { resolve, reject };
      if (this.#stopping) {
        resolve('stopped');
        return;
      }
      this.#start();
    });
    return this.#run;
  }

  /**
   * Stops supervising: cancels a pending restart, sends SIGTERM to the running worker's
   * process group and, if the worker has not exited killGrace ms later, SIGKILL. run()
   * resolves with 'stopped' (unless it had settled already).
   *
   * @returns {Promise<void>} resolves once the worker has exited and been reaped, and every
   *   process of its group has been sent SIGKILL (at once when no worker runs).
   */
  stop() {
    if (!this.#stopping) {
      this.#stopping = true;
      clearTimeout(this.#restartTimer);
      this.#stopped = new Promise((resolve) => {
        if (!this.#child) {
          this.#settle?.resolve('stopped');
          resolve();
          return;
        }
        this.#reaped = resolve;
        const { pid } = this.#child; // undefined while a failed start has yet to report
        this.#killGroup(pid, 'SIGTERM');
        this.#killTimer = setTimeout(() => this.#killGroup(pid, 'SIGKILL'), this.#opts.killGrace);
      });
    }
    return this.#stopped;
  }

  #start() {
    // detached: the worker leads a process group of its own, which its children join, so
    // that they can be signalled with it.
    const child = spawn(this.#file, this.#args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    this.#child = child;
    let startError = null;
    child.on('error', (err) => { startError ??= err; });
    // 'close' comes once, after 'exit' or after a failed start's 'error'.
    child.on('close', (code, signal) => this.#exited(child, startError, code, signal));
    if (child.pid !== undefined) this.emit('start', { pid: child.pid });
  }

  #exited(child, startError, code, signal) {
    const pid = child.pid ?? null;
    this.#child = null;
    clearTimeout(this.#killTimer);
    this.#killGroup(pid, 'SIGKILL'); // what the worker left behind
    const failedStart = startError !== null && pid === null;
    const info = {
      pid,
      code: failedStart ? null : code,
      signal: failedStart ? null : signal,
      error: failedStart ? startError.code ?? String(startError) : null,
    };

    const now = performance.now();
    const { window, maxCrashes, backoff, maxBackoff } = this.#opts;
    this.#crashTimes = this.#crashTimes.filter((t) => now - t < window);
    const crashed = !this.#stopping && (failedStart || code !== 0);
    if (crashed) this.#crashTimes.push(now);
    const crashes = this.#crashTimes.length;

    if (this.#stopping) {
      this.emit('exit', { ...info, crashed: false, crashes, delay: null });
      this.#settle?.resolve('stopped');
      this.#reaped?.();
      return;
    }
    if (!crashed) {
      this.emit('exit', { ...info, crashed: false, crashes, delay: null });
      this.#settle.resolve('finished');
      return;
    }
    if (crashes >= maxCrashes) {
      this.emit('exit', { ...info, crashed: true, crashes, delay: null });
      this.emit('giveup', { crashes });
      const err = new Error(`the worker crashed ${crashes} times within ${window} ms`);
      err.code = 'ERR_TOO_MANY_CRASHES';
      err.crashes = crashes;
      this.#settle.reject(err);
      return;
    }
    const delay = Math.min(backoff * 2 ** (crashes - 1), maxBackoff);
    this.emit('exit', { ...info, crashed: true, crashes, delay });
    if (this.#stopping) return; // an 'exit' listener called stop()
    this.#restartTimer = setTimeout(() => this.#start(), delay);
  }

  #killGroup(pid, sig) {
    if (pid === undefined || pid === null) return;
    try {
      process.kill(-pid, sig);
    } catch (err) {
      if (err.code !== 'ESRCH') throw err; // ESRCH: nothing left in the group
    }
  }
}

module.exports = { Supervisor };
