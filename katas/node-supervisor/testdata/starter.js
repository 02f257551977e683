'use strict';

const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');

/**
 * Keeps one worker process running: restarts it when it crashes, after a delay that doubles
 * with each crash of a streak, and gives up when it crashes too often. Each worker leads a
 * process group of its own; when it exits, whatever is left of that group is killed.
 *
 * Events: 'start' { pid }, 'exit' { pid, code, signal, error, crashed, crashes, delay },
 * 'giveup' { crashes }.
 *
 * @param {string} file
 * @param {string[]} args
 * @param {{ backoff?: number, maxBackoff?: number, maxCrashes?: number, window?: number, killGrace?: number }} [options]
 */
class Supervisor extends EventEmitter {
  constructor(file, args, options = {}) {
    super();
    // TODO: keep what run() and stop() need.
  }

  /**
   * Starts the worker and keeps it running.
   *
   * @returns {Promise<'finished'|'stopped'>} rejects with code 'ERR_TOO_MANY_CRASHES'.
   */
  run() {
    return Promise.reject(new Error('run is not written yet'));
  }

  /**
   * Stops supervising; resolves once the worker has exited.
   *
   * @returns {Promise<void>}
   */
  stop() {
    return Promise.reject(new Error('stop is not written yet'));
  }
}

module.exports = { Supervisor };
