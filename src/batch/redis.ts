/**
 * Batch jobs at scale: with REDIS_URL set, batch records and results live in Redis and every line is a
 * BullMQ job on the queue `pluralign-batch-lines`, worked by any number of `pluralign worker` processes
 * (the service only stores, enqueues and reports). Both sides see the same keys (redis-scripts.ts):
 *
 * - `pluralign:batch:<id>` (hash): owner, status, total, timestamps, metadata, input bytes, retention,
 *   and the counters `ok`, `failed`, `cancelled`;
 * - `pluralign:batch:<id>:out` (hash): line number → output line (JSON);
 * - `pluralign:batch:<id>:ids` (hash): line number → custom_id (JSON), for lines cancelled unrun;
 * - `pluralign:batch:<id>:by` (hash): worker name → lines it wrote (operations, tests);
 * - `pluralign:batch:<id>:started` (hash): lines a worker began (a cancel leaves them to it);
 * - `pluralign:batches:<owner>` (sorted set): the owner's batch ids by creation time;
 * - `pluralign:batches-open:<owner>` (set): its batches in progress or cancelling (the quota's base).
 *
 * A batch is stored by one script that first checks the owner's quota (BATCH_QUOTA_LINES,
 * BATCH_QUOTA_BYTES) against its open batches, so replicas sharing the Redis cannot together pass it.
 * A result is written by one script: `HSETNX` on the line (a line re-run after a crash or a stalled
 * lock is written once, the second result is dropped), the counter, and, once every line is in, the
 * final status and EXPIRE on the batch's keys (BATCH_RETENTION_SECONDS). Lines whose worker died are
 * re-queued by BullMQ's stalled-job check (after BATCH_LOCK_MS).
 * Retries: a line failing with a retryable upstream error (502/503/504) is retried by BullMQ with
 * exponential backoff up to BATCH_MAX_ATTEMPTS; its last result is kept. BATCH_RATE_LIMIT caps the
 * lines per second started by all workers together (BullMQ's queue-wide limiter).
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AlignDeps } from '../pipeline/align.js';
import type { BatchBackend, BatchLimits } from './backend.js';
import { executeLine, type LineResult } from './execute.js';
import { checkQuota, inputBytes, type InFlight } from './quota.js';
import {
  BATCH_PREFIX,
  CANCEL,
  CREATE,
  IN_FLIGHT,
  OPEN_PREFIX,
  OWNER_PREFIX,
  RECORD,
  START,
} from './redis-scripts.js';
import {
  newBatchId,
  type BatchLineInput,
  type BatchRecord,
  type BatchStatus,
  type OutputLine,
} from './store.js';

export const QUEUE_NAME = 'pluralign-batch-lines';
const metaKey = (id: string) => `${BATCH_PREFIX}${id}`;
const outKey = (id: string) => `${BATCH_PREFIX}${id}:out`;
const idsKey = (id: string) => `${BATCH_PREFIX}${id}:ids`;
export const byWorkerKey = (id: string) => `${BATCH_PREFIX}${id}:by`;
const ownerKey = (owner: string) => `${OWNER_PREFIX}${owner}`;
const openKey = (owner: string) => `${OPEN_PREFIX}${owner}`;

export interface LineJob {
  batchId: string;
  line: number;
  customId: string;
  url: string;
  body: unknown;
}

export interface RedisSettings {
  url: string;
  maxAttempts: number;
  backoffMs: number;
  lockMs: number;
  /** Lines per second over all workers; 0 = no limit. */
  rateLimit: number;
}

/** The output error of a line that was still queued when its batch was cancelled. */
const CANCELLED_ERROR = { code: 'BATCH_CANCELLED', message: 'the batch was cancelled before this line ran' };
/** Lines a cancel script looks at per call (Redis serves nothing else while a script runs). */
const CANCEL_CHUNK_LINES = 2000;
/** custom_ids written per HSET when a batch is stored. */
const IDS_CHUNK_LINES = 1000;

