/**
 * Custom graphs on a live server and a real SQLite file: upload, read, version, use in counterfactuals,
 * delete; validated like the bundled graphs; bundled graphs read-only; quotas; what survives a restart;
 * and how the service treats a database it cannot trust (corrupt, newer, tampered, shadowed).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CUSTOM_GRAPH, EXAMPLE_CUSTOM_GRAPH_V2, EXAMPLE_GRAPH } from '../../schemas/api.js';
import type { GraphFile } from '../../schemas/graph.js';
import { contentHash } from '../../src/graphs/registry.js';
import { GraphStore } from '../../src/graphs/store.js';
import { DB_FILE, GraphDb, StorageError } from '../../src/storage/graph-db.js';
import { CYCLIC_GRAPH } from '../http/error-example-requests.js';
import {
  expectEnvelope,
  FIXTURE_GRAPHS,
  freshDataDir,
  LogCapture,
  makeApp,
  ROOT,
  startLive,
  testConfig,
  type Live,
} from '../http/helpers.js';
import { API_KEYS, bearer, KEYS } from './keys.js';

const V1 = contentHash(EXAMPLE_CUSTOM_GRAPH);
const V2 = contentHash(EXAMPLE_CUSTOM_GRAPH_V2);
const FULL = { openness: 1, stimulation: 1, security: -0.25, adventure: 0.75 };

type Json = Record<string, unknown>;

function client(live: Live, key: string = KEYS.all) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${live.url}${path}`, {
      method,
      headers: { ...bearer(key), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    del: (path: string) => call('DELETE', path),
  };
}

describe('the life of a custom graph', () => {
  let live: Live;
  let api: ReturnType<typeof client>;
  beforeAll(async () => {
    live = await startLive({ API_KEYS });
    api = client(live);
  });
  afterAll(() => live.close());

  it('POST /v1/graphs stores it: 201, Location, ETag, outcome created', async () => {
    const r = await api.post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH);
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/v1/graphs/my-values');
    expect(r.headers.get('etag')).toBe(`"${V1}"`);
    expect(r.body).toMatchObject({
      id: 'my-values',
      version: '1',
      hash: V1,
      source: 'custom',
      outcome: 'created',
      linear: true,
      nodes: { latent: 1, value: 2, concept: 1 },
      custom: { versions: 1 },
    });
    const custom = r.body.custom as { createdAt: string; updatedAt: string };
    expect(custom.createdAt).toBe(custom.updatedAt);
  });

  it('it is listed next to the bundled graphs, marked, and readable with its definition', async () => {
    const list = await api.get('/v1/graphs');
    const graphs = list.body.graphs as Array<{ id: string; source: string }>;
    expect(graphs.map((g) => [g.id, g.source])).toEqual([
      ['curve', 'bundled'],
      ['mini-values', 'bundled'],
      ['my-values', 'custom'],
    ]);
    const one = await api.get('/v1/graphs/my-values');
    expect(one.status).toBe(200);
    expect(one.body.definition).toEqual(EXAMPLE_CUSTOM_GRAPH);
    expect(one.body.current).toBe(true);
    expect(one.headers.get('etag')).toBe(`"${V1}"`);
    const ready = await api.get('/readyz');
    // /readyz needs no key: the custom graph is counted, not named (its id needs the read scope).
    expect(ready.body.graphs).not.toContainEqual(expect.objectContaining({ id: 'my-values' }));
    expect(ready.body.customGraphs).toBe(1);
  });

  it('counterfactual queries use it by id', async () => {
    const query = {
      evidence: FULL,
      interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
      explain: 'none',
    };
    const mine = await api.post('/v1/counterfactuals', { graph: 'my-values', ...query });
    expect(mine.status).toBe(200);
    expect(mine.body.graph).toEqual({ id: 'my-values', version: '1', hash: V1, source: 'custom' });
    const bundled = await api.post('/v1/counterfactuals', { graph: 'mini-values', ...query });
    // Same mechanisms as the bundled example: the same answer.
    expect((mine.body.result as Json).counterfactual).toEqual((bundled.body.result as Json).counterfactual);
  });

  it('PUT adds a version that becomes current; the old one stays readable', async () => {
    const r = await api.put('/v1/graphs/my-values', EXAMPLE_CUSTOM_GRAPH_V2);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ hash: V2, version: '2', outcome: 'added', custom: { versions: 2 } });
    expect(r.headers.get('etag')).toBe(`"${V2}"`);
    expect(r.headers.get('location')).toBeNull();

    const versions = await api.get('/v1/graphs/my-values/versions');
    expect(versions.body).toMatchObject({ id: 'my-values', source: 'custom', current: V2 });
    expect((versions.body.versions as Json[]).map((v) => [v.hash, v.version, v.current])).toEqual([
      [V2, '2', true],
      [V1, '1', false],
    ]);
    const old = await api.get(`/v1/graphs/my-values?version=${V1}`);
    expect(old.status).toBe(200);
    expect(old.body).toMatchObject({
      hash: V1,
      version: '1',
      current: false,
      definition: EXAMPLE_CUSTOM_GRAPH,
    });
    expect(old.headers.get('etag')).toBe(`"${V1}"`);
    const current = await api.get(`/v1/graphs/my-values?version=${V2}`);
    expect(current.body.current).toBe(true);

    const cf = await api.post('/v1/counterfactuals', { graph: 'my-values', evidence: FULL, explain: 'none' });
    expect((cf.body.graph as Json).hash).toBe(V2);
  });

  it('PUT of a stored definition: unchanged, or restored as current', async () => {
    const same = await api.put('/v1/graphs/my-values', EXAMPLE_CUSTOM_GRAPH_V2);
    expect(same.body).toMatchObject({ outcome: 'unchanged', hash: V2, custom: { versions: 2 } });
    const back = await api.put('/v1/graphs/my-values', EXAMPLE_CUSTOM_GRAPH);
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ outcome: 'restored', hash: V1, custom: { versions: 2 } });
    expect((await api.get('/v1/graphs/my-values')).body.hash).toBe(V1);
  });

  it('refuses: an existing id on POST, an id mismatch on PUT, unknown versions', async () => {
    const again = await api.post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH);
    expect(again.status).toBe(409);
    expectEnvelope(again.body, 'GRAPH_EXISTS');
    const mismatch = await api.put('/v1/graphs/other-id', EXAMPLE_CUSTOM_GRAPH);
    expect(mismatch.status).toBe(400);
    expect(expectEnvelope(mismatch.body, 'VALIDATION_FAILED').details[0]!.path).toBe('id');
    const unknown = await api.get('/v1/graphs/my-values?version=ffffffffffffffff');
    expect(unknown.status).toBe(404);
    expectEnvelope(unknown.body, 'UNKNOWN_GRAPH_VERSION');
    const malformed = await api.get('/v1/graphs/my-values?version=latest');
    expect(malformed.status).toBe(400);
    expect(expectEnvelope(malformed.body, 'VALIDATION_FAILED').details[0]!.path).toBe('query.version');
    const bundledOld = await api.get(`/v1/graphs/mini-values?version=${V1}`);
    expect(bundledOld.status).toBe(404);
  });

  it('PUT on a new id creates it (201)', async () => {
    const graph = { ...EXAMPLE_CUSTOM_GRAPH, id: 'second-graph' };
    const r = await api.put('/v1/graphs/second-graph', graph);
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/v1/graphs/second-graph');
    expect(r.body.outcome).toBe('created');
  });

  it('bundled graphs are read-only: 409 GRAPH_READ_ONLY on every write', async () => {
    for (const r of [
      await api.post('/v1/graphs', EXAMPLE_GRAPH),
      await api.put('/v1/graphs/mini-values', EXAMPLE_GRAPH),
      await api.del('/v1/graphs/mini-values'),
    ]) {
      expect(r.status).toBe(409);
      expectEnvelope(r.body, 'GRAPH_READ_ONLY');
    }
    const versions = await api.get('/v1/graphs/mini-values/versions');
    expect(versions.body).toMatchObject({
      source: 'bundled',
      versions: [{ version: '1', createdAt: null, current: true }],
    });
  });

  it('invalid graphs are refused exactly like invalid bundled graphs, and nothing is stored', async () => {
    const cycle = await api.post('/v1/graphs', CYCLIC_GRAPH);
    expect(cycle.status).toBe(400);
    const e = expectEnvelope(cycle.body, 'GRAPH_CYCLE');
    expect(e.details[0]).toMatchObject({ path: 'edges', node: 'a' });
    const ghost = await api.post('/v1/graphs', {
      ...EXAMPLE_CUSTOM_GRAPH,
      id: 'ghost',
      edges: [...EXAMPLE_CUSTOM_GRAPH.edges, ['ghost', 'adventure']],
    });
    expect(ghost.status).toBe(400);
    expect(expectEnvelope(ghost.body, 'GRAPH_INVALID').details[0]).toMatchObject({
      path: 'edges.4',
      node: 'ghost',
    });
    const schema = await api.post('/v1/graphs', { ...EXAMPLE_CUSTOM_GRAPH, id: 'Not An Id' });
    expect(schema.status).toBe(400);
    expect(expectEnvelope(schema.body, 'VALIDATION_FAILED').details[0]!.path).toBe('id');
    const list = (await api.get('/v1/graphs')).body.graphs as Array<{ id: string }>;
    expect(list.map((g) => g.id)).not.toContain('loop');
    expect(list.map((g) => g.id)).not.toContain('ghost');
  });

  it('DELETE removes it with its versions; the id is free again', async () => {
    const r = await api.del('/v1/graphs/my-values');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ id: 'my-values', deleted: true, versions: 2 });
    expect((await api.get('/v1/graphs/my-values')).status).toBe(404);
    expect((await api.get('/v1/graphs/my-values/versions')).status).toBe(404);
    const cf = await api.post('/v1/counterfactuals', { graph: 'my-values' });
    expect(cf.status).toBe(404);
    expectEnvelope(cf.body, 'UNKNOWN_GRAPH');
    expect((await api.del('/v1/graphs/my-values')).status).toBe(404);
    const again = await api.post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH);
    expect(again.body).toMatchObject({ outcome: 'created', custom: { versions: 1 } });
  });
});

describe('quotas', () => {
  it('MAX_CUSTOM_GRAPHS and MAX_GRAPH_VERSIONS → 409 GRAPH_QUOTA_EXCEEDED; a delete frees room', async () => {
    const live = await startLive({ MAX_CUSTOM_GRAPHS: '2', MAX_GRAPH_VERSIONS: '2' });
    const api = client(live);
    try {
      const g = (id: string, version = '1') => ({ ...EXAMPLE_CUSTOM_GRAPH, id, version });
      expect((await api.post('/v1/graphs', g('g-one'))).status).toBe(201);
      expect((await api.post('/v1/graphs', g('g-two'))).status).toBe(201);
      const third = await api.post('/v1/graphs', g('g-three'));
      expect(third.status).toBe(409);
      expect(expectEnvelope(third.body, 'GRAPH_QUOTA_EXCEEDED').message).toContain('MAX_CUSTOM_GRAPHS');
      expect((await api.put('/v1/graphs/g-one', g('g-one', '2'))).status).toBe(200);
      const v3 = await api.put('/v1/graphs/g-one', g('g-one', '3'));
      expect(v3.status).toBe(409);
      expect(expectEnvelope(v3.body, 'GRAPH_QUOTA_EXCEEDED').message).toContain('MAX_GRAPH_VERSIONS');
      // Restoring a stored version is not a new version.
      expect((await api.put('/v1/graphs/g-one', g('g-one', '1'))).body.outcome).toBe('restored');
      expect((await api.del('/v1/graphs/g-two')).status).toBe(200);
      expect((await api.post('/v1/graphs', g('g-three'))).status).toBe(201);
    } finally {
      await live.close();
    }
  });
});

describe('the database', () => {
  it('survives a restart: same graphs, versions, hashes, definitions and times', async () => {
    const dataDir = freshDataDir();
    const first = await startLive({ DATA_DIR: dataDir });
    const a = client(first);
    await a.post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH);
    await a.put('/v1/graphs/my-values', EXAMPLE_CUSTOM_GRAPH_V2);
    const before = (await a.get('/v1/graphs/my-values/versions')).body;
    const listBefore = (await a.get('/v1/graphs')).body;
    await first.close();

    const second = await startLive({ DATA_DIR: dataDir });
    const b = client(second);
    try {
      expect((await b.get('/v1/graphs/my-values/versions')).body).toEqual(before);
      expect((await b.get('/v1/graphs')).body).toEqual(listBefore);
      expect((await b.get('/v1/graphs/my-values')).body.definition).toEqual(EXAMPLE_CUSTOM_GRAPH_V2);
      expect((await b.get(`/v1/graphs/my-values?version=${V1}`)).body.definition).toEqual(
        EXAMPLE_CUSTOM_GRAPH,
      );
    } finally {
      await second.close();
    }
  });

  it('is WAL with synchronous=FULL, foreign keys on, and records its migrations', () => {
    const dir = freshDataDir();
    const db = GraphDb.open(dir);
    try {
      expect(db.pragmas()).toEqual({ journalMode: 'wal', synchronous: 'FULL', foreignKeys: true });
      expect(db.migrations()).toEqual([{ version: 1, name: 'custom graphs with versions' }]);
      expect(db.integrityCheck()).toEqual(['ok']);
    } finally {
      db.close();
    }
    // Opening it again applies nothing twice.
    const again = GraphDb.open(dir);
    expect(again.migrations()).toHaveLength(1);
    again.close();
  });

  it('a database from a newer version, or a corrupt file, stops the start with a message', () => {
    const newer = freshDataDir();
    GraphDb.open(newer).close();
    const raw = new Database(join(newer, DB_FILE));
    raw.prepare("INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01')").run();
    raw.close();
    expect(() => GraphDb.open(newer)).toThrow(StorageError);
    expect(() => GraphDb.open(newer)).toThrow(/newer pluralign \(schema migration 99/);

    const corrupt = freshDataDir();
    writeFileSync(join(corrupt, DB_FILE), Buffer.alloc(8192, 0x5a));
    expect(() => GraphDb.open(corrupt)).toThrow(StorageError);

    // The server process exits 1 with the message, not a stack trace.
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'server.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: corrupt },
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot open the custom graphs \(DATA_DIR\):/);
    expect(run.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a tampered definition (hash mismatch) is not served, and the service still starts', async () => {
    const dataDir = freshDataDir();
    const first = await startLive({ DATA_DIR: dataDir });
    await client(first).post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH);
    await client(first).post('/v1/graphs', { ...EXAMPLE_CUSTOM_GRAPH, id: 'kept-graph' });
    await first.close();
    const raw = new Database(join(dataDir, DB_FILE));
    const tampered = { ...EXAMPLE_CUSTOM_GRAPH, title: 'edited behind the service' };
    raw
      .prepare("UPDATE graph_versions SET definition = ? WHERE id = 'my-values'")
      .run(JSON.stringify(tampered));
    raw.close();

    const capture = new LogCapture();
    const second = await startLive(
      { DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      { logger: true, logStream: capture },
    );
    try {
      expect((await client(second).get('/v1/graphs/my-values')).status).toBe(404);
      expect((await client(second).get('/v1/graphs/kept-graph')).status).toBe(200);
    } finally {
      await second.close();
    }
    const error = capture.lines.find((l) => String(l.msg).includes('cannot be loaded'));
    expect(error).toMatchObject({ level: 50, graph: 'my-values', hash: V1 });
  });

  it('a custom graph shadowed by a bundled one with the same id is not served (warning)', async () => {
    const dataDir = freshDataDir();
    const first = await startLive({ DATA_DIR: dataDir });
    await client(first).post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH);
    await first.close();
    const graphsDir = mkdtempSync(join(tmpdir(), 'pluralign-graphs-'));
    try {
      copyFileSync(join(FIXTURE_GRAPHS, 'curve.json'), join(graphsDir, 'curve.json'));
      const mine = JSON.parse(readFileSync(join(FIXTURE_GRAPHS, 'mini-values.json'), 'utf8')) as GraphFile;
      writeFileSync(join(graphsDir, 'my-values.json'), JSON.stringify({ ...mine, id: 'my-values' }));
      const capture = new LogCapture();
      const second = await startLive(
        { DATA_DIR: dataDir, GRAPHS_DIR: graphsDir, LOG_LEVEL: 'warn' },
        { logger: true, logStream: capture },
      );
      try {
        const g = await client(second).get('/v1/graphs/my-values');
        expect(g.body.source).toBe('bundled');
      } finally {
        await second.close();
      }
      expect(capture.lines.some((l) => String(l.msg).includes('is shadowed by a bundled graph'))).toBe(true);
    } finally {
      rmSync(graphsDir, { recursive: true, force: true });
    }
  });

  it('a write the database cannot complete → 503 STORAGE_UNAVAILABLE, nothing changes', async () => {
    const dataDir = freshDataDir();
    mkdirSync(dataDir, { recursive: true });
    const store = GraphStore.open(testConfig({ DATA_DIR: dataDir }));
    const app = await makeApp({}, { store });
    try {
      store.close(); // the database goes away under the service (disk gone, file handle lost…)
      const res = await app.inject({ method: 'POST', url: '/v1/graphs', payload: EXAMPLE_CUSTOM_GRAPH });
      expect(res.statusCode).toBe(503);
      const e = expectEnvelope(res.json(), 'STORAGE_UNAVAILABLE');
      expect(e.message).toMatch(/nothing was stored/);
      expect(res.body).not.toMatch(/database connection|SqliteError|TypeError/);
      const list = await app.inject({ method: 'GET', url: '/v1/graphs' });
      expect((list.json() as { graphs: Array<{ id: string }> }).graphs.map((g) => g.id)).toEqual([
        'curve',
        'mini-values',
      ]);
    } finally {
      await app.close();
    }
  });
});
