'use strict';

const { spawn } = require('node:child_process');

/**
 * Runs tasks as child processes: by priority, at most `concurrency` at once, with retries
 * after a growing backoff and a timeout per attempt, and counts what happens.
 */
class TaskRunner {
  /**
   * @param {{ concurrency?: number, retries?: number, backoffMs?: number, timeoutMs?: number }} [options]
   * @throws {Error}  code 'ERR_INVALID_ARG_VALUE' for invalid options.
   */
  constructor(options = {}) {
    this.options = options;
  }

  /**
   * Queues a task; it runs when a slot is free, by priority.
   *
   * @param {{ id: string, file: string, args?: string[], priority?: number }} task
   * @returns {Promise<{ id: string, attempts: number, durationMs: number }>}  rejects with
   *   code 'ERR_TASK_FAILED' (err.attempts, err.exitCode, err.signal, err.timedOut), the
   *   error of spawn ('ENOENT'), or 'ERR_RUNNER_CLOSED'.
   */
  add(task) {
    // TODO: queue the task by priority and run it when a slot is free.
    return Promise.reject(new Error('add is not written yet'));
  }

  /**
   * @returns {{ queued: number, running: number, retrying: number, succeeded: number, failed: number, attempts: number, retries: number, timeouts: number, exitCodes: Object<string, number>, busyMs: number }}
   */
  metrics() {
    // TODO
    throw new Error('metrics is not written yet');
  }

  /**
   * Closes the runner and resolves once every task added has settled.
   *
   * @returns {Promise<void>}
   */
  close() {
    // TODO
    return Promise.reject(new Error('close is not written yet'));
  }
}

module.exports = { TaskRunner };
