/**
 * Batch jobs at scale: with REDIS_URL set, batch records and results live in Redis and every line is a
 * BullMQ job on the queue `pluralign-batch-lines`, worked by any number of `pluralign worker` processes
 * (the service only stores, enqueues and reports). Both sides see the same keys:
 *
 * - `pluralign:batch:<id>` (hash): owner, status, total, timestamps, metadata, and the counters
 *   `ok`, `failed`, `cancelled`;
 * - `pluralign:batch:<id>:out` (hash): line number → output line (JSON);
 * - `pluralign:batch:<id>:by` (hash): worker name → lines it wrote (operations, tests);
 * - `pluralign:batches:<owner>` (sorted set): the owner's batch ids by creation time.
 *
 * A result is written by one Lua script: `HSETNX` on the line (a line re-run after a crash or a stalled
 * lock is written once, the second result is dropped), the counter, and the final status once every
 * line is in. Lines whose worker died are re-queued by BullMQ's stalled-job check (after BATCH_LOCK_MS).
 * Retries: a line failing with a retryable upstream error (502/503/504) is retried by BullMQ with
 * exponential backoff up to BATCH_MAX_ATTEMPTS; its last result is kept. BATCH_RATE_LIMIT caps the
 * lines per second started by all workers together (BullMQ's queue-wide limiter).
 */
import { Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { AlignDeps } from '../pipeline/align.js';
import type { BatchBackend } from './backend.js';
import { executeLine, type LineResult } from './execute.js';
import {
  newBatchId,
  type BatchLineInput,
  type BatchRecord,
  type BatchStatus,
  type OutputLine,
} from './store.js';

export const QUEUE_NAME = 'pluralign-batch-lines';
const P = 'pluralign:batch:';
const metaKey = (id: string) => `${P}${id}`;
const outKey = (id: string) => `${P}${id}:out`;
export const byWorkerKey = (id: string) => `${P}${id}:by`;
const ownerKey = (owner: string) => `pluralign:batches:${owner}`;

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

const RECORD = `
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
local m = redis.call('HMGET', KEYS[1], 'total', 'ok', 'failed', 'cancelled', 'status')
local n = tonumber(m[2] or '0') + tonumber(m[3] or '0') + tonumber(m[4] or '0')
if n >= tonumber(m[1]) then
  if m[5] == 'cancelling' then redis.call('HSET', KEYS[1], 'status', 'cancelled', 'cancelled_at', ARGV[4])
  elseif m[5] == 'in_progress' then redis.call('HSET', KEYS[1], 'status', 'completed', 'completed_at', ARGV[4]) end
end
return 1`;

const CANCEL = `
local m = redis.call('HMGET', KEYS[1], 'total', 'ok', 'failed', 'cancelled', 'status')
if m[5] ~= 'in_progress' then return 0 end
if tonumber(m[2]) + tonumber(m[3]) + tonumber(m[4]) >= tonumber(m[1]) then return 0 end
redis.call('HSET', KEYS[1], 'status', 'cancelling', 'cancelling_at', ARGV[1])
return 1`;

/**
 * A connection. Workers wait for Redis as long as it takes (BullMQ needs `maxRetriesPerRequest: null`
 * there); the service fails a request quickly instead (the route answers an error) when Redis is down.
 */
export function redisConnection(url: string, worker = false): Redis {
  return new Redis(url, { maxRetriesPerRequest: worker ? null : 1 });
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

/** The service side: store, enqueue, report. */
export class RedisBackend implements BatchBackend {
  private readonly redis: Redis;
  private readonly connection: Redis;
  private readonly queue: Queue;

  constructor(private readonly settings: RedisSettings) {
    this.redis = redisConnection(settings.url);
    this.connection = redisConnection(settings.url);
    this.queue = new Queue(QUEUE_NAME, { connection: this.connection });
  }

  async create(owner: string, lines: readonly BatchLineInput[], metadata: Record<string, string> | null) {
    const id = newBatchId();
    const t = nowS();
    await this.redis
      .multi()
      .hset(metaKey(id), {
        owner,
        status: 'in_progress',
        total: String(lines.length),
        ok: '0',
        failed: '0',
        cancelled: '0',
        created_at: String(t),
        in_progress_at: String(t),
        metadata: metadata ? JSON.stringify(metadata) : '',
      })
      .zadd(ownerKey(owner), Date.now(), id)
      .exec();
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
    return (await this.get(owner, id))!;
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
    const ids = await this.redis.zrevrangebyscore(ownerKey(owner), max, '-inf', 'LIMIT', 0, limit);
    const out: BatchRecord[] = [];
    for (const id of ids) {
      const r = await this.get(owner, id);
      if (r) out.push(r);
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

  async cancel(owner: string, id: string) {
    const r = await this.get(owner, id);
    if (!r) return null;
    if (r.status === 'in_progress') {
      // Atomically (a worker may write the last line meanwhile): lines not yet run are then written as
      // BATCH_CANCELLED by the workers that pick them up.
      await this.redis.eval(CANCEL, 1, metaKey(id), String(nowS()));
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
  private readonly redis: Redis;
  private readonly connection: Redis;
  readonly worker: Worker<LineJob>;

  constructor(
    settings: RedisSettings,
    private readonly deps: () => AlignDeps | Promise<AlignDeps>,
    concurrency: number,
    readonly name: string,
  ) {
    this.redis = redisConnection(settings.url, true);
    this.redis.defineCommand('recordLine', { numberOfKeys: 3, lua: RECORD });
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
    await (
      this.redis as unknown as {
        recordLine: (...a: string[]) => Promise<number>;
      }
    ).recordLine(
      metaKey(job.batchId),
      outKey(job.batchId),
      byWorkerKey(job.batchId),
      String(job.line),
      JSON.stringify(line),
      kind,
      String(nowS()),
      this.name,
    );
  }

  private async process(job: Job<LineJob>): Promise<void> {
    const data = job.data;
    const status = await this.redis.hget(metaKey(data.batchId), 'status');
    if (status === null) return; // the batch is gone
    if (status === 'cancelling' || status === 'cancelled') {
      await this.record(
        data,
        outputLine(data, null, {
          code: 'BATCH_CANCELLED',
          message: 'the batch was cancelled before this line ran',
        }),
        'cancelled',
      );
      return;
    }
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
