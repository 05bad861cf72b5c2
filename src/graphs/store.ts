/**
 * The graphs the service answers on:
 * - bundled: loaded, validated and compiled once at boot from GRAPHS_DIR; read-only;
 * - custom: uploaded through the API (`POST/PUT/DELETE /v1/graphs`), validated exactly like the bundled
 *   ones (`makeEntry`), versioned by content hash and stored durably in SQLite (src/storage/graph-db.ts);
 *   or, with DATABASE_URL, in PostgreSQL shared by every replica (src/storage/pg-graph-db.ts); the
 *   current version of each is compiled in memory and, for a shared database, re-read when its stamp
 *   moves (`refresh`, before every API request and batch line);
 * - inline: sent with a request, validated and compiled per request, with a small cache keyed by
 *   content hash so a client that sends the same inline graph repeatedly compiles it once.
 * Inline and uploaded graphs are capped (nodes, edges, expression length).
 */
import type { GraphFile } from '../../schemas/graph.js';
import type { Config } from '../config/index.js';
import { contentHash, loadGraphDir, makeEntry, type GraphEntry } from './registry.js';
import { ScmError } from '../scm/index.js';
import { GraphDb, GraphWriteConflict, type PutOutcome, type StoredGraph } from '../storage/graph-db.js';
import { SqliteGraphBackend, type GraphBackend } from '../storage/graph-backend.js';
import { FreshnessGate } from '../storage/freshness-gate.js';
import { DomainError, type ErrorDetail } from '../errors.js';

export type GraphSource = 'bundled' | 'custom' | 'inline';

export interface ResolvedGraph {
  entry: GraphEntry;
  source: GraphSource;
}

export interface GraphLimits {
  /** MAX_INLINE_GRAPH_NODES */
  maxNodes: number;
  /** MAX_GRAPH_EDGES */
  maxEdges: number;
  /** MAX_EXPRESSION_LENGTH */
  maxExpressionLength: number;
  /** MAX_CUSTOM_GRAPHS */
  maxCustomGraphs: number;
  /** MAX_GRAPH_VERSIONS */
  maxGraphVersions: number;
}

export const DEFAULT_LIMITS: GraphLimits = {
  maxNodes: 1000,
  maxEdges: 20_000,
  maxExpressionLength: 1000,
  maxCustomGraphs: 1000,
  maxGraphVersions: 100,
};

/** When and how often a custom graph was written. */
export interface CustomInfo {
  createdAt: string;
  updatedAt: string;
  versions: number;
}

export interface ListedGraph {
  entry: GraphEntry;
  source: 'bundled' | 'custom';
  custom?: CustomInfo;
}

export interface GraphVersionInfo {
  hash: string;
  version: string;
  createdAt: string | null;
  current: boolean;
}

export interface WriteResult {
  outcome: PutOutcome;
  graph: ListedGraph;
}

/** The database failed to complete a write (I/O, disk full, closed): nothing was stored. */
export class StorageWriteError extends Error {
  constructor(cause: unknown) {
    super('the graph database could not complete the write', { cause });
    this.name = 'StorageWriteError';
  }
}

