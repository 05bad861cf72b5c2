/**
 * WAL checkpoints off the event loop. SQLite copies the write-ahead log back into the database file
 * every 1,000 pages by default, inside the commit that crosses the mark, and with `synchronous =
 * NORMAL` that copy ends in an fsync: on the event loop, the slowest step of a busy batch (tens of
 * milliseconds on a loaded disk). With a checkpointer, the queue's connection turns automatic
 * checkpoints off and a worker thread with its own connection to the same file runs a PASSIVE
 * checkpoint every CHECKPOINT_MS (it never blocks the writer; a reader in the way only delays it).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const CHECKPOINT_MS = 200;

/** The worker: plain CommonJS (no TypeScript), so it runs the same from src/ and dist/. */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
}, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  /** Resolves when the worker has exited (also if it exits before `stop`). */
  private readonly exited: Promise<void>;

  constructor(path: string, onError: (message: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_CODE, {
      eval: true,
      workerData: { path, driver, everyMs: CHECKPOINT_MS },
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.unref();
    this.worker.on('message', (m: { error?: string }) => m.error && onError(m.error));
    this.worker.on('error', (err) => onError(err.message));
  }

  /** Stop checkpointing and close the worker's connection. */
  async stop(): Promise<void> {
    this.worker.postMessage('stop');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => void this.worker.terminate().then(() => resolve()), 2000);
    });
    await Promise.race([this.exited, late]);
    clearTimeout(timer);
  }
}
