/**
 * The per-key batch quota and the retention of finished batches (embedded queue), on real SQLite files:
 * the store refuses a batch that would pass a key's quota of unfinished lines or bytes (other keys and
 * finished work do not count); the sweeper deletes batches finished longer ago than the retention, with
 * their lines, returns the pages to the file system (the file shrinks), and keeps unfinished batches;
 * through a real server process, 429 BATCH_QUOTA_EXCEEDED and a batch gone (404) after its retention.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { BatchQuotaError } from '../../src/batch/quota.js';
import { RetentionSweeper } from '../../src/batch/retention.js';
import { BATCH_DB_FILE, BatchDb, type BatchLineInput } from '../../src/batch/store.js';
import { api, killAll, pollStatus, startServer, submit } from './helpers.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'pluralign-quota-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  killAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const silent = pino({ level: 'silent' });

/** `n` attribution lines whose bodies are about `size` bytes each. */
function lines(n: number, size = 40, prefix = 'l'): BatchLineInput[] {
  return Array.from({ length: n }, (_, i) => ({
    custom_id: `${prefix}-${i}`,
    url: '/v1/attributions',
    body: { text: `${i} `.padEnd(size, 'x') },
  }));
}

/** Claim and complete every queued line (as the queue would). */
function finishAll(db: BatchDb): void {
  for (;;) {
    const claimed = db.claim('w', 1000);
    if (claimed.length === 0) return;
    db.completeMany(
      'w',
      claimed.map((c) => ({
        batchId: c.batchId,
        line: c.line,
        result: { status_code: 200, body: { ok: true } },
      })),
    );
  }
}

describe('per-key quota (store, real SQLite file)', () => {
  it('counts lines queued or running per key; a batch that would pass it is refused whole', () => {
    const db = BatchDb.open(dataDir());
    const quota = { lines: 5, bytes: 0 };
    db.create('alice', lines(3), null, quota);
    expect(db.inFlight('alice').lines).toBe(3);
    let err: unknown;
    try {
      db.create('alice', lines(3, 40, 'm'), null, quota);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(BatchQuotaError);
    expect((err as Error).message).toMatch(
      /this batch has 3 lines and this API key has 3 lines .* at most 5 .*BATCH_QUOTA_LINES/,
    );
    expect(db.list('alice', 10)).toHaveLength(1); // nothing of the refused batch was stored
    // Another key has its own quota.
    db.create('bob', lines(5), null, quota);
    // Finished lines no longer count: alice may submit again.
    finishAll(db);
    expect(db.inFlight('alice')).toEqual({ lines: 0, bytes: 0 });
    db.create('alice', lines(5, 40, 'n'), null, quota);
    db.close();
  });

  it('counts the input bytes of unfinished batches per key', () => {
    const db = BatchDb.open(dataDir());
    const quota = { lines: 0, bytes: 10_000 };
    db.create('alice', lines(10, 500), null, quota); // 10 bodies of ~512 bytes
    const used = db.inFlight('alice').bytes;
    expect(used).toBeGreaterThan(5_000);
    expect(used).toBeLessThan(6_000);
    expect(() => db.create('alice', lines(10, 500, 'm'), null, quota)).toThrow(/BATCH_QUOTA_BYTES/);
    // A cancelled batch is no longer unfinished work once it settles.
    const [id] = db.list('alice', 1).map((b) => b.id);
    db.cancel('alice', id!);
    expect(db.inFlight('alice').bytes).toBe(0);
    db.create('alice', lines(10, 500, 'm'), null, quota);
    db.close();
  });
});

describe('retention (store and sweeper, real SQLite file)', () => {
  it('deletes batches finished longer ago than the retention, with their lines, and the file shrinks', async () => {
    const dir = dataDir();
    const file = join(dir, BATCH_DB_FILE);
    const db = BatchDb.open(dir);
    const old = db.create('alice', lines(3000, 2000, 'old'), null);
    finishAll(db);
    const open = db.create('alice', lines(10, 40, 'open'), null); // unfinished: never deleted
    const cancelled = db.create('bob', lines(10, 40, 'c'), null);
    db.cancel('bob', cancelled);
    db.compact(0); // checkpoint the WAL into the file before measuring it
    const before = statSync(file).size;
    expect(before).toBeGreaterThan(6_000_000); // 3,000 bodies of 2 KB

    // Within the retention nothing goes.
    const now = Date.now();
    const kept = new RetentionSweeper(db, 3600, silent, () => now);
    expect(await kept.sweep()).toBe(0);
    expect(db.get('alice', old)).not.toBeNull();

    // Two hours later, with a one-hour retention: the finished and the cancelled batch go.
    const sweeper = new RetentionSweeper(db, 3600, silent, () => now + 2 * 3600_000);
    expect(await sweeper.sweep()).toBe(2);
    expect(db.get('alice', old)).toBeNull();
    expect(db.get('bob', cancelled)).toBeNull();
    expect(db.get('alice', open)!.status).toBe('in_progress');
    db.close();

    const raw = new Database(file, { readonly: true });
    const count = (id: string) =>
      (raw.prepare('SELECT COUNT(*) AS n FROM batch_lines WHERE batch_id = ?').get(id) as { n: number }).n;
    expect(count(old)).toBe(0);
    expect(count(cancelled)).toBe(0);
    expect(count(open)).toBe(10);
    raw.close();
    const after = statSync(file).size;
    expect(after).toBeLessThan(before / 10);
  });
});

describe('through the real server', () => {
  it('429 BATCH_QUOTA_EXCEEDED when a key passes BATCH_QUOTA_LINES; nothing is stored', async () => {
    // BATCH_CONCURRENCY 0: the lines stay queued, so they count against the quota.
    const server = await startServer({ DATA_DIR: dataDir(), BATCH_CONCURRENCY: '0', BATCH_QUOTA_LINES: '3' });
    const raw = (n: number, p: string) => lines(n, 40, p).map((l) => JSON.stringify(l));
    expect((await submit(server.url, raw(2, 'a'))).status).toBe(200);
    const refused = await submit(server.url, raw(2, 'b'));
    expect(refused.status).toBe(429);
    const error = (refused.json as unknown as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('BATCH_QUOTA_EXCEEDED');
    expect(error.message).toContain('this API key has 2 lines in unfinished batches; at most 3');
    const list = await api<{ data: unknown[] }>(server.url, '/v1/batches');
    expect(list.json.data).toHaveLength(1);
    expect((await submit(server.url, raw(1, 'c'))).status).toBe(200);
    server.child.kill();
  });

  it('a finished batch is 404 UNKNOWN_BATCH once BATCH_RETENTION_SECONDS have passed', async () => {
    const server = await startServer({ DATA_DIR: dataDir(), BATCH_RETENTION_SECONDS: '1' });
    const created = await submit(
      server.url,
      lines(4).map((l) => JSON.stringify(l)),
    );
    expect(created.status).toBe(200);
    const id = created.json.id;
    await pollStatus(server.url, id, (s) => s.status === 'completed');
    const deadline = Date.now() + 20_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      status = (await api(server.url, `/v1/batches/${id}`)).status;
    }
    expect(status).toBe(404);
    expect((await api(server.url, `/v1/batches/${id}/output`)).status).toBe(404);
    server.child.kill();
  });
});
