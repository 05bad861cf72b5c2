/**
 * Scaled out on this machine: three real server processes (src/server.ts) on loopback ports, sharing
 * the custom graphs in a real PostgreSQL (DATABASE_URL) and the rate limits in a real Redis (REDIS_URL),
 * both started here from Debian's packages. Each replica has its own DATA_DIR, so nothing is shared
 * through SQLite.
 *
 * - a graph uploaded through A is served by B and C at once; a version added through C is current on A;
 * - a batch worker (`pluralign worker`) uses a graph uploaded, then updated, through the replicas at once;
 * - a key's limit of N requests holds in total over the three replicas (not N per replica);
 * - SIGKILL of a replica in the middle of a stream of uploads: every acknowledged upload is readable
 *   from the others, and a replica started afterwards serves them all;
 * - SIGTERM of a replica in the middle of a streamed answer: the stream finishes, the replica exits 0;
 * - Redis stopped: /readyz is 503 naming it, requests that need a counter are 503 STORAGE_UNAVAILABLE;
 *   Redis back: all recover (no replica crashes);
 * - PostgreSQL stopped: /readyz is 503 on every replica, requests on custom graphs are 503
 *   STORAGE_UNAVAILABLE (bundled graphs still answer); PostgreSQL back: all recover.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CUSTOM_GRAPH, EXAMPLE_CUSTOM_GRAPH_V2 } from '../../schemas/api.js';
import { contentHash } from '../../src/graphs/registry.js';
import {
  hasPostgresBinaries,
  hasRedis,
  requireInCi,
  startPostgres,
  startRedis,
  type PostgresServer,
  type RedisServer,
} from '../fixtures/backends.js';
import { startFakeOpenAI } from '../fixtures/fake-openai.js';
import { killAll, startServer, startWorker, waitForExit, type Proc } from '../fixtures/server-process.js';

const hasPostgres = hasPostgresBinaries();
// In CI (.ci/run) this test must run: without PostgreSQL or Redis it fails instead of skipping.
requireInCi('POSTGRES');
requireInCi('REDIS');

const ADMIN = 'admin-key-0123456789abcdef';
const METERED = 'metered-key-0123456789abcdef';
/** The metered key's limit, per RATE_LIMIT_WINDOW_MS, over all replicas together. */
const LIMIT = 12;
const KEYS = JSON.stringify([
  { name: 'ops', key: ADMIN, scopes: ['read', 'align', 'admin'] },
  { name: 'metered', key: METERED, scopes: ['read'], rateLimit: LIMIT },
]);

const V1 = contentHash(EXAMPLE_CUSTOM_GRAPH);
const V2 = contentHash(EXAMPLE_CUSTOM_GRAPH_V2);
const QUERY = {
  evidence: { openness: 1, stimulation: 1, security: -0.25, adventure: 0.75 },
  interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
  explain: 'none',
};

const dir = mkdtempSync(join(tmpdir(), 'pluralign-scale-'));
let pg: PostgresServer;
let redis: RedisServer;
const replicas: Proc[] = [];

function startReplica(name: string): Promise<Proc> {
  return startServer({
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    DATA_DIR: join(dir, `data-${name}`),
    API_KEYS: KEYS,
    RATE_LIMIT_PER_KEY: '0',
    RATE_LIMIT_WINDOW_MS: '600000',
  });
}

type Json = Record<string, unknown>;
async function call(
  p: Proc,
  method: string,
  path: string,
  body?: unknown,
  key = ADMIN,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${p.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  if (!hasPostgres || !hasRedis) return;
  [pg, redis] = await Promise.all([startPostgres(dir), startRedis(dir)]);
  replicas.push(...(await Promise.all(['a', 'b', 'c'].map(startReplica))));
}, 180_000);

