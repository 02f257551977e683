// Broken: listens with process.once, so a second signal during the shutdown kills node before its jobs are gone.
'use strict';

const { spawn } = require('node:child_process');
const { once } = require('node:events');

/** codedError returns an Error with err.code set to code. */
function codedError(code, message) {
  return Object.assign(new Error(message), { code });
}

/** signalGroup sends signal to the process group pgid; a group that is gone is no error. */
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/**
 * Runs jobs as child processes, each in a process group of its own, and shuts them down
 * gracefully: stop taking jobs, signal them, wait for them up to a grace period, then kill
 * what is left.
 */
class JobManager {
  #grace;
  #jobs = new Set(); // { pid, exited } of the jobs still running
  #closing = false;
  #shutdown = null; // the promise of the shutdown, once it has begun

  /**
   * @param {{ grace?: number }} [options]  grace: how long (ms) the jobs get, from the first
   *   signal of a shutdown, to exit on their own (default 5000).
   */
  constructor(options = {}) {
    this.#grace = options.grace ?? 5000;
  }

  /**
   * Starts file with args as a job: no shell, stdin ignored, stdout and stderr inherited,
   * and in a new process group (`detached: true`) whose id is the job's pid, so that a
   * terminal's Ctrl-C reaches only this process, and the signals the manager sends reach the
   * job and every process the job started.
   *
   * @param {string} file
   * @param {string[]} [args]
   * @returns {Promise<{ pid: number, exited: Promise<{ code: number|null, signal: string|null }> }>}
   *   resolves once the job runs; `exited` resolves when it has exited and been reaped, with
   *   its exit code, or null and the signal that ended it. Rejects with code
   *   'ERR_SHUTTING_DOWN' once a shutdown has begun (and starts nothing), or with the error
   *   of spawn when the program cannot start ('ENOENT').
   */
  async start(file, args = []) {
    if (this.#closing) throw codedError('ERR_SHUTTING_DOWN', 'start: the job manager is shutting down');
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', () => {}); // a failed kill must not throw; a failed spawn rejects below
    const exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    if (child.pid !== undefined) {
      const job = { pid: child.pid, exited };
      this.#jobs.add(job);
      exited.then(() => {
        this.#jobs.delete(job);
        // Whatever the job started dies with it once we shut down.
        if (this.#closing) signalGroup(job.pid, 'SIGKILL');
      });
    }
    await once(child, 'spawn'); // rejects with the spawn error
    return { pid: child.pid, exited };
  }

  /**
   * Shuts the manager down:
   *  1. start rejects with 'ERR_SHUTTING_DOWN' from now on;
   *  2. every running job's process group gets `signal`;
   *  3. grace ms later, the groups of the jobs still running get SIGKILL;
   *  4. as each job exits, its process group gets SIGKILL, so that nothing it started is
   *     left behind.
   *
   * @param {string} [signal='SIGTERM']
   * @returns {Promise<{ killed: number[] }>}  resolves as soon as every job has exited and
   *   been reaped (not at the end of the grace period), with the pids of the jobs that had to
   *   be killed with SIGKILL. Calling shutdown again returns the same promise.
   */
  shutdown(signal = 'SIGTERM') {
    this.#shutdown ??= this.#run(signal);
    return this.#shutdown;
  }

  async #run(signal) {
    this.#closing = true;
    const jobs = [...this.#jobs];
    for (const job of jobs) signalGroup(job.pid, signal);
    const killed = [];
    const timer = setTimeout(() => {
      for (const job of this.#jobs) {
        killed.push(job.pid);
        signalGroup(job.pid, 'SIGKILL');
      }
    }, this.#grace);
    await Promise.all(jobs.map((job) => job.exited));
    clearTimeout(timer);
    return { killed };
  }

  /**
   * Shuts the manager down when this process receives the first of `signals`, forwarding
   * that very signal to the jobs (shutdown(signal)). Until the shutdown is over, the
   * listeners catch every one of those signals, so that a second Ctrl-C or `kill` cannot
   * kill this process before its jobs are gone; then they are removed.
   *
   * @param {string[]} [signals=['SIGTERM', 'SIGINT']]
   * @returns {Promise<{ signal: string, killed: number[] }>}  resolves when the shutdown is
   *   over, with the signal received and the result of shutdown.
   */
  shutdownOnSignal(signals = ['SIGTERM', 'SIGINT']) {
    return new Promise((resolve, reject) => {
      let received = null;
      const onSignal = (signal) => {
        if (received) return; // caught: the shutdown is under way
        received = signal;
        this.shutdown(signal).then((result) => {
          for (const s of signals) process.off(s, onSignal);
          resolve({ signal, ...result });
        }, reject);
      };
      for (const s of signals) process.once(s, onSignal);
    });
  }
}

module.exports = { JobManager };
