/**
 * The PostgreSQL graph store on a real cluster (Debian's PostgreSQL, started here): migrations at
 * boot (several processes at once migrate once; a newer schema is refused), quotas under concurrent
 * writers from separate connection pools (as separate replicas), and the stamp moving with every write.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphWriteConflict, StorageError, type NewVersion } from '../../src/storage/graph-db.js';
import { PgGraphDb, redactUrl } from '../../src/storage/pg-graph-db.js';
import {
  hasPostgresBinaries,
  requireInCi,
  startPostgres,
  type PostgresServer,
} from '../fixtures/backends.js';

const hasPostgres = hasPostgresBinaries();
requireInCi('POSTGRES');

const dir = mkdtempSync(join(tmpdir(), 'pluralign-pg-'));
let server: PostgresServer;
const open: PgGraphDb[] = [];

async function connect(): Promise<PgGraphDb> {
  const db = await PgGraphDb.connect(server.url, { max: 4 });
  open.push(db);
  return db;
}

const version = (id: string, n: number): NewVersion => ({
  id,
  hash: `hash-${id}-${n}`,
  version: String(n),
  definition: JSON.stringify({ id, n }),
});

beforeAll(async () => {
  if (hasPostgres) server = await startPostgres(dir);
}, 120_000);

afterAll(async () => {
  await Promise.all(open.map((db) => db.close()));
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasPostgres)('PgGraphDb on a real PostgreSQL', () => {
  it('migrates once when several processes start together', async () => {
    const dbs = await Promise.all([connect(), connect(), connect()]);
    expect(await dbs[0]!.migrations()).toEqual([{ version: 1, name: 'custom graphs with versions' }]);
  });

  it('keeps versions, content hashes and the current pointer like the SQLite store', async () => {
    const db = await connect();
    const limits = { maxGraphs: 100, maxVersions: 100 };
    const s0 = await db.stamp();
    expect((await db.put(version('g', 1), limits, false)).outcome).toBe('created');
    expect(await db.stamp()).not.toBe(s0);
    expect((await db.put(version('g', 2), limits)).outcome).toBe('added');
    expect((await db.put(version('g', 2), limits)).outcome).toBe('unchanged');
    const restored = await db.put(version('g', 1), limits);
    expect(restored.outcome).toBe('restored');
    expect(restored.graph).toMatchObject({ id: 'g', currentHash: 'hash-g-1', versionCount: 2 });
    expect(restored.graph.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect((await db.versions('g')).map((v) => [v.seq, v.hash])).toEqual([
      [2, 'hash-g-2'],
      [1, 'hash-g-1'],
    ]);
    await expect(db.put(version('g', 3), limits, false)).rejects.toMatchObject({ reason: 'exists' });
    await expect(db.put(version('nope', 1), limits, true)).rejects.toMatchObject({ reason: 'missing' });
    const heads = await db.heads();
    expect(heads.graphs.find((g) => g.id === 'g')?.currentHash).toBe('hash-g-1');
    expect((await db.definitions([{ id: 'g', hash: 'hash-g-2' }]))[0]?.definition).toBe('{"id":"g","n":2}');
    expect(await db.delete('g')).toBe(2);
    expect(await db.delete('g')).toBe(0);
    expect(await db.version('g', 'hash-g-1')).toBeUndefined();
  });

  it('MAX_CUSTOM_GRAPHS and MAX_GRAPH_VERSIONS hold under concurrent writers of separate pools', async () => {
    const [a, b, c] = await Promise.all([connect(), connect(), connect()]);
    const before = (await a.heads()).graphs.length;
    const limits = { maxGraphs: before + 5, maxVersions: 4 };
    const writers = [a, b, c];
    const creates = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => writers[i % 3]!.put(version(`q${i}`, 1), limits, false)),
    );
    expect(creates.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
    const refused = creates.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(19);
    for (const r of refused) expect(r.reason).toBeInstanceOf(GraphWriteConflict);
    expect((await a.heads()).graphs.length).toBe(before + 5);

    const id = (await a.heads()).graphs.find((g) => g.id.startsWith('q'))!.id;
    const adds = await Promise.allSettled(
      Array.from({ length: 12 }, (_, i) => writers[i % 3]!.put(version(id, 100 + i), limits, true)),
    );
    expect(adds.filter((r) => r.status === 'fulfilled')).toHaveLength(3); // 1 + 3 = the 4 allowed
    const seqs = (await b.versions(id)).map((v) => v.seq);
    expect(seqs).toEqual([4, 3, 2, 1]);
  });

  it('refuses a database migrated by a newer pluralign, naming the version', async () => {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      await client.query("INSERT INTO schema_migrations (version, name) VALUES (99, 'from the future')");
      const err = await PgGraphDb.connect(server.url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageError);
      expect((err as Error).message).toMatch(/schema migration 99 is unknown here/);
    } finally {
      await client.query('DELETE FROM schema_migrations WHERE version = 99');
      await client.end();
    }
  });

  it('an unreachable database is a StorageError that names it without its password', async () => {
    const url = `postgresql://pluralign:s3cret@127.0.0.1:${server.port + 1}/postgres`;
    const err = await PgGraphDb.connect(url, { connectionTimeoutMillis: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as Error).message).not.toContain('s3cret');
    expect(redactUrl(url)).toBe(`postgresql://pluralign:***@127.0.0.1:${server.port + 1}/postgres`);
  });
});
