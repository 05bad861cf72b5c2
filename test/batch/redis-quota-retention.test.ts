/**
 * The per-key batch quota and the retention of finished batches in Redis mode, on a real Redis
 * (Debian's redis-server on a free loopback port, no persistence):
 * - two RedisBackend instances (two replicas' worth of connections) on one Redis: a batch that would
 *   pass a key's BATCH_QUOTA_LINES or BATCH_QUOTA_BYTES is refused whole with the embedded queue's
 *   message and nothing of it is stored or queued; other keys have their own quota; 20 concurrent
 *   creates against a quota of 10 lines let exactly 3 three-line batches in; a cancel with no worker
 *   running records every line cancelled at once (4,500 lines: over several script calls) and frees
 *   the quota;
 * - through two real server processes and a `pluralign worker` process: concurrent submits to both
 *   servers cannot together pass the quota (429 BATCH_QUOTA_EXCEEDED), the lines stop counting when
 *   the worker has finished them and when a batch is cancelled, and with BATCH_RETENTION_SECONDS=2 a
 *   completed and a cancelled batch are 404 UNKNOWN_BATCH (every key gone from Redis, not listed)
 *   while an unfinished batch stays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchQuotaError } from '../../src/batch/quota.js';
import { QUEUE_NAME, RedisBackend, type RedisSettings } from '../../src/batch/redis.js';
import type { BatchLineInput } from '../../src/batch/store.js';
import { hasRedis, requireInCi, startRedis, type RedisServer } from '../fixtures/backends.js';
import { startWorker } from '../fixtures/server-process.js';
import {
  api,
  killAll,
  output,
  pollStatus,
  startServer,
  submit,
  waitForExit,
  type BatchStatus,
  type Proc,
} from './helpers.js';

requireInCi('REDIS');

const dir = mkdtempSync(join(tmpdir(), 'pluralign-redis-quota-'));
let redisServer: RedisServer | undefined;
let redis: Redis;
let settings: RedisSettings;

beforeAll(async () => {
  if (!hasRedis) return;
  redisServer = await startRedis(dir);
  redis = new Redis(redisServer.url);
  settings = { url: redisServer.url, maxAttempts: 1, backoffMs: 100, lockMs: 2000, rateLimit: 0 };
}, 60_000);

afterAll(async () => {
  killAll();
  redis?.disconnect();
  await redisServer?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** `n` attribution lines whose bodies are about `size` bytes each. */
function lines(n: number, prefix: string, size = 40): BatchLineInput[] {
  return Array.from({ length: n }, (_, i) => ({
    custom_id: `${prefix}-${i}`,
    url: '/v1/attributions',
    body: { text: `${i} `.padEnd(size, 'x') },
  }));
}
const bytesOf = (ls: BatchLineInput[]) =>
  ls.reduce((s, l) => s + Buffer.byteLength(JSON.stringify(l.body)), 0);
const jsonl = (ls: BatchLineInput[]) => ls.map((l) => JSON.stringify(l));

/** The Redis keys of one batch (record, output, ids, by-worker, started). */
const keysOf = (id: string) => redis.keys(`pluralign:batch:${id}*`);

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('the batch was accepted');
}

