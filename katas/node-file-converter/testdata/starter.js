'use strict';

const { spawn } = require('node:child_process');
const { EventEmitter } = require('node:events');

/**
 * A queue of file conversions, each run as a child process: `command ...args input`,
 * without a shell. The converter writes the converted file on its stdout, and progress
 * lines `progress=NN%` (among others) on its stderr.
 *
 * Events: 'start' (id, pid); 'progress' (id, percent).
 */
class ConverterQueue extends EventEmitter {
  /**
   * @param {{ command: string, args?: string[], concurrency?: number }} options
   */
  constructor({ command, args = [], concurrency = 1 }) {
    super();
    this.command = command;
    this.args = args;
    this.concurrency = concurrency;
  }

  /**
   * Queues the conversion of input into output.
   *
   * @param {string} input
   * @param {string} output
   * @returns {{ id: string, done: Promise<{ id: string, output: string }> }}
   *   done rejects with code 'ERR_CONVERSION_FAILED' (err.exitCode), 'ERR_CANCELED', or the
   *   error of spawn ('ENOENT').
   */
  add(input, output) {
    // TODO: queue the job, start it when a slot is free.
    throw new Error('add is not written yet');
  }

  /**
   * Cancels job id: a waiting job never starts; a running job's converter is killed.
   *
   * @param {string} id
   * @returns {boolean}  true if the job was waiting or running.
   */
  cancel(id) {
    // TODO
    throw new Error('cancel is not written yet');
  }
}

module.exports = { ConverterQueue };
