/**
 * The custom graphs' database behind one asynchronous interface, whichever engine holds them:
 * - the embedded default, SQLite in DATA_DIR (graph-db.ts), owned by one service process;
 * - PostgreSQL (pg-graph-db.ts, DATABASE_URL), shared by every replica and batch worker.
 *
 * Both keep the same model: every version of a graph (id + content hash, a per-graph sequence number),
 * a pointer to the current one, and writes that check their preconditions (exists, quotas) and write in
 * one transaction. `stamp()` changes whenever any process commits a write, so a reader can tell cheaply
 * whether what it holds in memory is still current.
 */
import type { GraphDb } from './graph-db.js';
import {
  type NewVersion,
  type PutOutcome,
  type StoredGraph,
  type StoredVersion,
  type WriteLimits,
} from './graph-db.js';

export interface GraphBackend {
  /** Where the graphs are, for logs and messages (a file path, or a URL without its password). */
  readonly location: string;
  /** Other processes write to it too: read `stamp()` before serving from memory. */
  readonly shared: boolean;
  /** A value that changes with every committed write, by any process. */
  stamp(): Promise<string>;
  /** Every graph's current version (no definitions), with the stamp they were read at. */
  heads(): Promise<{ stamp: string; graphs: StoredGraph[] }>;
  /** The stored versions of these (id, hash) pairs that still exist. */
  definitions(pairs: ReadonlyArray<{ id: string; hash: string }>): Promise<StoredVersion[]>;
  version(id: string, hash: string): Promise<StoredVersion | undefined>;
  /** The versions of a graph, newest first. */
  versions(id: string): Promise<StoredVersion[]>;
  /** See GraphDb.put: durable when it resolves; GraphWriteConflict when a precondition fails. */
  put(
    v: NewVersion,
    limits: WriteLimits,
    mustExist?: boolean,
  ): Promise<{ outcome: PutOutcome; graph: StoredGraph }>;
  /** Delete a graph and its versions; how many versions were deleted (0: no such graph). */
  delete(id: string): Promise<number>;
  /** Resolves when the database answers (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The embedded SQLite database as a GraphBackend (one process owns it: `shared` is false). */
export class SqliteGraphBackend implements GraphBackend {
  readonly shared = false;
  private writes = 0;

  constructor(readonly db: GraphDb) {}

  get location(): string {
    return this.db.path;
  }

  async stamp(): Promise<string> {
    return String(this.writes);
  }

  async heads(): Promise<{ stamp: string; graphs: StoredGraph[] }> {
    return { stamp: String(this.writes), graphs: this.db.current().map((c) => c.graph) };
  }

  async definitions(pairs: ReadonlyArray<{ id: string; hash: string }>): Promise<StoredVersion[]> {
    return pairs.map((p) => this.db.version(p.id, p.hash)).filter((v): v is StoredVersion => v !== undefined);
  }

  async version(id: string, hash: string): Promise<StoredVersion | undefined> {
    return this.db.version(id, hash);
  }

  async versions(id: string): Promise<StoredVersion[]> {
    return this.db.versions(id);
  }

  async put(
    v: NewVersion,
    limits: WriteLimits,
    mustExist?: boolean,
  ): Promise<{ outcome: PutOutcome; graph: StoredGraph }> {
    const r = this.db.put(v, limits, mustExist);
    this.writes++;
    return r;
  }

  async delete(id: string): Promise<number> {
    const n = this.db.delete(id);
    this.writes++;
    return n;
  }

  async ping(): Promise<void> {
    this.db.countGraphs();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
