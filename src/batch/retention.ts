/**
 * Retention of finished batches (embedded queue): a batch completed or cancelled more than
 * BATCH_RETENTION_SECONDS ago is deleted with its lines and output (then 404 UNKNOWN_BATCH). A sweep runs
 * at start and then every tenth of the retention (at least every second, at most every hour). A batch
 * is deleted DELETE_CHUNK_LINES lines per transaction with a turn of the event loop in between, so a
 * 50,000-line batch never holds the loop; the freed pages are then returned to the file system.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import type { BatchDb } from './store.js';

const MAX_SWEEP_INTERVAL_MS = 3_600_000;
const MIN_SWEEP_INTERVAL_MS = 1_000;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly db: BatchDb,
    private readonly retentionSeconds: number,
    private readonly log: FastifyBaseLogger,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Sweep now and then periodically (nothing when retention is 0). */
  start(): void {
    if (this.retentionSeconds <= 0) return;
    const every = Math.min(
      MAX_SWEEP_INTERVAL_MS,
      Math.max(MIN_SWEEP_INTERVAL_MS, (this.retentionSeconds * 1000) / 10),
    );
    const tick = () => {
      void this.sweep().finally(() => {
        if (this.stopped) return;
        this.timer = setTimeout(tick, every);
        this.timer.unref();
      });
    };
    tick();
  }

  /** Delete every batch finished more than the retention ago; the number deleted. */
  sweep(): Promise<number> {
    this.sweeping ??= this.run().finally(() => (this.sweeping = null));
    return this.sweeping;
  }

  private async run(): Promise<number> {
    let deleted = 0;
    try {
      const before = Math.floor(this.now() / 1000) - this.retentionSeconds;
      for (const id of this.db.finishedBefore(before)) {
        while (!this.stopped && !this.db.deleteChunk(id)) await nextTurn();
        if (this.stopped) break;
        deleted++;
        await nextTurn();
      }
      if (deleted > 0) {
        this.db.compact(this.db.freePages());
        this.log.info({ deleted, retentionSeconds: this.retentionSeconds }, 'expired batches deleted');
      }
    } catch (err) {
      this.log.error({ err }, 'deleting expired batches failed (retried at the next sweep)');
    }
    return deleted;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.sweeping;
  }
}