interface Log {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** The caps of a configuration. */
export function limitsOf(config: Config): GraphLimits {
  return {
    maxNodes: config.maxInlineGraphNodes,
    maxEdges: config.maxGraphEdges,
    maxExpressionLength: config.maxExpressionLength,
    maxCustomGraphs: config.maxCustomGraphs,
    maxGraphVersions: config.maxGraphVersions,
  };
}

const INLINE_CACHE_SIZE = 32;
const VERSION_CACHE_SIZE = 16;

const info = (g: StoredGraph): CustomInfo => ({
  createdAt: g.createdAt,
  updatedAt: g.updatedAt,
  versions: g.versionCount,
});

/** A small LRU of compiled graphs keyed by content hash. */
class Lru {
  private readonly map = new Map<string, GraphEntry>();
  constructor(private readonly size: number) {}
  get(key: string): GraphEntry | undefined {
    const v = this.map.get(key);
    if (v) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  set(key: string, v: GraphEntry): void {
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

/** An engine error in a graph sent by a client as a 400 whose details point into the body at `prefix`. */
export function invalidGraphError(err: ScmError, prefix: string, what: string): DomainError {
  return new DomainError(
    err.code === 'GRAPH_CYCLE' ? 'GRAPH_CYCLE' : 'GRAPH_INVALID',
    `${what} is invalid: ${err.message}`,
    err.issues.map((i): ErrorDetail => ({
      path: [prefix, i.path].filter((s) => s !== '').join('.') || prefix,
      message: i.message,
      ...(i.node !== undefined ? { node: i.node } : {}),
    })),
  );
}

export class GraphStore {
  readonly bundled: ReadonlyMap<string, GraphEntry>;
  readonly limits: GraphLimits;
  private readonly custom = new Map<string, { entry: GraphEntry; info: CustomInfo }>();
  private readonly inline = new Lru(INLINE_CACHE_SIZE);
  private readonly oldVersions = new Lru(VERSION_CACHE_SIZE);
  private readonly db: GraphBackend;
  private readonly log: Log | undefined;
  /** The stamp the custom graphs in memory were read at; the error of the last failed refresh. */
  private stamp: string | null = null;
  private failure: Error | null = null;
  private readonly gate = new FreshnessGate(() => this.reload());

  /**
   * `limits`: the caps (a number is MAX_INLINE_GRAPH_NODES, the rest default); `db`: the custom graphs
   * (default: an empty in-memory database); an SQLite one is loaded now, a shared one by `refresh()`.
   */
  constructor(
    bundled: ReadonlyMap<string, GraphEntry>,
    limits: number | Partial<GraphLimits> = {},
    db: GraphDb | GraphBackend = GraphDb.memory(),
    log?: Log,
  ) {
    this.bundled = bundled;
    this.limits = {
      ...DEFAULT_LIMITS,
      ...(typeof limits === 'number' ? { maxNodes: limits } : limits),
    };
    this.log = log;
    if (db instanceof GraphDb) {
      this.db = new SqliteGraphBackend(db);
      const current = db.current();
      this.loadCustom(
        current.map((c) => c.graph),
        new Map(current.map((c) => [c.graph.id, c.head.definition])),
      );
    } else this.db = db;
  }

  /** Load every graph of `dir`; throws ScmError (naming the file and the node) on an invalid graph. */
  static fromDir(
    dir: string,
    limits: number | Partial<GraphLimits> = {},
    db?: GraphDb,
    log?: Log,
  ): GraphStore {
    return new GraphStore(loadGraphDir(dir), limits, db, log);
  }

  /**
   * The service's store: the bundled graphs of `config.graphsDir` (ScmError on an invalid one) and the
   * custom graphs of the database in `config.dataDir` (StorageError when it cannot be opened).
   */
  static open(config: Config, log?: Log): GraphStore {
    const bundled = loadGraphDir(config.graphsDir);
    return new GraphStore(bundled, limitsOf(config), GraphDb.open(config.dataDir), log);
  }

  /**
   * The service's store on the configured database: PostgreSQL with DATABASE_URL (connected, migrated
   * and loaded; StorageError when unreachable), else `open`'s SQLite in DATA_DIR.
   */
  static async connect(config: Config, log?: Log): Promise<GraphStore> {
    if (!config.databaseUrl) return GraphStore.open(config, log);
    const bundled = loadGraphDir(config.graphsDir);
    // pg loads only with DATABASE_URL (it adds to every start-up otherwise).
    const { PgGraphDb } = await import('../storage/pg-graph-db.js');
    const db = await PgGraphDb.connect(config.databaseUrl, {
      onError: (err) => log?.warn({ err: err.message }, 'an idle connection to the graph database failed'),
    });
    const store = new GraphStore(bundled, limitsOf(config), db, log);
    await store.refresh();
    if (store.failure) {
      await store.close();
      throw store.failure;
    }
    return store;
  }

  /** The store's database (a file path, `:memory:`, or the database URL without its password). */
  get databasePath(): string {
    return this.db.location;
  }

  /** True for a database shared by replicas (PostgreSQL), which `refresh()` re-reads; false for SQLite. */
  get shared(): boolean {
    return this.db.shared;
  }

  /** False while the shared database is unreachable (the last refresh failed). */
  get reachable(): boolean {
    return this.failure === null;
  }

  /** Resolves when the database answers; rejects with its error otherwise (readiness). */
  async ping(): Promise<void> {
    await this.db.ping();
  }

  /**
   * Make the custom graphs in memory current, for a shared database: one read of its stamp, and a
   * reload of what changed when it moved. Every caller gets a read that started after it called (calls
   * during a read share the next one). Never rejects: while the database is unreachable, custom graphs
   * answer 503 STORAGE_UNAVAILABLE (bundled ones still serve) until a refresh succeeds.
   */
  async refresh(): Promise<void> {
    if (this.db.shared) await this.gate.pass();
  }

  private async reload(): Promise<void> {
    try {
      if (this.stamp !== null && (await this.db.stamp()) === this.stamp) {
        this.failure = null;
        return;
      }
      const { stamp, graphs } = await this.db.heads();
      const known = (g: StoredGraph) => this.custom.get(g.id)?.entry.hash === g.currentHash;
      const needed = graphs.filter((g) => !known(g) && !this.bundled.has(g.id));
      const fetched = await this.db.definitions(needed.map((g) => ({ id: g.id, hash: g.currentHash })));
      this.loadCustom(graphs, new Map(fetched.map((v) => [v.id, v.definition])));
      this.stamp = stamp;
      this.failure = null;
    } catch (err) {
      if (!this.failure) this.log?.error({ err }, `the graph database ${this.db.location} is unreachable`);
      this.failure = err as Error;
    }
  }

  /** The 503 of a request that needs the custom graphs while the database is unreachable. */
  private checkAvailable(): void {
    if (this.failure) throw storageUnavailable();
  }

  /**
   * Replace the custom graphs in memory by `graphs`; `definitions` holds the JSON of the current version
   * of each graph not already compiled at that hash.
   */
  private loadCustom(graphs: StoredGraph[], definitions: ReadonlyMap<string, string>): void {
    const log = this.log;
    const previous = new Map(this.custom);
    this.custom.clear();
    for (const graph of graphs) {
      const head = { hash: graph.currentHash, definition: definitions.get(graph.id) };
      const kept = previous.get(graph.id);
      if (kept && kept.entry.hash === head.hash) {
        this.custom.set(graph.id, { entry: kept.entry, info: info(graph) });
        continue;
      }
      if (head.definition === undefined) continue; // deleted or replaced since: the next refresh sees it
      if (this.bundled.has(graph.id)) {
        log?.warn(
          { graph: graph.id },
          `custom graph "${graph.id}" is shadowed by a bundled graph with the same id; it is not served`,
        );
        continue;
      }
      try {
        const entry = makeEntry(JSON.parse(head.definition), `custom:${graph.id}`);
        if (entry.hash !== head.hash || entry.id !== graph.id) {
          throw new Error(`stored hash ${head.hash}, recomputed ${entry.hash} (id ${entry.id})`);
        }
        this.custom.set(graph.id, { entry, info: info(graph) });
      } catch (err) {
        log?.error(
          { graph: graph.id, hash: head.hash, err: (err as Error).message },
          `custom graph "${graph.id}" cannot be loaded from ${this.db.location}; it is not served`,
        );
      }
    }
  }

  /** Every graph served by id (bundled, then custom), sorted by id. */
  list(): GraphEntry[] {
    return this.listDetailed().map((g) => g.entry);
  }

  listDetailed(): ListedGraph[] {
    this.checkAvailable();
    const out: ListedGraph[] = [...this.bundled.values()].map((entry) => ({ entry, source: 'bundled' }));
    for (const { entry, info } of this.custom.values()) out.push({ entry, source: 'custom', custom: info });
    return out.sort((a, b) => a.entry.id.localeCompare(b.entry.id));
  }

  /** Every graph served by id (bundled and custom, current versions), as a map (a snapshot). */
  servedGraphs(): ReadonlyMap<string, GraphEntry> {
    if (!this.failure) return new Map(this.listDetailed().map((g) => [g.entry.id, g.entry]));
    // The database is unreachable: bundled graphs serve, any other id is a 503 (not a 404).
    const bundled = new Map(this.bundled);
    const get = bundled.get.bind(bundled);
    bundled.get = (id: string) => get(id) ?? storageUnavailable();
    return bundled;
  }

  /** A graph served by id (bundled or custom, current version), or undefined. */
  lookup(id: string): ListedGraph | undefined {
    const b = this.bundled.get(id);
    if (b) return { entry: b, source: 'bundled' };
    this.checkAvailable();
    const c = this.custom.get(id);
    return c ? { entry: c.entry, source: 'custom', custom: c.info } : undefined;
  }

  private unknown(id: string, path: string): DomainError {
    const known = this.list()
      .map((e) => e.id)
      .join(', ');
    const message = `no graph "${id}"; known graphs: ${known || '(none loaded)'}`;
    return new DomainError('UNKNOWN_GRAPH', message, [{ path, message }]);
  }

  /** A graph by id (bundled or custom), or UNKNOWN_GRAPH (404) naming the known ids. */
  get(id: string, path = 'graph'): GraphEntry {
    return this.getListed(id, path).entry;
  }

  getListed(id: string, path = 'graph'): ListedGraph {
    const found = this.lookup(id);
    if (!found) throw this.unknown(id, path);
    return found;
  }

  /** One version of a graph by its hash (bundled graphs have one), or UNKNOWN_GRAPH_VERSION (404). */
  async getVersion(
    id: string,
    hash: string,
    path = 'query.version',
  ): Promise<ListedGraph & { current: boolean }> {
    const found = this.getListed(id, 'params.id');
    if (found.entry.hash === hash) return { ...found, current: true };
    const stored = found.source === 'custom' ? await this.read(() => this.db.version(id, hash)) : undefined;
    if (!stored) {
      const message = `graph "${id}" has no version ${hash}; see GET /v1/graphs/${id}/versions`;
      throw new DomainError('UNKNOWN_GRAPH_VERSION', message, [{ path, message }]);
    }
    let entry = this.oldVersions.get(`${id}:${hash}`);
    if (!entry) {
      entry = makeEntry(JSON.parse(stored.definition), `custom:${id}`);
      this.oldVersions.set(`${id}:${hash}`, entry);
    }
    return { entry, source: 'custom', ...(found.custom ? { custom: found.custom } : {}), current: false };
  }

  /** The versions of a graph, newest first. */
  async versions(id: string): Promise<{ graph: ListedGraph; versions: GraphVersionInfo[] }> {
    const graph = this.getListed(id, 'params.id');
    if (graph.source === 'bundled') {
      const e = graph.entry;
      return { graph, versions: [{ hash: e.hash, version: e.version, createdAt: null, current: true }] };
    }
    const versions = (await this.read(() => this.db.versions(id))).map((v) => ({
      hash: v.hash,
      version: v.version,
      createdAt: v.createdAt,
      current: v.hash === graph.entry.hash,
    }));
    return { graph, versions };
  }

  /** Refuse a graph over the caps (GRAPH_TOO_LARGE, 400); `prefix` is where it sits in the body. */
  checkLimits(graph: GraphFile, prefix: string, what: string): void {
    const at = (p: string) => (prefix ? `${prefix}.${p}` : p);
    const { maxNodes, maxEdges, maxExpressionLength } = this.limits;
    const tooLarge = (message: string, path: string): never => {
      throw new DomainError('GRAPH_TOO_LARGE', message, [{ path, message }]);
    };
    if (graph.nodes.length > maxNodes)
      tooLarge(
        `${what} has ${graph.nodes.length} nodes; at most ${maxNodes} are allowed (MAX_INLINE_GRAPH_NODES)`,
        at('nodes'),
      );
    if (graph.edges.length > maxEdges)
      tooLarge(
        `${what} has ${graph.edges.length} edges; at most ${maxEdges} are allowed (MAX_GRAPH_EDGES)`,
        at('edges'),
      );
    graph.nodes.forEach((n, i) => {
      const m = n.mechanism;
      if (m.type === 'expression' && m.expression.length > maxExpressionLength)
        tooLarge(
          `${what}: the expression of node "${n.id}" has ${m.expression.length} characters; at most ${maxExpressionLength} are allowed (MAX_EXPRESSION_LENGTH)`,
          at(`nodes.${i}.mechanism.expression`),
        );
    });
  }

  /** Validate and compile a graph from a request (inline or upload); DomainError on any problem. */
  compile(graph: GraphFile, prefix: string, what: string): GraphEntry {
    this.checkLimits(graph, prefix, what);
    try {
      return makeEntry(graph, prefix === 'graph' ? 'inline' : 'upload');
    } catch (err) {
      if (err instanceof ScmError) throw invalidGraphError(err, prefix, what);
      throw err;
    }
  }

  /**
   * A graph id or an inline definition, limits checked; an inline graph larger than `compileNodes`
   * nodes and not yet compiled comes back uncompiled (`file` and `hash`), for a worker thread to compile.
   */
  prepare(
    graph: string | GraphFile,
    compileNodes: number,
  ): ResolvedGraph | { file: GraphFile; hash: string; source: 'inline' } {
    if (typeof graph === 'string' || graph.nodes.length <= compileNodes) return this.resolve(graph);
    this.checkLimits(graph, 'graph', 'the inline graph');
    const hash = contentHash(graph);
    const cached = this.inline.get(hash);
    return cached ? { entry: cached, source: 'inline' } : { file: graph, hash, source: 'inline' };
  }

  /** A graph id (bundled or custom) or an inline definition (already schema-validated), compiled. */
  resolve(graph: string | GraphFile): ResolvedGraph {
    if (typeof graph === 'string') {
      const found = this.getListed(graph);
      return { entry: found.entry, source: found.source };
    }
    this.checkLimits(graph, 'graph', 'the inline graph');
    const hash = contentHash(graph);
    const cached = this.inline.get(hash);
    if (cached) return { entry: cached, source: 'inline' };
    const entry = this.compile(graph, 'graph', 'the inline graph');
    this.inline.set(hash, entry);
    return { entry, source: 'inline' };
  }

  private readOnly(id: string): DomainError {
    const message = `graph "${id}" is bundled with the service (GRAPHS_DIR) and read-only; upload yours under another id`;
    return new DomainError('GRAPH_READ_ONLY', message, [{ path: 'id', message }]);
  }

  /**
   * Store a custom graph (validated and compiled first) and make it current: `mode` `create` refuses an
   * existing id, `update` a missing one. Returns once the write is durably committed.
   */
  async write(definition: GraphFile, mode: 'create' | 'update' | 'upsert'): Promise<WriteResult> {
    const id = definition.id;
    if (this.bundled.has(id)) throw this.readOnly(id);
    const entry = this.compile(definition, '', `graph "${id}"`);
    let result: Awaited<ReturnType<GraphBackend['put']>>;
    try {
      result = await this.db.put(
        { id, hash: entry.hash, version: entry.version, definition: JSON.stringify(entry.file) },
        { maxGraphs: this.limits.maxCustomGraphs, maxVersions: this.limits.maxGraphVersions },
        mode === 'create' ? false : mode === 'update' ? true : undefined,
      );
    } catch (err) {
      if (err instanceof GraphWriteConflict) throw conflict(id, err);
      throw new StorageWriteError(err);
    }
    const custom = info(result.graph);
    // The current version of the stored graph is the one just written (or restored).
    const current = this.custom.get(id);
    const compiled = current && current.entry.hash === entry.hash ? current.entry : entry;
    this.custom.set(id, { entry: compiled, info: custom });
    return { outcome: result.outcome, graph: { entry: compiled, source: 'custom', custom } };
  }

  /** Delete a custom graph and its versions; the number of versions deleted. */
  async delete(id: string): Promise<number> {
    if (this.bundled.has(id)) throw this.readOnly(id);
    let n: number;
    try {
      n = await this.db.delete(id);
    } catch (err) {
      throw new StorageWriteError(err);
    }
    if (n === 0) throw this.unknown(id, 'params.id');
    this.custom.delete(id);
    return n;
  }

  /** A read of the database; its failure is the 503 of an unreachable database. */
  private async read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (err) {
      this.log?.error({ err }, `reading the graph database ${this.db.location} failed`);
      throw storageUnavailable();
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** 503 STORAGE_UNAVAILABLE: the shared graph database cannot be reached (bundled graphs still serve). */
export function storageUnavailable(): never {
  throw new DomainError(
    'STORAGE_UNAVAILABLE',
    'the graph database (DATABASE_URL) cannot be reached, so custom graphs cannot be served now; bundled graphs still answer; retry later',
  );
}

function conflict(id: string, err: GraphWriteConflict): DomainError {
  switch (err.reason) {
    case 'exists': {
      const message = `a custom graph "${id}" exists already; PUT /v1/graphs/${id} adds a version`;
      return new DomainError('GRAPH_EXISTS', message, [{ path: 'id', message }]);
    }
    case 'missing': {
      const message = `no custom graph "${id}"; POST /v1/graphs creates it`;
      return new DomainError('UNKNOWN_GRAPH', message, [{ path: 'params.id', message }]);
    }
    case 'too-many-graphs': {
      const message = `the database holds ${err.limit} custom graph(s), the most MAX_CUSTOM_GRAPHS allows; delete one first`;
      return new DomainError('GRAPH_QUOTA_EXCEEDED', message, [{ path: 'id', message }]);
    }
    case 'too-many-versions': {
      const message = `graph "${id}" has ${err.limit} versions already (MAX_GRAPH_VERSIONS); delete it and upload it again, or raise the limit`;
      return new DomainError('GRAPH_QUOTA_EXCEEDED', message, [{ path: 'id', message }]);
    }
  }
}
