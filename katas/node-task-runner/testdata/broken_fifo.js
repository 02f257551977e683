// Broken: runs the waiting tasks in the order added, ignoring their priority.
'use strict';

const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');

/** codedError returns an Error with err.code set to code, and props. */
function codedError(code, message, props = {}) {
  return Object.assign(new Error(message), { code }, props);
}

/** killGroup sends SIGKILL to the process group pgid; a group that is gone is no error. */
function killGroup(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (err) {
    if (err.code !== 'ESRCH') throw err;
  }
}

/**
 * Runs tasks as child processes: by priority, at most `concurrency` at once, with retries
 * after a growing backoff and a timeout per attempt, and counts what happens.
 */
class TaskRunner {
  #concurrency;
  #retries;
  #backoffMs;
  #timeoutMs;
  #queue = []; // waiting entries, by priority (highest first), then in the order added
  #seq = 0;
  #running = 0;
  #retrying = 0; // entries waiting out a backoff, in no queue
  #closed = false;
  #onIdle = [];
  #m = { succeeded: 0, failed: 0, attempts: 0, retries: 0, timeouts: 0, exitCodes: {}, busyMs: 0 };

  /**
   * @param {{ concurrency?: number, retries?: number, backoffMs?: number, timeoutMs?: number }} [options]
   *   concurrency: the most tasks running at once (default 1); retries: how many times a
   *   task is run again after a failed attempt (default 2); backoffMs: the wait before the
   *   first retry (default 100), doubled before each next one; timeoutMs: how long an
   *   attempt may run before its process group is killed with SIGKILL (default 0: no limit).
   * @throws {Error}  code 'ERR_INVALID_ARG_VALUE' when concurrency is not an integer >= 1,
   *   or retries, backoffMs or timeoutMs is not an integer >= 0.
   */
  constructor(options = {}) {
    const { concurrency = 1, retries = 2, backoffMs = 100, timeoutMs = 0 } = options;
    for (const [name, value, least] of [['concurrency', concurrency, 1], ['retries', retries, 0], ['backoffMs', backoffMs, 0], ['timeoutMs', timeoutMs, 0]]) {
      if (!Number.isInteger(value) || value < least) {
        throw codedError('ERR_INVALID_ARG_VALUE', `TaskRunner: ${name} must be an integer >= ${least}, not ${value}`);
      }
    }
    this.#concurrency = concurrency;
    this.#retries = retries;
    this.#backoffMs = backoffMs;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Queues a task: its program runs, with stdio ignored and in a process group of its own,
   * when a slot is free; waiting tasks start by priority, highest first, and in the order
   * added within a priority.
   *
   * An attempt that exits with a code other than 0, is killed by a signal, or passes
   * timeoutMs has failed: the task waits backoffMs * 2 ** (n - 1) before its n-th retry,
   * then goes back to the queue in the place it had (by priority and order added).
   *
   * @param {{ id: string, file: string, args?: string[], priority?: number }} task
   * @returns {Promise<{ id: string, attempts: number, durationMs: number }>}  resolves once
   *   an attempt exits with code 0: the attempts made, and how long the last one ran (ms).
   *   Rejects with code 'ERR_TASK_FAILED' once 1 + retries attempts have failed, with
   *   err.attempts and how the last one ended: err.exitCode (null after a signal),
   *   err.signal, err.timedOut. Rejects with the error of spawn ('ENOENT') when the program
   *   cannot start: that is not retried. Rejects with 'ERR_RUNNER_CLOSED' after close().
   */
  add(task) {
    if (this.#closed) {
      return Promise.reject(codedError('ERR_RUNNER_CLOSED', `add(${task?.id}): the runner is closed`));
    }
    return new Promise((resolve, reject) => {
      this.#enqueue({ task, priority: task.priority ?? 0, seq: this.#seq++, attempts: 0, resolve, reject });
      this.#pump();
    });
  }

  /**
   * Returns a snapshot of the counters. Each task added is in exactly one of queued
   * (waiting for a slot), running, retrying (waiting out a backoff), succeeded or failed,
   * so these five add up to the number of tasks added, at every moment.
   *
   * @returns {{ queued: number, running: number, retrying: number, succeeded: number, failed: number, attempts: number, retries: number, timeouts: number, exitCodes: Object<string, number>, busyMs: number }}
   *   attempts: processes started; retries: failed attempts that were given another try;
   *   timeouts: attempts killed by the timeout; exitCodes: how the attempts ended, counted
   *   by exit code ('0', '3') or by signal ('SIGKILL'); busyMs: the total time the
   *   attempts ran.
   */
  metrics() {
    return {
      queued: this.#queue.length,
      running: this.#running,
      retrying: this.#retrying,
      ...this.#m,
      exitCodes: { ...this.#m.exitCodes },
    };
  }

  /**
   * Closes the runner: add rejects from now on with 'ERR_RUNNER_CLOSED'.
   *
   * @returns {Promise<void>}  resolves once every task added has settled, tasks waiting
   *   for a retry included, and every process it started has exited.
   */
  close() {
    this.#closed = true;
    return new Promise((resolve) => {
      this.#onIdle.push(resolve);
      this.#checkIdle();
    });
  }

  #enqueue(entry) {
    const i = this.#queue.findIndex((e) => e.seq > entry.seq);
    this.#queue.splice(i < 0 ? this.#queue.length : i, 0, entry);
  }

  #pump() {
    while (this.#running < this.#concurrency && this.#queue.length > 0) {
      const entry = this.#queue.shift();
      this.#running++;
      this.#attempt(entry);
    }
    this.#checkIdle();
  }

  #attempt(entry) {
    const { task } = entry;
    const child = spawn(task.file, task.args ?? [], { stdio: 'ignore', detached: true });
    if (child.pid === undefined) {
      child.once('error', (err) => {
        this.#running--;
        this.#m.failed++;
        entry.reject(err);
        this.#pump();
      });
      return;
    }
    child.on('error', () => {}); // a failed kill: 'exit' comes anyway
    entry.attempts++;
    this.#m.attempts++;
    const start = performance.now();
    let timedOut = false;
    const timer = this.#timeoutMs > 0 ? setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, this.#timeoutMs) : null;
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const durationMs = performance.now() - start;
      this.#running--;
      this.#m.busyMs += durationMs;
      const how = signal ?? String(code);
      this.#m.exitCodes[how] = (this.#m.exitCodes[how] ?? 0) + 1;
      if (timedOut) this.#m.timeouts++;
      if (code === 0) {
        this.#m.succeeded++;
        entry.resolve({ id: task.id, attempts: entry.attempts, durationMs });
      } else if (entry.attempts <= this.#retries) {
        this.#m.retries++;
        this.#retrying++;
        setTimeout(() => {
          this.#retrying--;
          this.#enqueue(entry);
          this.#pump();
        }, this.#backoffMs * 2 ** (entry.attempts - 1));
      } else {
        this.#m.failed++;
        const ended = timedOut ? `timed out after ${this.#timeoutMs} ms` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
        entry.reject(codedError('ERR_TASK_FAILED', `task ${task.id}: attempt ${entry.attempts} of ${entry.attempts} ${ended}`,
          { attempts: entry.attempts, exitCode: code, signal, timedOut }));
      }
      this.#pump();
    });
  }

  #checkIdle() {
    if (this.#closed && this.#queue.length === 0 && this.#running === 0 && this.#retrying === 0) {
      for (const resolve of this.#onIdle.splice(0)) resolve();
    }
  }
}

module.exports = { TaskRunner };