type Scripted = Redis & {
  batchCreate(...a: (string | number)[]): Promise<[number, number, number]>;
  batchInFlight(open: string): Promise<[number, number]>;
  batchCancel(...a: (string | number)[]): Promise<number>;
  batchStart(meta: string, out: string, line: string): Promise<string>;
  batchRecord(...a: string[]): Promise<number>;
};

/**
 * A connection. Workers wait for Redis as long as it takes (BullMQ needs `maxRetriesPerRequest: null`
 * there); the service fails a request quickly instead (the route answers an error) when Redis is down.
 */
export function redisConnection(url: string, worker = false): Redis {
  return new Redis(url, { maxRetriesPerRequest: worker ? null : 1 });
}

/** A connection with the batch scripts (redis-scripts.ts) as commands (EVALSHA, loaded on demand). */
function scriptedConnection(url: string, worker = false): Scripted {
  const redis = redisConnection(url, worker);
  redis.defineCommand('batchCreate', { numberOfKeys: 3, lua: CREATE });
  redis.defineCommand('batchInFlight', { numberOfKeys: 1, lua: IN_FLIGHT });
  redis.defineCommand('batchCancel', { numberOfKeys: 3, lua: CANCEL });
  redis.defineCommand('batchStart', { numberOfKeys: 2, lua: START });
  redis.defineCommand('batchRecord', { numberOfKeys: 3, lua: RECORD });
  return redis as Scripted;
}

const nowS = () => Math.floor(Date.now() / 1000);
/** Output lines read (HMGET) and sent at a time. */
const OUTPUT_PAGE_LINES = 256;
const num = (v: string | undefined) => (v === undefined || v === '' ? null : Number(v));

function toRecord(id: string, h: Record<string, string>): BatchRecord {
  return {
    id,
    object: 'batch',
    status: h.status as BatchStatus,
    created_at: Number(h.created_at),
    in_progress_at: num(h.in_progress_at),
    completed_at: num(h.completed_at),
    cancelling_at: num(h.cancelling_at),
    cancelled_at: num(h.cancelled_at),
    request_counts: { total: Number(h.total), completed: Number(h.ok ?? 0), failed: Number(h.failed ?? 0) },
    metadata: h.metadata ? (JSON.parse(h.metadata) as Record<string, string>) : null,
    output_url: `/v1/batches/${id}/output`,
  };
}

/** The service side: store (within the owner's quota), enqueue, report, cancel. */
export class RedisBackend implements BatchBackend {
  private readonly redis: Scripted;
  private readonly connection: Redis;
  private readonly queue: Queue;

