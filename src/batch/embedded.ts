/**
 * The embedded batch queue: the service works its own batches from `batches.db` with at most
 * `concurrency` lines in flight. Lines are claimed and completed in transactions (store.ts); at start
 * every line a previous process left `running` is re-queued.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AlignDeps } from '../pipeline/align.js';
import { executeLine } from './execute.js';
import type { BatchDb, ClaimedLine } from './store.js';

const IDLE_POLL_MS = 1000;

export class EmbeddedQueue {
  readonly workerId = `embedded-${process.pid}-${randomBytes(4).toString('hex')}`;
  private inFlight = new Set<Promise<void>>();
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly db: BatchDb,
    private readonly deps: () => AlignDeps | Promise<AlignDeps>,
    private readonly concurrency: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    const requeued = this.db.requeue();
    if (requeued > 0) this.log.info({ requeued }, 'batch lines of a previous process re-queued');
    this.running = true;
    this.loop = this.run();
  }

  /** New work was submitted: stop waiting. */
  notify(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const free = this.concurrency - this.inFlight.size;
      const claimed = free > 0 ? this.db.claim(this.workerId, free) : [];
      for (const line of claimed) {
        const p = this.work(line).finally(() => {
          this.inFlight.delete(p);
          this.wake?.();
        });
        this.inFlight.add(p);
      }
      if (claimed.length === 0 || this.inFlight.size >= this.concurrency) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, IDLE_POLL_MS);
          timer.unref();
          function done() {
            clearTimeout(timer);
            resolve();
          }
          this.wake = done;
        });
        this.wake = null;
      }
    }
  }

  private async work(line: ClaimedLine): Promise<void> {
    try {
      const result = await executeLine(
        await this.deps(),
        line.url,
        line.body,
        `${line.batchId}_${line.line}`,
        this.abort.signal,
      );
      if (this.abort.signal.aborted) return; // stopped: the line is re-queued at next boot
      this.db.complete(this.workerId, line.batchId, line.line, result);
    } catch (err) {
      this.log.error({ err, batch: line.batchId, line: line.line }, 'batch line failed to complete');
    }
  }

  /** Stop claiming; wait for the lines in flight (up to `graceMs`), then abort them (re-queued at boot). */
  async stop(graceMs: number): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    const all = Promise.allSettled([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (late) {
      this.abort.abort(new Error('shutting down'));
      await all;
    }
    // Whatever did not finish goes back to the queue now (a clean stop leaves nothing running).
    this.db.requeue(this.workerId);
  }
}
