/**
 * The embedded batch queue: the service works its own batches from `batches.db` with at most
 * `concurrency` lines in flight. Lines are claimed and completed in transactions (store.ts); at start
 * every line a previous process left `running` is re-queued.
 *
 * Lines share the event loop with the HTTP server, so the queue never holds it for long:
 * - a line answered without I/O (attributions, the template generator) completes in one go, so each
 *   line first waits for a turn of the loop of its own (`setImmediate`, one line per turn), letting
 *   requests, timers and signals in between lines;
 * - results are stored a group at a time (at most FLUSH_LINES lines or FLUSH_MS after the first), in
 *   one transaction, instead of one disk write per line.
 */
import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { AlignDeps } from '../pipeline/align.js';
import { executeLine, type LineResult } from './execute.js';
import type { BatchDb, ClaimedLine } from './store.js';

const IDLE_POLL_MS = 1000;
/**
 * Lines claimed at a time (one transaction) and held until a slot is free: a claim per line was a
 * transaction per line on the event loop. Held lines are `running` under this worker's id, so a stop
 * or a crash re-queues them; a cancel drops them (`dropBatch`).
 */
const CLAIM_AHEAD = 32;
/** Finished lines stored in one transaction at most, and the longest a finished line waits for it. */
const FLUSH_LINES = 16;
const FLUSH_MS = 20;

interface Finished {
  batchId: string;
  line: number;
  result: LineResult;
  /** The result body as stored (JSON). */
  bodyJson: string;
}

export class EmbeddedQueue {
  readonly workerId = `embedded-${process.pid}-${randomBytes(4).toString('hex')}`;
  private inFlight = new Set<Promise<void>>();
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly abort = new AbortController();
  private turn: Promise<void> = Promise.resolve();
  private finished: Finished[] = [];
  /** Lines claimed and not started yet (oldest first). */
  private held: ClaimedLine[] = [];
  private checkpoints: { stop(): Promise<void> } | null = null;
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: BatchDb,
    private readonly deps: () => AlignDeps | Promise<AlignDeps>,
    private readonly concurrency: number,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    this.checkpoints = this.db.checkpointInBackground((message) =>
      this.log.warn({ message }, 'batch database checkpoint failed (retried)'),
    );
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
      if (free > 0 && this.held.length < free)
        this.held.push(...this.db.claim(this.workerId, Math.max(free, CLAIM_AHEAD) - this.held.length));
      const claimed = free > 0 ? this.held.splice(0, free) : [];
      for (const line of claimed) {
        const p = this.work(line).finally(() => {
          this.inFlight.delete(p);
          this.wake?.();
        });
        this.inFlight.add(p);
      }
      if (claimed.length === 0 || this.inFlight.size >= this.concurrency) {
        // Nothing to claim: what finished so far is stored now rather than after FLUSH_MS.
        if (claimed.length === 0) this.flush();
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
      await this.nextLineTurn();
      if (this.abort.signal.aborted) return;
      const result = await executeLine(
        await this.deps(),
        line.url,
        line.body,
        `${line.batchId}_${line.line}`,
        this.abort.signal,
      );
      if (this.abort.signal.aborted) return; // stopped: the line is re-queued at next boot
      // Serialized here, in this line's own turn, so that a flush only writes.
      const bodyJson = JSON.stringify(result.body);
      this.finished.push({ batchId: line.batchId, line: line.line, result, bodyJson });
      if (this.finished.length >= FLUSH_LINES) this.flush();
      else this.flushTimer ??= setTimeout(() => this.flush(), FLUSH_MS);
    } catch (err) {
      this.log.error({ err, batch: line.batchId, line: line.line }, 'batch line failed to run');
    }
  }

  /** Store the finished lines (one transaction). A failure leaves them running: re-queued at boot. */
  private flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    const group = this.finished;
    if (group.length === 0) return;
    this.finished = [];
    try {
      this.db.completeMany(this.workerId, group);
    } catch (err) {
      this.log.error({ err, lines: group.length }, 'batch lines failed to complete');
    }
  }

  /** A cancelled batch: its held lines are not run but stored as cancelled. */
  dropBatch(batchId: string): void {
    const dropped = this.held.filter((l) => l.batchId === batchId).map((l) => l.line);
    if (dropped.length === 0) return;
    this.held = this.held.filter((l) => l.batchId !== batchId);
    this.db.cancelClaimed(this.workerId, batchId, dropped);
  }

  /** Resolves on a turn of the event loop of its own (after the turns of the lines that asked before). */
  private nextLineTurn(): Promise<void> {
    const mine = this.turn.then(() => nextTurn());
    this.turn = mine;
    return mine;
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
    this.flush();
    // Whatever did not finish goes back to the queue now (a clean stop leaves nothing running).
    this.db.requeue(this.workerId);
    await this.checkpoints?.stop();
  }
}