  constructor(
    private readonly settings: RedisSettings,
    private readonly limits: BatchLimits = { quota: { lines: 0, bytes: 0 }, retentionSeconds: 0 },
  ) {
    this.redis = scriptedConnection(settings.url);
    this.connection = redisConnection(settings.url);
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection });
  }

  /** Throws BatchQuotaError when the owner's unfinished work (all replicas) would pass the quota. */
  async create(owner: string, lines: readonly BatchLineInput[], metadata: Record<string, string> | null) {
    const id = newBatchId();
    const bytes = inputBytes(lines.map((l) => JSON.stringify(l.body ?? null)));
    const { quota, retentionSeconds } = this.limits;
    const [stored, inFlightLines, inFlightBytes] = await this.redis.batchCreate(
      metaKey(id),
      ownerKey(owner),
      openKey(owner),
      id,
      owner,
      lines.length,
      bytes,
      quota.lines,
      quota.bytes,
      nowS(),
      metadata ? JSON.stringify(metadata) : '',
      Date.now(),
      retentionSeconds,
    );
    if (stored !== 1) {
      const current = { lines: inFlightLines, bytes: inFlightBytes };
      checkQuota(quota, current, lines.length, bytes);
      throw new Error(`the batch store refused the batch (${JSON.stringify(current)} in flight)`);
    }
    try {
      await this.enqueue(id, lines);
    } catch (err) {
      // Not queued: drop what was stored, so it neither lingers in progress nor counts for the quota.
      await this.redis
        .multi()
        .del(metaKey(id), idsKey(id), outKey(id), byWorkerKey(id), `${metaKey(id)}:started`)
        .zrem(ownerKey(owner), id)
        .srem(openKey(owner), id)
        .exec()
        .catch(() => undefined);
      throw err;
    }
    return (await this.get(owner, id))!;
  }

  /** The custom_ids (for lines cancelled before they run), then one job per line. */
  private async enqueue(id: string, lines: readonly BatchLineInput[]): Promise<void> {
    for (let i = 0; i < lines.length; i += IDS_CHUNK_LINES) {
      const fields: Record<string, string> = {};
      lines
        .slice(i, i + IDS_CHUNK_LINES)
        .forEach((l, k) => (fields[i + k + 1] = JSON.stringify(l.custom_id)));
      await this.redis.hset(idsKey(id), fields);
    }
    const opts = {
      attempts: this.settings.maxAttempts,
      backoff: { type: 'exponential', delay: this.settings.backoffMs },
      removeOnComplete: true,
      removeOnFail: true,
    };
    for (let i = 0; i < lines.length; i += 1000) {
      await this.queue.addBulk(
        lines.slice(i, i + 1000).map((l, k) => {
          const line = i + k + 1;
          const data: LineJob = { batchId: id, line, customId: l.custom_id, url: l.url, body: l.body };
          return { name: 'line', data, opts: { ...opts, jobId: `${id}-${line}` } };
        }),
      );
    }
  }

  /** The owner's unfinished work over all replicas, as the quota counts it. */
  async inFlight(owner: string): Promise<InFlight> {
    const [lines, bytes] = await this.redis.batchInFlight(openKey(owner));
    return { lines, bytes };
  }

  async get(owner: string, id: string) {
    const h = await this.redis.hgetall(metaKey(id));
    if (h.status === undefined || h.owner !== owner) return null;
    return toRecord(id, h);
  }

  async list(owner: string, limit: number, after?: string) {
    let max = '+inf';
    if (after) {
      const score = await this.redis.zscore(ownerKey(owner), after);
      if (score === null) return [];
      max = `(${score}`;
    }
    const out: BatchRecord[] = [];
    while (out.length < limit) {
      const ids = await this.redis.zrevrangebyscore(
        ownerKey(owner),
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        0,
        limit,
      );
      if (ids.length === 0) break;
      for (let k = 0; k < ids.length && out.length < limit; k += 2) {
        const id = ids[k]!;
        max = `(${ids[k + 1]}`;
        const h = await this.redis.hgetall(metaKey(id));
        if (h.status === undefined)
          await this.redis.zrem(ownerKey(owner), id); // deleted by its retention
        else if (h.owner === owner) out.push(toRecord(id, h));
      }
    }
    return out;
  }

  async output(owner: string, id: string) {
    const batch = await this.get(owner, id);
    if (!batch) return null;
    return this.outputPages(id, batch.request_counts.total);
  }

  /** The output lines 1…total that exist, OUTPUT_PAGE_LINES at a time (HMGET), as JSONL chunks. */
  private async *outputPages(id: string, total: number): AsyncGenerator<string> {
    for (let first = 1; first <= total; first += OUTPUT_PAGE_LINES) {
      const numbers = Array.from({ length: Math.min(OUTPUT_PAGE_LINES, total - first + 1) }, (_, k) =>
        String(first + k),
      );
      const found = (await this.redis.hmget(outKey(id), ...numbers)).filter((l): l is string => l !== null);
      if (found.length > 0) yield found.map((l) => l + '\n').join('');
    }
  }

  /**
   * Atomically per chunk of lines (a worker may write a line meanwhile): the batch becomes
   * `cancelling`, every line not yet started is recorded as BATCH_CANCELLED at once (it stops counting
   * for the quota), and the batch is `cancelled` as soon as the lines running are in. Should this stop
   * half-way (the service died), the workers record the remaining lines as cancelled when they pick
   * them up.
   */
  async cancel(owner: string, id: string) {
    const r = await this.get(owner, id);
    if (!r) return null;
    if (r.status === 'in_progress') {
      const total = r.request_counts.total;
      for (let first = 1; first <= total; first += CANCEL_CHUNK_LINES) {
        const n = await this.redis.batchCancel(
          metaKey(id),
          outKey(id),
          idsKey(id),
          nowS(),
          id,
          first,
          first + CANCEL_CHUNK_LINES - 1,
          JSON.stringify(CANCELLED_ERROR),
        );
        if (n < 0) break;
      }
    }
    return this.get(owner, id);
  }

  async start() {}

  async close() {
    await this.queue.close();
    this.redis.disconnect();
    this.connection.disconnect();
  }
}