describe.skipIf(!hasRedis)('Redis mode: per-key quota (two backends on one Redis)', () => {
  it('refuses a batch over the quota whole, counts per key, holds under concurrent creates, frees on cancel', async () => {
    const limits = { quota: { lines: 10, bytes: 0 }, retentionSeconds: 0 };
    const a = new RedisBackend(settings, limits);
    const b = new RedisBackend(settings, limits);
    const queue = new Queue(QUEUE_NAME, { connection: redis });
    try {
      const first = lines(6, 'a');
      const kept = await a.create('alice', first, null);
      expect(await a.inFlight('alice')).toEqual({ lines: 6, bytes: bytesOf(first) });
      expect(await b.inFlight('alice')).toEqual({ lines: 6, bytes: bytesOf(first) });

      // Refused through the other replica, whole: no record, no job, the same message as embedded.
      const keysBefore = (await redis.keys('pluralign:batch:*')).sort();
      const err = await refusal(b.create('alice', lines(5, 'b'), null));
      expect(err).toBeInstanceOf(BatchQuotaError);
      expect(err.message).toMatch(
        /^this batch has 5 lines and this API key has 6 lines in unfinished batches; at most 10 are allowed at once \(BATCH_QUOTA_LINES\): wait for/,
      );
      expect((await redis.keys('pluralign:batch:*')).sort()).toEqual(keysBefore);
      expect((await a.list('alice', 10)).map((r) => r.id)).toEqual([kept.id]);
      expect(await queue.getJobCountByTypes('waiting', 'prioritized', 'delayed')).toBe(6);

      // Another key has its own quota.
      await b.create('bob', lines(10, 'bob'), null);
      expect(await a.inFlight('bob')).toMatchObject({ lines: 10 });

      // 20 concurrent creates of 3 lines over both backends: exactly 3 fit in 10 lines.
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, k) => (k % 2 ? a : b).create('carol', lines(3, `c${k}`), null)),
      );
      const accepted = results.filter((r) => r.status === 'fulfilled').length;
      const refused = results.filter(
        (r) => r.status === 'rejected' && r.reason instanceof BatchQuotaError,
      ).length;
      expect([accepted, refused]).toEqual([3, 17]);
      expect((await a.inFlight('carol')).lines).toBe(9);
      expect(await a.list('carol', 100)).toHaveLength(3);

      // Cancel with no worker running: every line is recorded cancelled at once, the quota is free.
      const cancelled = await b.cancel('alice', kept.id);
      expect(cancelled!.status).toBe('cancelled');
      expect(cancelled!.cancelled_at).not.toBeNull();
      expect(await a.inFlight('alice')).toEqual({ lines: 0, bytes: 0 });
      const out = [];
      for await (const chunk of (await a.output('alice', kept.id))!) out.push(...chunk.trim().split('\n'));
      expect(out.map((l) => JSON.parse(l) as { custom_id: string; error: { code: string } })).toEqual(
        first.map((l, i) => ({
          id: `${kept.id}_${i + 1}`,
          custom_id: l.custom_id,
          response: null,
          error: { code: 'BATCH_CANCELLED', message: 'the batch was cancelled before this line ran' },
        })),
      );
      await a.create('alice', lines(10, 'again'), null);

      // The byte quota, with the same message as the embedded queue.
      const bytesLimits = { quota: { lines: 0, bytes: 10_000 }, retentionSeconds: 0 };
      const c = new RedisBackend(settings, bytesLimits);
      const big = lines(10, 'big', 500);
      await c.create('dave', big, null);
      const overBytes = await refusal(c.create('dave', lines(10, 'big2', 500), null));
      expect(overBytes.message).toContain(
        `this API key has ${bytesOf(big)} bytes in unfinished batches; at most 10000 are allowed at once (BATCH_QUOTA_BYTES)`,
      );
      await c.close();

      // A cancel longer than one script call (2,000 lines each): every line cancelled, in order.
      const d = new RedisBackend(settings, { quota: { lines: 0, bytes: 0 }, retentionSeconds: 0 });
      const long = lines(4500, 'long');
      const longBatch = await d.create('erin', long, null);
      expect((await d.cancel('erin', longBatch.id))!.status).toBe('cancelled');
      let text = '';
      for await (const chunk of (await d.output('erin', longBatch.id))!) text += chunk;
      const ids = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { custom_id: string; error: { code: string } });
      expect(ids.map((l) => l.custom_id)).toEqual(long.map((l) => l.custom_id));
      expect(ids.every((l) => l.error.code === 'BATCH_CANCELLED')).toBe(true);
      expect(await d.inFlight('erin')).toEqual({ lines: 0, bytes: 0 });
      await d.close();
    } finally {
      await queue.close();
      await a.close();
      await b.close();
    }
    await redis.flushall(); // the queued lines of this test are not for the worker of the next
  }, 60_000);
});

