/**
 * The custom graphs, durably: an embedded SQLite database (better-sqlite3) in DATA_DIR.
 *
 * - WAL journal, `synchronous = FULL`: a transaction is fsync'ed to the WAL before `COMMIT` returns, so a
 *   write the API acknowledges survives a process crash *and* a power loss. (`NORMAL` would only risk
 *   the last commits on power loss, but graph writes are rare admin operations where one fsync per
 *   write costs nothing worth saving.)
 * - `schema_migrations` records every applied migration; each migration runs in one transaction with
 *   its record. A database written by a newer version (an unknown migration) is refused.
 * - At open, `PRAGMA quick_check` must answer `ok`, or the service does not start.
 * - Every version of a graph is kept (id + content hash), with a pointer to the current one. Definitions
 *   are stored as JSON text and re-hashed when loaded, so silent corruption is detected.
 *
 * Every write is one IMMEDIATE transaction that checks its preconditions (exists, quota) and writes, so
 * concurrent requests cannot interleave between the check and the write.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const DB_FILE = 'pluralign.db';

/** A versioned schema migration (the SQLite and PostgreSQL stores keep the same numbering). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'custom graphs with versions',
    sql: `
      CREATE TABLE graphs (
        id           TEXT PRIMARY KEY,
        current_hash TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;
      CREATE TABLE graph_versions (
        id         TEXT NOT NULL REFERENCES graphs(id) ON DELETE CASCADE,
        hash       TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        version    TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (id, hash),
        UNIQUE (id, seq)
      ) STRICT;
    `,
  },
];

export class StorageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StorageError';
  }
}

/** A write refused by its precondition (no I/O failure): the graph exists, is missing, or a quota. */
export class GraphWriteConflict extends Error {
  constructor(
    readonly reason: 'exists' | 'missing' | 'too-many-graphs' | 'too-many-versions',
    readonly limit = 0,
  ) {
    super(reason);
    this.name = 'GraphWriteConflict';
  }
}

export interface StoredGraph {
  id: string;
  currentHash: string;
  createdAt: string;
  updatedAt: string;
  versionCount: number;
}

export interface StoredVersion {
  id: string;
  hash: string;
  seq: number;
  version: string;
  /** The definition as JSON text. */
  definition: string;
  createdAt: string;
}

export interface NewVersion {
  id: string;
  hash: string;
  version: string;
  definition: string;
}

export interface WriteLimits {
  maxGraphs: number;
  maxVersions: number;
}

/** What a `put` did: created the graph, added a version, made an older version current, or nothing. */
export type PutOutcome = 'created' | 'added' | 'restored' | 'unchanged';

/** Rows as both engines return them (SQLite: ISO text and numbers; PostgreSQL: Date, COUNT as text). */
export type GraphRow = {
  id: string;
  current_hash: string;
  created_at: string | Date;
  updated_at: string | Date;
  version_count: number | string;
};
export type VersionRow = {
  id: string;
  hash: string;
  seq: number;
  version: string;
  definition: string;
  created_at: string | Date;
};

const iso = (t: string | Date) => (typeof t === 'string' ? t : t.toISOString());
export const toGraph = (r: GraphRow): StoredGraph => ({
  id: r.id,
  currentHash: r.current_hash,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  versionCount: Number(r.version_count),
});
export const toVersion = (r: VersionRow): StoredVersion => ({
  id: r.id,
  hash: r.hash,
  seq: r.seq,
  version: r.version,
  definition: r.definition,
  createdAt: iso(r.created_at),
});

/** Graphs with their number of versions (the same SQL for both engines). */
export const GRAPH_SELECT = `
  SELECT g.id, g.current_hash, g.created_at, g.updated_at,
         (SELECT COUNT(*) FROM graph_versions v WHERE v.id = g.id) AS version_count
  FROM graphs g`;

export class GraphDb {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly now: () => string;

  private constructor(path: string, now: () => string) {
    this.path = path;
    this.now = now;
    try {
      this.db = new Database(path);
    } catch (err) {
      throw new StorageError(`cannot open the database ${path}: ${(err as Error).message}`);
    }
    try {
      this.configure();
      this.migrate();
    } catch (err) {
      this.db.close();
      throw err instanceof StorageError ? err : new StorageError(`${path}: ${(err as Error).message}`);
    }
  }

