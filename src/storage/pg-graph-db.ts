/**
 * The custom graphs in PostgreSQL (DATABASE_URL), shared by every service replica and batch worker.
 * The same model as the SQLite store (graph-db.ts): every version kept (id + content hash, a per-graph
 * sequence number), a pointer to the current one, the definition as JSON text re-hashed when loaded.
 *
 * - Migrations: `schema_migrations` records each one; at boot they run in one transaction under a
 *   transaction-scoped advisory lock, so replicas starting together migrate once. A database migrated
 *   by a newer pluralign (an unknown version) is refused.
 * - Writes: one transaction each, which first bumps the single row of `graph_epoch`. That row lock
 *   serialises every writer of every replica, so the precondition checks (exists, MAX_CUSTOM_GRAPHS,
 *   MAX_GRAPH_VERSIONS) cannot interleave with another write: a quota holds under any concurrency.
 *   COMMIT returns once the WAL is flushed (PostgreSQL's default `synchronous_commit = on`), so an
 *   acknowledged write is durable.
 * - Reads: `graph_epoch.epoch` is the store's stamp; a reader compares it with the one it loaded at and
 *   reloads only what changed (see GraphStore.refresh).
 */
import pg from 'pg';
import type { GraphBackend } from './graph-backend.js';
import {
  GRAPH_SELECT,
  GraphWriteConflict,
  StorageError,
  toGraph,
  toVersion,
  type GraphRow,
  type Migration,
  type NewVersion,
  type PutOutcome,
  type StoredGraph,
  type StoredVersion,
  type VersionRow,
  type WriteLimits,
} from './graph-db.js';

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'custom graphs with versions',
    sql: `
      CREATE TABLE graphs (
        id           TEXT PRIMARY KEY,
        current_hash TEXT NOT NULL,
        created_at   TIMESTAMPTZ NOT NULL,
        updated_at   TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE graph_versions (
        id         TEXT NOT NULL REFERENCES graphs(id) ON DELETE CASCADE,
        hash       TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        version    TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (id, hash),
        UNIQUE (id, seq)
      );
      CREATE TABLE graph_epoch (
        one   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
        epoch BIGINT NOT NULL
      );
      INSERT INTO graph_epoch (one, epoch) VALUES (TRUE, 0);
    `,
  },
];

/** The advisory lock key of the migrations ("pluralign" in ASCII, truncated to a bigint). */
const MIGRATION_LOCK = '8101238993147717230';

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://(unparsable URL)';
  }
}

export interface PgOptions {
  /** Connections per process (default 10). */
  max?: number;
  /** How long to wait for a connection before failing a request (default 3000 ms). */
  connectionTimeoutMillis?: number;
  /** Called when an idle connection fails (PostgreSQL restarted, network cut). */
  onError?: (err: Error) => void;
}

export class PgGraphDb implements GraphBackend {
  readonly shared = true;
  readonly location: string;

  private constructor(
    private readonly pool: pg.Pool,
    url: string,
  ) {
    this.location = redactUrl(url);
  }