describe.skipIf(!hasRedis)('Redis mode through two servers and a worker process', () => {
  let one: Proc;
  let two: Proc;
  const env = () => ({
    DATA_DIR: join(dir, 'data'),
    REDIS_URL: redisServer!.url,
    BATCH_QUOTA_LINES: '10',
    BATCH_RETENTION_SECONDS: '2',
  });
  beforeAll(async () => {
    if (!hasRedis) return;
    [one, two] = await Promise.all([startServer(env()), startServer(env())]);
  }, 60_000);

  it('quota over both servers, freed by the worker and by cancel; retention deletes only finished batches', async () => {
    // Concurrent submits of 3 lines to both servers (no worker yet: the lines stay queued).
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, k) => submit(k % 2 ? one.url : two.url, jsonl(lines(3, `s${k}`)))),
    );
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 429, 429, 429, 429, 429]);
    for (const r of answers.filter((x) => x.status === 429)) {
      const error = (r.json as unknown as { error: { code: string } }).error;
      expect(error.code).toBe('BATCH_QUOTA_EXCEEDED');
    }
    const refused = await submit(one.url, jsonl(lines(2, 'late')));
    expect(refused.status).toBe(429);
    expect((refused.json as unknown as { error: { message: string } }).error.message).toContain(
      'this batch has 2 lines and this API key has 9 lines in unfinished batches; at most 10',
    );
    const listed = await api<{ data: BatchStatus[] }>(two.url, '/v1/batches');
    expect(listed.json.data).toHaveLength(3);

    // The worker finishes them: the lines no longer count.
    const worker = await startWorker('quota-worker', {
      REDIS_URL: redisServer!.url,
      DATA_DIR: join(dir, 'data'),
      BATCH_CONCURRENCY: '2',
      BATCH_LOCK_MS: '2000',
    });
    const done = answers.filter((r) => r.status === 200).map((r) => r.json.id);
    for (const id of done) await pollStatus(one.url, id, (s) => s.status === 'completed', 60_000);
    const full = await submit(two.url, jsonl(lines(10, 'full')));
    expect(full.status).toBe(200);
    await pollStatus(two.url, full.json.id, (s) => s.status === 'completed', 60_000);
    worker.child.kill('SIGTERM');
    await waitForExit(worker.child);

    // Without a worker: a batch stays in progress; a cancelled one frees its lines at once.
    const open = await submit(one.url, jsonl(lines(4, 'open')));
    expect(open.status).toBe(200);
    const toCancel = await submit(two.url, jsonl(lines(6, 'cancel')));
    expect(toCancel.status).toBe(200);
    expect((await submit(one.url, jsonl(lines(1, 'no')))).status).toBe(429);
    const cancel = await fetch(`${one.url}/v1/batches/${toCancel.json.id}/cancel`, { method: 'POST' });
    expect(((await cancel.json()) as BatchStatus).status).toBe('cancelled');
    const cancelledOut = await output(two.url, toCancel.json.id);
    expect(cancelledOut.map((l) => l.error?.code)).toEqual(Array(6).fill('BATCH_CANCELLED'));
    const fits = await submit(two.url, jsonl(lines(6, 'fits')));
    expect(fits.status).toBe(200);

    // Retention (2 s): the completed and the cancelled batches go, with all their keys; the open stay.
    const gone = [...done, full.json.id, toCancel.json.id];
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const statuses = await Promise.all(gone.map((id) => api(one.url, `/v1/batches/${id}`)));
      if (statuses.every((s) => s.status === 404)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    for (const id of gone) {
      const r = await api<{ error: { code: string } }>(two.url, `/v1/batches/${id}`);
      expect(r.status).toBe(404);
      expect(r.json.error.code).toBe('UNKNOWN_BATCH');
      expect((await api(one.url, `/v1/batches/${id}/output`)).status).toBe(404);
      expect(await keysOf(id)).toEqual([]);
    }
    for (const id of [open.json.id, fits.json.id]) {
      const r = await api<BatchStatus>(two.url, `/v1/batches/${id}`);
      expect(r.status).toBe(200);
      expect(r.json.status).toBe('in_progress');
      expect(await redis.ttl(`pluralign:batch:${id}`)).toBe(-1); // no expiry while unfinished
    }
    const after = await api<{ data: BatchStatus[] }>(one.url, '/v1/batches');
    expect(after.json.data.map((b) => b.id).sort()).toEqual([open.json.id, fits.json.id].sort());
  }, 120_000);
});