  /** The database of `dir` (created with the folder when missing). */
  static open(dir: string, now: () => string = () => new Date().toISOString()): GraphDb {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StorageError(`cannot create the data folder ${dir}: ${(err as Error).message}`);
    }
    return new GraphDb(join(dir, DB_FILE), now);
  }

  /** A throwaway in-memory database (tests, the OpenAPI generator). */
  static memory(): GraphDb {
    return new GraphDb(':memory:', () => new Date().toISOString());
  }

  private configure(): void {
    const db = this.db;
    if (this.path !== ':memory:') {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new StorageError(`${this.path}: cannot switch to WAL (journal_mode ${mode})`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = this.integrityCheck('quick_check');
    if (check.length !== 1 || check[0] !== 'ok') {
      throw new StorageError(
        `${this.path} is corrupt (PRAGMA quick_check: ${check.slice(0, 3).join('; ')}); restore it from a backup or move it away`,
      );
    }
  }

  private migrate(): void {
    const db = this.db;
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT`);
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (r) => r.version,
      ),
    );
    const known = new Set(MIGRATIONS.map((m) => m.version));
    const unknown = [...applied].filter((v) => !known.has(v));
    if (unknown.length > 0) {
      throw new StorageError(
        `${this.path} was written by a newer pluralign (schema migration ${Math.max(...unknown)} is unknown here); upgrade pluralign or use another DATA_DIR`,
      );
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name, this.now());
      }).immediate();
    }
  }

  /** The durability settings of the connection (for checks and tests). */
  pragmas(): { journalMode: string; synchronous: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA'; foreignKeys: boolean } {
    const sync = this.db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: (['OFF', 'NORMAL', 'FULL', 'EXTRA'] as const)[sync]!,
      foreignKeys: this.db.pragma('foreign_keys', { simple: true }) === 1,
    };
  }

  /** The applied migrations, in order. */
  migrations(): Array<{ version: number; name: string }> {
    return this.db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all() as Array<{
      version: number;
      name: string;
    }>;
  }

  /** `PRAGMA integrity_check` (or `quick_check`): `['ok']` when the file is sound. */
  integrityCheck(kind: 'integrity_check' | 'quick_check' = 'integrity_check'): string[] {
    const rows = this.db.pragma(kind) as Array<Record<string, string>>;
    return rows.map((r) => Object.values(r)[0]!);
  }

  /** Every graph with its current version. */
  current(): Array<{ graph: StoredGraph; head: StoredVersion }> {
    const rows = this.db
      .prepare(
        `SELECT g.id, g.current_hash, g.created_at, g.updated_at,
                (SELECT COUNT(*) FROM graph_versions c WHERE c.id = g.id) AS version_count,
                v.hash, v.seq, v.version, v.definition, v.created_at AS v_created_at
         FROM graphs g JOIN graph_versions v ON v.id = g.id AND v.hash = g.current_hash
         ORDER BY g.id`,
      )
      .all() as Array<GraphRow & Omit<VersionRow, 'created_at'> & { v_created_at: string }>;
    return rows.map((r) => ({
      graph: toGraph(r),
      head: toVersion({ ...r, created_at: r.v_created_at }),
    }));
  }

  graph(id: string): StoredGraph | undefined {
    const r = this.db.prepare(`${GRAPH_SELECT} WHERE g.id = ?`).get(id) as GraphRow | undefined;
    return r ? toGraph(r) : undefined;
  }

  version(id: string, hash: string): StoredVersion | undefined {
    const r = this.db.prepare('SELECT * FROM graph_versions WHERE id = ? AND hash = ?').get(id, hash) as
      VersionRow | undefined;
    return r ? toVersion(r) : undefined;
  }

  /** The versions of a graph, newest first. */
  versions(id: string): StoredVersion[] {
    return (
      this.db.prepare('SELECT * FROM graph_versions WHERE id = ? ORDER BY seq DESC').all(id) as VersionRow[]
    ).map(toVersion);
  }

  countGraphs(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM graphs').get() as { n: number }).n;
  }

  /**
   * Add a graph, or a version of it (`mustExist`: `false` = create only, `true` = update only,
   * `undefined` = either), and make it current. Durable when it returns.
   */
  put(v: NewVersion, limits: WriteLimits, mustExist?: boolean): { outcome: PutOutcome; graph: StoredGraph } {
    const db = this.db;
    const run = db.transaction((): PutOutcome => {
      const now = this.now();
      const existing = this.graph(v.id);
      if (!existing) {
        if (mustExist === true) throw new GraphWriteConflict('missing');
        if (this.countGraphs() >= limits.maxGraphs)
          throw new GraphWriteConflict('too-many-graphs', limits.maxGraphs);
        db.prepare('INSERT INTO graphs (id, current_hash, created_at, updated_at) VALUES (?, ?, ?, ?)').run(
          v.id,
          v.hash,
          now,
          now,
        );
        this.insertVersion(v, 1, now);
        return 'created';
      }
      if (mustExist === false) throw new GraphWriteConflict('exists');
      if (this.version(v.id, v.hash)) {
        if (existing.currentHash === v.hash) return 'unchanged';
        db.prepare('UPDATE graphs SET current_hash = ?, updated_at = ? WHERE id = ?').run(v.hash, now, v.id);
        return 'restored';
      }
      if (existing.versionCount >= limits.maxVersions)
        throw new GraphWriteConflict('too-many-versions', limits.maxVersions);
      const seq = (
        db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM graph_versions WHERE id = ?').get(v.id) as {
          s: number;
        }
      ).s;
      this.insertVersion(v, seq, now);
      db.prepare('UPDATE graphs SET current_hash = ?, updated_at = ? WHERE id = ?').run(v.hash, now, v.id);
      return 'added';
    });
    const outcome = run.immediate();
    return { outcome, graph: this.graph(v.id)! };
  }

  private insertVersion(v: NewVersion, seq: number, now: string): void {
    this.db
      .prepare(
        'INSERT INTO graph_versions (id, hash, seq, version, definition, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(v.id, v.hash, seq, v.version, v.definition, now);
  }

  /** Delete a graph and all its versions; the number of versions deleted (0: there was no such graph). */
  delete(id: string): number {
    const db = this.db;
    return db
      .transaction(() => {
        const g = this.graph(id);
        if (!g) return 0;
        db.prepare('DELETE FROM graphs WHERE id = ?').run(id);
        return g.versionCount;
      })
      .immediate();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