function outputLine(
  job: LineJob,
  result: LineResult | null,
  error?: { code: string; message: string },
): OutputLine {
  const err =
    error ??
    (result && result.status_code >= 400
      ? ((result.body as { error?: { code: string; message: string } }).error ?? null)
      : null);
  return {
    id: `${job.batchId}_${job.line}`,
    custom_id: job.customId,
    response: result,
    error: err ? { code: err.code, message: err.message } : null,
  };
}

const RETRYABLE = new Set([502, 503, 504]);

/** The worker side (`pluralign worker`): run lines from the queue. */
export class RedisWorker {
  private readonly redis: Scripted;
  private readonly connection: Redis;
  readonly worker: Worker<LineJob>;

  constructor(
    settings: RedisSettings,
    private readonly deps: () => AlignDeps | Promise<AlignDeps>,
    concurrency: number,
    readonly name: string,
  ) {
    this.redis = scriptedConnection(settings.url, true);
    this.connection = redisConnection(settings.url, true);
    this.worker = new Worker<LineJob>(QUEUE_NAME, (job) => this.process(job), {
      connection: this.connection,
      concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.lockMs,
      maxStalledCount: 1000,
      name,
      ...(settings.rateLimit > 0 ? { limiter: { max: settings.rateLimit, duration: 1000 } } : {}),
    });
  }

  private async record(job: LineJob, line: OutputLine, kind: 'ok' | 'failed' | 'cancelled'): Promise<void> {
    await this.redis.batchRecord(
      metaKey(job.batchId),
      outKey(job.batchId),
      byWorkerKey(job.batchId),
      String(job.line),
      JSON.stringify(line),
      kind,
      String(nowS()),
      this.name,
      job.batchId,
    );
  }

  private async process(job: Job<LineJob>): Promise<void> {
    const data = job.data;
    const state = await this.redis.batchStart(metaKey(data.batchId), outKey(data.batchId), String(data.line));
    if (state === 'cancelling' || state === 'cancelled') {
      await this.record(data, outputLine(data, null, CANCELLED_ERROR), 'cancelled');
      return;
    }
    if (state !== 'run') return; // the batch is gone (retention) or the line is already in
    const result = await executeLine(await this.deps(), data.url, data.body, `${data.batchId}_${data.line}`);
    const attempts = job.opts.attempts ?? 1;
    if (RETRYABLE.has(result.status_code) && job.attemptsMade + 1 < attempts) {
      // BullMQ retries the line after its backoff; nothing is recorded for this attempt.
      throw new Error(`retryable upstream failure (${result.status_code})`);
    }
    await this.record(data, outputLine(data, result), result.status_code < 400 ? 'ok' : 'failed');
  }

  async close(): Promise<void> {
    await this.worker.close();
    this.redis.disconnect();
    this.connection.disconnect();
  }
}
