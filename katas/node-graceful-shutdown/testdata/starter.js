'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs jobs as child processes, each in a process group of its own, and shuts them down
 * gracefully: stop taking jobs, signal them, wait for them up to a grace period, then kill
 * what is left.
 */
class JobManager {
  /**
   * @param {{ grace?: number }} [options]  grace: how long (ms) the jobs get, from the first
   *   signal of a shutdown, to exit on their own (default 5000).
   */
  constructor(options = {}) {
    this.grace = options.grace ?? 5000;
  }

  /**
   * Starts file with args as a job, in a new process group (detached: true), no shell.
   *
   * @param {string} file
   * @param {string[]} [args]
   * @returns {Promise<{ pid: number, exited: Promise<{ code: number|null, signal: string|null }> }>}
   *   Rejects with code 'ERR_SHUTTING_DOWN' once a shutdown has begun, or with the error of
   *   spawn ('ENOENT').
   */
  async start(file, args = []) {
    // TODO: spawn the job in its own process group and keep track of it.
    throw new Error('start is not written yet');
  }

  /**
   * Shuts the manager down: refuse new jobs, send signal to every job's process group,
   * SIGKILL the groups still running after grace ms, and SIGKILL each group as its job
   * exits.
   *
   * @param {string} [signal='SIGTERM']
   * @returns {Promise<{ killed: number[] }>}  resolves as soon as every job has exited.
   */
  shutdown(signal = 'SIGTERM') {
    // TODO
    return Promise.reject(new Error('shutdown is not written yet'));
  }

  /**
   * Shuts the manager down on the first of signals, forwarding that signal; catches the
   * others until the shutdown is over.
   *
   * @param {string[]} [signals=['SIGTERM', 'SIGINT']]
   * @returns {Promise<{ signal: string, killed: number[] }>}
   */
  shutdownOnSignal(signals = ['SIGTERM', 'SIGINT']) {
    // TODO
    return Promise.reject(new Error('shutdownOnSignal is not written yet'));
  }
}

module.exports = { JobManager };
