// Broken: starts every job as soon as it is added, ignoring concurrency.
'use strict';

const { spawn } = require('node:child_process');
const { EventEmitter, once } = require('node:events');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { pipeline } = require('node:stream/promises');

/** codedError returns an Error with err.code set to code, and props. */
function codedError(code, message, props = {}) {
  return Object.assign(new Error(message), { code }, props);
}

const PROGRESS = /^progress=(\d{1,3})%$/;

/**
 * A queue of file conversions, each run as a child process:
 * `command ...args input`, without a shell. The converter writes the converted file on its
 * stdout, and on its stderr lines of text, among them progress lines `progress=NN%`.
 *
 * Events:
 *  - 'start' (id, pid): job id's converter is running;
 *  - 'progress' (id, percent): job id's converter wrote the line `progress=<percent>%`;
 *    a job's events come in the order of its lines, whatever the pipe's chunks were.
 */
class ConverterQueue extends EventEmitter {
  #command;
  #args;
  #concurrency;
  #waiting = []; // jobs not started yet, in the order added
  #running = new Map(); // id -> job
  #nextId = 1;

  /**
   * @param {{ command: string, args?: string[], concurrency?: number }} options
   *   command: the converter program; args: its first arguments (the input comes last);
   *   concurrency: the most converters running at once, an integer >= 1 (default 1).
   * @throws {Error}  code 'ERR_INVALID_ARG_VALUE' for a concurrency that is not an
   *   integer >= 1.
   */
  constructor({ command, args = [], concurrency = 1 }) {
    super();
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw codedError('ERR_INVALID_ARG_VALUE', `ConverterQueue: concurrency must be an integer >= 1, not ${concurrency}`);
    }
    this.#command = command;
    this.#args = args;
    this.#concurrency = concurrency;
  }

  /**
   * Queues the conversion of input into output. The job starts when fewer than
   * `concurrency` converters run, in the order added; the first events come after add
   * returns.
   *
   * @param {string} input  the file to convert, the converter's last argument
   * @param {string} output  where the converted file goes
   * @returns {{ id: string, done: Promise<{ id: string, output: string }> }}
   *   id names the job in events and in cancel. done resolves once the converter exited
   *   with code 0 and output holds everything it wrote on stdout: the output is written to
   *   a temporary file in output's folder and renamed into place, so output never holds a
   *   partial file. done rejects with code 'ERR_CONVERSION_FAILED' when the converter
   *   exited with another code or was killed (err.exitCode, err.signal; the message quotes
   *   the last line of its stderr that was not progress), 'ERR_CANCELED' after cancel(id),
   *   or with the error of spawn ('ENOENT'). A job that failed or was cancelled leaves
   *   neither output nor temporary file, and the other jobs go on.
   */
  add(input, output) {
    const id = `job-${this.#nextId++}`;
    const job = { id, input, output, child: null, canceled: false };
    const done = new Promise((resolve, reject) => {
      job.resolve = resolve;
      job.reject = reject;
    });
    this.#waiting.push(job);
    process.nextTick(() => this.#pump());
    return { id, done };
  }

  /**
   * Cancels job id. A waiting job never starts; a running job's converter is killed with
   * SIGKILL. Either way its done rejects with code 'ERR_CANCELED', after the converter
   * (if any) has exited and its temporary file is removed.
   *
   * @param {string} id
   * @returns {boolean}  true if the job was waiting or running; false for a job that is
   *   unknown, finished or already cancelled.
   */
  cancel(id) {
    const i = this.#waiting.findIndex((job) => job.id === id);
    if (i >= 0) {
      const [job] = this.#waiting.splice(i, 1);
      job.reject(codedError('ERR_CANCELED', `${id} was canceled before it started`));
      return true;
    }
    const job = this.#running.get(id);
    if (!job || job.canceled) return false;
    job.canceled = true;
    if (job.child) job.child.kill('SIGKILL');
    return true;
  }

  #pump() {
    while (this.#waiting.length > 0) {
      const job = this.#waiting.shift();
      this.#running.set(job.id, job);
      this.#run(job)
        .then(job.resolve, job.reject)
        .finally(() => {
          this.#running.delete(job.id);
          this.#pump();
        });
    }
  }

  async #run(job) {
    const child = spawn(this.#command, [...this.#args, job.input], { stdio: ['ignore', 'pipe', 'pipe'] });
    job.child = child;
    child.on('error', () => {}); // a failed spawn rejects below; a failed kill is no matter
    const closed = new Promise((resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    let lastMessage = '';
    readline.createInterface({ input: child.stderr, crlfDelay: Infinity }).on('line', (line) => {
      const m = PROGRESS.exec(line);
      if (m) this.emit('progress', job.id, Number(m[1]));
      else if (line.trim() !== '') lastMessage = line;
    });
    await once(child, 'spawn'); // rejects with the spawn error: ENOENT, EACCES
    this.emit('start', job.id, child.pid);

    const tmp = path.join(path.dirname(job.output), `.${path.basename(job.output)}.${process.pid}.${job.id}.tmp`);
    const written = pipeline(child.stdout, fs.createWriteStream(tmp)).then(() => null, (err) => err);
    const [{ code, signal }, writeError] = await Promise.all([closed, written]);
    if (job.canceled || code !== 0 || writeError) {
      await fs.promises.rm(tmp, { force: true });
      if (job.canceled) throw codedError('ERR_CANCELED', `${job.id} was canceled`);
      if (writeError) throw writeError;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const said = lastMessage ? `: ${lastMessage}` : '';
      throw codedError('ERR_CONVERSION_FAILED', `converting ${job.input}: the converter ${how}${said}`, { exitCode: code, signal });
    }
    await fs.promises.rename(tmp, job.output);
    return { id: job.id, output: job.output };
  }
}

module.exports = { ConverterQueue };
