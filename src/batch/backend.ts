/**
 * Where batches live, as the routes see them: the embedded SQLite store worked by the service itself
 * (default), or Redis + BullMQ worked by `pluralign worker` processes (REDIS_URL; see redis.ts).
 */
import type { FastifyBaseLogger } from 'fastify';
import type { AlignDeps } from '../pipeline/align.js';
import { EmbeddedQueue } from './embedded.js';
import type { BatchQuota } from './quota.js';
import { RetentionSweeper } from './retention.js';
import type { BatchDb, BatchLineInput, BatchRecord } from './store.js';

export interface BatchBackend {
  /** Store the batch and queue its lines. */
  create(
    owner: string,
    lines: readonly BatchLineInput[],
    metadata: Record<string, string> | null,
  ): Promise<BatchRecord>;
  get(owner: string, id: string): Promise<BatchRecord | null>;
  list(owner: string, limit: number, after?: string): Promise<BatchRecord[]>;
  /**
   * The finished lines in input order, as JSONL chunks read a page at a time (never the whole output in
   * memory); null when the owner has no such batch.
   */
  output(owner: string, id: string): Promise<AsyncIterable<string> | null>;
  cancel(owner: string, id: string): Promise<BatchRecord | null>;
  start(): Promise<void>;
  close(graceMs: number): Promise<void>;
}

/** Both backends' limits: the per-key quota and how long finished batches are kept. */
export interface BatchLimits {
  quota: BatchQuota;
  retentionSeconds: number;
}

export class SqliteBackend implements BatchBackend {
  private readonly queue: EmbeddedQueue | null;
  private readonly retention: RetentionSweeper;

  constructor(
    private readonly db: BatchDb,
    deps: () => AlignDeps | Promise<AlignDeps>,
    concurrency: number,
    log: FastifyBaseLogger,
    private readonly limits: BatchLimits = { quota: { lines: 0, bytes: 0 }, retentionSeconds: 0 },
  ) {
    this.queue = concurrency > 0 ? new EmbeddedQueue(db, deps, concurrency, log) : null;
    this.retention = new RetentionSweeper(db, limits.retentionSeconds, log);
  }

  /** Throws BatchQuotaError when the owner's unfinished work would pass the quota. */
  async create(owner: string, lines: readonly BatchLineInput[], metadata: Record<string, string> | null) {
    const id = this.db.create(owner, lines, metadata, this.limits.quota);
    this.queue?.notify();
    return this.db.get(owner, id)!;
  }
  async get(owner: string, id: string) {
    return this.db.get(owner, id);
  }
  async list(owner: string, limit: number, after?: string) {
    return this.db.list(owner, limit, after);
  }
  async output(owner: string, id: string) {
    return this.db.get(owner, id) ? this.db.outputPages(id) : null;
  }
  async cancel(owner: string, id: string) {
    const batch = this.db.cancel(owner, id);
    if (!batch || batch.status !== 'cancelling') return batch;
    // Lines the queue claimed ahead but did not start are cancelled too.
    this.queue?.dropBatch(id);
    return this.db.get(owner, id);
  }
  async start() {
    this.queue?.start();
    this.retention.start();
  }
  async close(graceMs: number) {
    await this.retention.stop();
    await this.queue?.stop(graceMs);
    this.db.close();
  }
}