afterAll(async () => {
  killAll();
  await Promise.all(replicas.map((r) => waitForExit(r.child)));
  await pg?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe.skipIf(!hasPostgres || !hasRedis)('three replicas on PostgreSQL and Redis', () => {
  it('a graph uploaded through A is served by B and C; a version added through C is current on A', async () => {
    const [a, b, c] = replicas as [Proc, Proc, Proc];
    const created = await call(a, 'POST', '/v1/graphs', EXAMPLE_CUSTOM_GRAPH);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'my-values', hash: V1, outcome: 'created' });
    for (const r of [b, c]) {
      const got = await call(r, 'GET', '/v1/graphs/my-values');
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ hash: V1, source: 'custom', custom: { versions: 1 } });
      const cf = await call(r, 'POST', '/v1/counterfactuals', { graph: 'my-values', ...QUERY });
      expect(cf.status).toBe(200);
      expect(cf.body.graph).toEqual({ id: 'my-values', version: '1', hash: V1, source: 'custom' });
    }
    // The same id through another replica is taken: one database, one namespace.
    expect((await call(b, 'POST', '/v1/graphs', EXAMPLE_CUSTOM_GRAPH)).body).toMatchObject({
      error: { code: 'GRAPH_EXISTS' },
    });

    const updated = await call(c, 'PUT', '/v1/graphs/my-values', EXAMPLE_CUSTOM_GRAPH_V2);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ hash: V2, outcome: 'added', custom: { versions: 2 } });
    const onA = await call(a, 'GET', '/v1/graphs/my-values');
    expect(onA.body).toMatchObject({ hash: V2, version: '2', custom: { versions: 2 } });
    const cfA = await call(a, 'POST', '/v1/counterfactuals', { graph: 'my-values', ...QUERY });
    expect((cfA.body.graph as Json).hash).toBe(V2);
    const versions = await call(b, 'GET', '/v1/graphs/my-values/versions');
    expect((versions.body.versions as Json[]).map((v) => v.hash)).toEqual([V2, V1]);
    const old = await call(b, 'GET', `/v1/graphs/my-values?version=${V1}`);
    expect(old.body).toMatchObject({ hash: V1, current: false });

    // A delete through B is seen by A and C.
    expect((await call(b, 'DELETE', '/v1/graphs/my-values')).body).toMatchObject({
      deleted: true,
      versions: 2,
    });
    for (const r of [a, c]) expect((await call(r, 'GET', '/v1/graphs/my-values')).status).toBe(404);
    expect((await call(c, 'POST', '/v1/graphs', EXAMPLE_CUSTOM_GRAPH)).status).toBe(201);
  }, 60_000);

  it('a batch worker uses a graph uploaded, then updated, through the replicas at once', async () => {
    const [a, b, c] = replicas as [Proc, Proc, Proc];
    const worker = await startWorker('scale-worker', {
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      DATA_DIR: join(dir, 'data-worker'),
      GENERATOR: 'template',
      LOG_LEVEL: 'info',
    });
    const graph = { ...EXAMPLE_CUSTOM_GRAPH, id: 'for-worker' };
    const graph2 = { ...EXAMPLE_CUSTOM_GRAPH_V2, id: 'for-worker' };
    // One attribution line on the custom graph, submitted through `via`; the hash the worker used.
    const attributeVia = async (via: Proc): Promise<Json> => {
      const line = {
        custom_id: 'x',
        url: '/v1/attributions',
        body: { text: 'I love adventure.', graph: graph.id },
      };
      const res = await fetch(`${via.url}/v1/batches`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/jsonl' },
        body: `${JSON.stringify(line)}\n`,
      });
      const created = (await res.json()) as { id: string };
      expect(res.status).toBe(200);
      await until('the batch', async () => {
        const st = await call(via, 'GET', `/v1/batches/${created.id}`);
        return st.body.status === 'completed';
      });
      const out = await fetch(`${via.url}/v1/batches/${created.id}/output`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      const first = JSON.parse((await out.text()).split('\n')[0]!) as {
        response: { status_code: number; body: Json };
      };
      expect(first.response.status_code).toBe(200);
      return first.response.body.graph as Json;
    };
    expect((await call(c, 'POST', '/v1/graphs', graph)).status).toBe(201);
    expect(await attributeVia(a)).toMatchObject({ id: 'for-worker', hash: contentHash(graph) });
    expect((await call(b, 'PUT', '/v1/graphs/for-worker', graph2)).status).toBe(200);
    expect(await attributeVia(c)).toMatchObject({
      id: 'for-worker',
      version: '2',
      hash: contentHash(graph2),
    });
    worker.child.kill('SIGTERM');
    expect(await waitForExit(worker.child)).toBe(0);
  }, 150_000);

  it(`a key's limit of ${LIMIT} holds in total over the three replicas`, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3 * LIMIT; i++) {
      const r = await call(replicas[i % 3]!, 'GET', '/v1/graphs', undefined, METERED);
      statuses.push(r.status);
      if (r.status === 429) expect(r.body).toMatchObject({ error: { code: 'RATE_LIMITED' } });
    }
    // Per-replica counters would have let all 36 through (12 on each); shared ones let 12 through.
    expect(statuses.filter((s) => s === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(2 * LIMIT);
    expect(statuses.slice(0, LIMIT).every((s) => s === 200)).toBe(true);
  }, 60_000);

  it('SIGKILL of a replica mid-stream of uploads: every acknowledged upload is readable elsewhere', async () => {
    const [a, b, c] = replicas as [Proc, Proc, Proc];
    const acked = new Map<string, string>();
    let n = 0;
    // Four concurrent upload streams into C until it dies.
    const stream = async () => {
      for (;;) {
        const id = `burst-${n++}`;
        const graph = { ...EXAMPLE_CUSTOM_GRAPH, id };
        let res: { status: number; body: Json };
        try {
          res = await call(c, 'POST', '/v1/graphs', graph);
        } catch {
          return; // the connection died with the replica: this upload was not acknowledged
        }
        if (res.status !== 201) throw new Error(`upload ${id}: ${res.status} ${JSON.stringify(res.body)}`);
        acked.set(id, res.body.hash as string);
      }
    };
    const streams = Promise.all([stream(), stream(), stream(), stream()]);
    await until('20 acknowledged uploads', async () => acked.size >= 20);
    c.child.kill('SIGKILL');
    await waitForExit(c.child);
    await streams;
    expect(acked.size).toBeGreaterThanOrEqual(20);

    for (const r of [a, b]) {
      const list = await call(r, 'GET', '/v1/graphs');
      const served = new Map((list.body.graphs as Json[]).map((g) => [g.id as string, g.hash as string]));
      for (const [id, hash] of acked) expect(served.get(id), `${id} on ${r.url}`).toBe(hash);
    }
    // A replica started afterwards (in C's place) serves them too.
    const fresh = await startReplica('c2');
    replicas[2] = fresh;
    const [first] = acked.keys();
    const got = await call(fresh, 'GET', `/v1/graphs/${first}`);
    expect(got.body).toMatchObject({ id: first, source: 'custom' });
  }, 150_000);

  it('SIGTERM of a replica mid-stream: the streamed answer finishes, then the replica exits 0', async () => {
    // A replica answering from a slow upstream (60 ms between chunks), so the stream is in flight.
    const fake = await startFakeOpenAI({ defaultScenario: { type: 'ok', chunkDelayMs: 60 } });
    try {
      const d = await startServer({
        DATABASE_URL: pg.url,
        REDIS_URL: redis.url,
        DATA_DIR: join(dir, 'data-d'),
        API_KEYS: KEYS,
        GENERATOR: 'openai',
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'fake-model',
      });
      const res = await fetch(`${d.url}/v1/align`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          question: 'Should I lend money to my brother who keeps losing his jobs?',
          target: { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } },
          stream: true,
        }),
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      let text = '';
      const read = async () => {
        const { value, done } = await reader.read();
        if (value) text += Buffer.from(value).toString('utf8');
        return done;
      };
      while (!text.includes('event: delta')) await read(); // the answer has started
      d.child.kill('SIGTERM');
      while (!(await read()));
      expect(text).toMatch(/event: done\n/);
      expect(await waitForExit(d.child)).toBe(0);
      expect(d.output()).toMatch(/"msg":"stopped"/);
      // The other replicas go on serving.
      expect((await call(replicas[0]!, 'GET', '/v1/graphs/my-values')).status).toBe(200);
    } finally {
      await fake.close();
    }
  }, 150_000);

  it('Redis down: /readyz 503 naming it, rate-limited requests 503 STORAGE_UNAVAILABLE; back: all recover', async () => {
    const ready = async (r: Proc) => (await fetch(`${r.url}/readyz`)).status;
    await redis.stop();
    try {
      for (const r of replicas) {
        const res = await fetch(`${r.url}/readyz`);
        expect(res.status).toBe(503);
        expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
          /Redis \(REDIS_URL\)/,
        );
      }
      // The metered key's counter lives in Redis: no counter, no answer (rather than no limit).
      const metered = await call(replicas[1]!, 'GET', '/v1/graphs', undefined, METERED);
      expect(metered.status).toBe(503);
      expect(metered.body).toMatchObject({ error: { code: 'STORAGE_UNAVAILABLE' } });
      expect((metered.body.error as Json).message).toMatch(/REDIS_URL/);
      // A key without a limit needs no counter: graphs still answer.
      expect((await call(replicas[2]!, 'GET', '/v1/graphs/my-values')).status).toBe(200);
    } finally {
      await redis.start();
    }
    for (const r of replicas) await until(`${r.url}/readyz`, async () => (await ready(r)) === 200);
    // A fresh Redis has no counters: the metered key starts a new window.
    expect((await call(replicas[0]!, 'GET', '/v1/graphs', undefined, METERED)).status).toBe(200);
    for (const r of replicas) expect(r.child.exitCode).toBeNull();
  }, 90_000);

  it('PostgreSQL down: /readyz 503 everywhere, custom graphs 503 STORAGE_UNAVAILABLE; back: all recover', async () => {
    const ready = async (r: Proc) => (await fetch(`${r.url}/readyz`)).status;
    for (const r of replicas) expect(await ready(r)).toBe(200);
    await pg.stop();
    try {
      for (const r of replicas) {
        const res = await fetch(`${r.url}/readyz`);
        expect(res.status).toBe(503);
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('NOT_READY');
        expect(body.error.message).toMatch(/graph database \(DATABASE_URL\)/);
        expect((await fetch(`${r.url}/healthz`)).status).toBe(200);
      }
      const [a, b, c] = replicas as [Proc, Proc, Proc];
      const read = await call(a, 'GET', '/v1/graphs/my-values');
      expect(read.status).toBe(503);
      expect(read.body).toMatchObject({ error: { code: 'STORAGE_UNAVAILABLE' } });
      expect((read.body.error as Json).message).toMatch(/DATABASE_URL/);
      const cf = await call(b, 'POST', '/v1/counterfactuals', { graph: 'my-values', ...QUERY });
      expect(cf.body).toMatchObject({ error: { code: 'STORAGE_UNAVAILABLE' } });
      const write = await call(c, 'POST', '/v1/graphs', { ...EXAMPLE_CUSTOM_GRAPH, id: 'during-outage' });
      expect(write.status).toBe(503);
      expect(write.body).toMatchObject({ error: { code: 'STORAGE_UNAVAILABLE' } });
      // The same through the attribution pipeline (its own graph lookup).
      const text = 'I love adventure.';
      const attribution = await call(a, 'POST', '/v1/attributions', { text, graph: 'my-values' });
      expect(attribution.body).toMatchObject({ error: { code: 'STORAGE_UNAVAILABLE' } });
      // A bundled graph needs no database.
      const bundled = await call(c, 'GET', '/v1/graphs/schwartz-10');
      expect(bundled.status).toBe(200);
      expect((await call(b, 'POST', '/v1/attributions', { text, graph: 'schwartz-10' })).status).toBe(200);
    } finally {
      await pg.start();
    }
    for (const r of replicas) await until(`${r.url}/readyz`, async () => (await ready(r)) === 200);
    for (const r of replicas) {
      const got = await call(r, 'GET', '/v1/graphs/my-values');
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ hash: V1 });
    }
    expect((await call(replicas[0]!, 'GET', '/v1/graphs/during-outage')).status).toBe(404);
  }, 90_000);
});