  /** Connect and migrate; StorageError when the database cannot be reached or is too new. */
  static async connect(url: string, options: PgOptions = {}): Promise<PgGraphDb> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMillis ?? 3000,
      idleTimeoutMillis: 30_000,
      // A statement stuck behind a dead network fails instead of holding the request forever.
      query_timeout: 10_000,
      application_name: 'pluralign',
    });
    // Without a listener, an idle connection's error (the server restarted) would crash the process.
    pool.on('error', (err) => options.onError?.(err));
    const db = new PgGraphDb(pool, url);
    try {
      await db.migrate();
    } catch (err) {
      await pool.end().catch(() => undefined);
      if (err instanceof StorageError) throw err;
      throw new StorageError(`cannot open the graph database ${db.location}: ${(err as Error).message}`);
    }
    return db;
  }

  private async transaction<T>(body: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const out = await body(client);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => {
        broken = e;
      });
      throw err;
    } finally {
      // A connection whose ROLLBACK failed is discarded rather than returned to the pool.
      client.release(broken);
    }
  }

  private async migrate(): Promise<void> {
    await this.transaction(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1::bigint)', [MIGRATION_LOCK]);
      await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    INTEGER PRIMARY KEY,
        name       TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`);
      const applied = new Set(
        (await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map(
          (r) => r.version,
        ),
      );
      const known = new Set(MIGRATIONS.map((m) => m.version));
      const unknown = [...applied].filter((v) => !known.has(v));
      if (unknown.length > 0) {
        throw new StorageError(
          `${this.location} was migrated by a newer pluralign (schema migration ${Math.max(...unknown)} is unknown here); upgrade pluralign or use another database`,
        );
      }
      for (const m of MIGRATIONS) {
        if (applied.has(m.version)) continue;
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
  }

  /** The applied migrations, in order. */
  async migrations(): Promise<Array<{ version: number; name: string }>> {
    return (await this.pool.query('SELECT version, name FROM schema_migrations ORDER BY version'))
      .rows as Array<{
      version: number;
      name: string;
    }>;
  }

  async stamp(): Promise<string> {
    const r = await this.pool.query<{ epoch: string }>('SELECT epoch FROM graph_epoch');
    return r.rows[0]!.epoch;
  }

  async heads(): Promise<{ stamp: string; graphs: StoredGraph[] }> {
    // One statement, so one snapshot: the stamp and the heads agree.
    const r = await this.pool.query<GraphRow & { epoch: string }>(
      `SELECT e.epoch, h.* FROM graph_epoch e LEFT JOIN (${GRAPH_SELECT}) h ON TRUE ORDER BY h.id`,
    );
    const stamp = r.rows[0]?.epoch ?? '0';
    return { stamp, graphs: r.rows.filter((row) => row.id !== null).map(toGraph) };
  }

  async definitions(pairs: ReadonlyArray<{ id: string; hash: string }>): Promise<StoredVersion[]> {
    if (pairs.length === 0) return [];
    const r = await this.pool.query<VersionRow>(
      `SELECT v.* FROM graph_versions v
       JOIN unnest($1::text[], $2::text[]) AS p(id, hash) ON v.id = p.id AND v.hash = p.hash`,
      [pairs.map((p) => p.id), pairs.map((p) => p.hash)],
    );
    return r.rows.map(toVersion);
  }

  async version(id: string, hash: string): Promise<StoredVersion | undefined> {
    const r = await this.pool.query<VersionRow>('SELECT * FROM graph_versions WHERE id = $1 AND hash = $2', [
      id,
      hash,
    ]);
    return r.rows[0] ? toVersion(r.rows[0]) : undefined;
  }

  async versions(id: string): Promise<StoredVersion[]> {
    const r = await this.pool.query<VersionRow>(
      'SELECT * FROM graph_versions WHERE id = $1 ORDER BY seq DESC',
      [id],
    );
    return r.rows.map(toVersion);
  }

  async put(
    v: NewVersion,
    limits: WriteLimits,
    mustExist?: boolean,
  ): Promise<{ outcome: PutOutcome; graph: StoredGraph }> {
    return this.transaction(async (c) => {
      // Serialise the writers of every replica (see the module comment); the stamp moves on.
      await c.query('UPDATE graph_epoch SET epoch = epoch + 1');
      const graphOf = async () => {
        const r = await c.query<GraphRow>(`${GRAPH_SELECT} WHERE g.id = $1`, [v.id]);
        return r.rows[0] ? toGraph(r.rows[0]) : undefined;
      };
      const existing = await graphOf();
      const outcome = await (async (): Promise<PutOutcome> => {
        if (!existing) {
          if (mustExist === true) throw new GraphWriteConflict('missing');
          const n = Number((await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM graphs')).rows[0]!.n);
          if (n >= limits.maxGraphs) throw new GraphWriteConflict('too-many-graphs', limits.maxGraphs);
          await c.query(
            'INSERT INTO graphs (id, current_hash, created_at, updated_at) VALUES ($1, $2, now(), now())',
            [v.id, v.hash],
          );
          await this.insertVersion(c, v, 1);
          return 'created';
        }
        if (mustExist === false) throw new GraphWriteConflict('exists');
        const stored = await c.query('SELECT 1 FROM graph_versions WHERE id = $1 AND hash = $2', [
          v.id,
          v.hash,
        ]);
        if (stored.rowCount) {
          if (existing.currentHash === v.hash) return 'unchanged';
          await c.query('UPDATE graphs SET current_hash = $1, updated_at = now() WHERE id = $2', [
            v.hash,
            v.id,
          ]);
          return 'restored';
        }
        if (existing.versionCount >= limits.maxVersions)
          throw new GraphWriteConflict('too-many-versions', limits.maxVersions);
        const seq = (
          await c.query<{ s: number }>(
            'SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM graph_versions WHERE id = $1',
            [v.id],
          )
        ).rows[0]!.s;
        await this.insertVersion(c, v, seq);
        await c.query('UPDATE graphs SET current_hash = $1, updated_at = now() WHERE id = $2', [
          v.hash,
          v.id,
        ]);
        return 'added';
      })();
      return { outcome, graph: (await graphOf())! };
    });
  }

  private async insertVersion(c: pg.PoolClient, v: NewVersion, seq: number): Promise<void> {
    await c.query(
      'INSERT INTO graph_versions (id, hash, seq, version, definition, created_at) VALUES ($1, $2, $3, $4, $5, now())',
      [v.id, v.hash, seq, v.version, v.definition],
    );
  }

  async delete(id: string): Promise<number> {
    return this.transaction(async (c) => {
      await c.query('UPDATE graph_epoch SET epoch = epoch + 1');
      const r = await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM graph_versions WHERE id = $1', [id]);
      const n = Number(r.rows[0]!.n);
      if (n > 0) await c.query('DELETE FROM graphs WHERE id = $1', [id]);
      return n;
    });
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
