/**
 * Batch jobs, durably: `batches.db`, an SQLite database next to the graph database in DATA_DIR (WAL,
 * `schema_migrations`, `quick_check` at open). Storing a batch is fsync'ed before the answer
 * (`synchronous = FULL`, what was accepted is kept); claims and results are not (`NORMAL`: safe against a
 * crash of the process, and a power cut can only send the last finished lines back to the queue, to run
 * again). Results are stored a group at a time (`completeMany`), so a busy queue neither waits on the
 * disk once per line nor holds the event loop for it.
 *
 * One row per batch and one per input line. A line is `queued` → `running` (claimed by one worker
 * process, in an IMMEDIATE transaction) → `done` (its result stored, in one transaction that checks
 * the line is still running and claimed by that worker: completing twice is a no-op). `cancelled`
 * lines were still queued when the batch was cancelled. At boot the service re-queues every `running`
 * line (its worker died with the previous process), so nothing is lost; output is keyed by line, so a
 * line re-run after a crash still appears exactly once.
 *
 * The embedded queue assumes one service process per DATA_DIR (as the graph store does).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from '../storage/graph-db.js';
import type { LineResult } from './execute.js';
import { Checkpointer } from './checkpointer.js';
import { checkQuota, inputBytes, type BatchQuota, type InFlight } from './quota.js';

export const BATCH_DB_FILE = 'batches.db';

export type BatchStatus = 'in_progress' | 'cancelling' | 'completed' | 'cancelled';

export interface BatchLineInput {
  custom_id: string;
  url: string;
  body: unknown;
}

export interface BatchRecord {
  id: string;
  object: 'batch';
  status: BatchStatus;
  created_at: number;
  in_progress_at: number | null;
  completed_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  request_counts: { total: number; completed: number; failed: number };
  metadata: Record<string, string> | null;
  output_url: string;
}

export interface ClaimedLine {
  batchId: string;
  line: number;
  customId: string;
  url: string;
  body: unknown;
}

export interface OutputLine {
  id: string;
  custom_id: string;
  response: LineResult | null;
  error: { code: string; message: string } | null;
}

const MIGRATIONS = [
  {
    version: 1,
    name: 'batches and their lines',
    sql: `
      CREATE TABLE batches (
        id             TEXT PRIMARY KEY,
        owner          TEXT NOT NULL,
        status         TEXT NOT NULL,
        total          INTEGER NOT NULL,
        metadata       TEXT,
        created_at     INTEGER NOT NULL,
        in_progress_at INTEGER,
        completed_at   INTEGER,
        cancelling_at  INTEGER,
        cancelled_at   INTEGER
      ) STRICT;
      CREATE INDEX batches_owner ON batches (owner, created_at);
      CREATE TABLE batch_lines (
        batch_id    TEXT NOT NULL REFERENCES batches(id) ON DELETE CASCADE,
        line        INTEGER NOT NULL,
        custom_id   TEXT NOT NULL,
        url         TEXT NOT NULL,
        body        TEXT NOT NULL,
        state       TEXT NOT NULL,
        claimed_by  TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        status_code INTEGER,
        result      TEXT,
        finished_at INTEGER,
        PRIMARY KEY (batch_id, line),
        UNIQUE (batch_id, custom_id)
      ) STRICT;
      CREATE INDEX batch_lines_state ON batch_lines (state);
    `,
  },
  {
    // Completing a line checked the batch's open lines by reading every row of the batch (results
    // included), and a status read summed every finished line: both grew with the finished lines.
    version: 2,
    name: 'open lines by batch; counts kept on the batch row',
    sql: `
      CREATE INDEX batch_lines_batch_state ON batch_lines (batch_id, state);
      ALTER TABLE batches ADD COLUMN ok INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE batches ADD COLUMN failed INTEGER NOT NULL DEFAULT 0;
      UPDATE batches SET
        ok = (SELECT COUNT(*) FROM batch_lines l
              WHERE l.batch_id = batches.id AND l.state = 'done' AND l.status_code < 400),
        failed = (SELECT COUNT(*) FROM batch_lines l
                  WHERE l.batch_id = batches.id AND l.state = 'done' AND l.status_code >= 400);
    `,
  },
  {
    // The per-key quota counts the bytes of unfinished batches; retention finds finished ones by time.
    version: 3,
    name: 'input bytes per batch; finished batches by time',
    sql: `
      ALTER TABLE batches ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0;
      UPDATE batches SET bytes = (SELECT COALESCE(SUM(LENGTH(CAST(body AS BLOB))), 0) FROM batch_lines l
                                  WHERE l.batch_id = batches.id);
      CREATE INDEX batches_status ON batches (status, owner);
    `,
  },
];

const nowS = () => Math.floor(Date.now() / 1000);

/** Lines deleted per transaction when a batch expires (a few milliseconds each). */
const DELETE_CHUNK_LINES = 500;

/** Output lines read and sent at a time (results are up to tens of kilobytes each). */
const OUTPUT_PAGE_LINES = 64;

/** `batch_` + 24 random hex digits. */
export function newBatchId(): string {
  return `batch_${randomBytes(12).toString('hex')}`;
}

interface BatchRow {
  id: string;
  owner: string;
  status: BatchStatus;
  total: number;
  metadata: string | null;
  created_at: number;
  in_progress_at: number | null;
  completed_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
  ok: number;
  failed: number;
}

export class BatchDb {
  readonly path: string;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(path: string) {
    this.path = path;
    try {
      this.db = new Database(path);
    } catch (err) {
      throw new StorageError(`cannot open the database ${path}: ${(err as Error).message}`);
    }
    try {
      // Pages freed by expired batches go back to the file system (incremental_vacuum after a sweep).
      // This takes effect on a new database only, and must come before WAL writes the file's header
      // (an older file keeps reusing its free pages instead).
      this.db.pragma('auto_vacuum = INCREMENTAL');
      if (path !== ':memory:') {
        const mode = this.db.pragma('journal_mode = WAL', { simple: true });
        if (mode !== 'wal') throw new StorageError(`${path}: cannot switch to WAL (journal_mode ${mode})`);
      }
      this.db.pragma('synchronous = NORMAL');
      this.db.pragma('foreign_keys = ON');
      this.db.pragma('busy_timeout = 5000');
      const check = this.db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StorageError(`${path} is corrupt (PRAGMA quick_check: ${String(check)})`);
      this.migrate();
    } catch (err) {
      this.db.close();
      throw err instanceof StorageError ? err : new StorageError(`${path}: ${(err as Error).message}`);
    }
  }

  static open(dir: string): BatchDb {
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } catch (err) {
      throw new StorageError(`cannot create the data folder ${dir}: ${(err as Error).message}`);
    }
    return new BatchDb(join(dir, BATCH_DB_FILE));
  }

  private migrate(): void {
    const db = this.db;
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
    const applied = new Set(
      (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
        (r) => r.version,
      ),
    );
    const unknown = [...applied].filter((v) => !MIGRATIONS.some((m) => m.version === v));
    if (unknown.length > 0) {
      throw new StorageError(
        `${this.path} was written by a newer pluralign (schema migration ${Math.max(...unknown)} is unknown here)`,
      );
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      db.transaction(() => {
        db.exec(m.sql);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          m.version,
          m.name,
          new Date().toISOString(),
        );
      }).immediate();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Hand WAL checkpoints to a worker thread (checkpointer.ts) and turn the automatic ones off on this
   * connection; `stop` hands them back. Only for a file database.
   */
  checkpointInBackground(onError: (message: string) => void): { stop(): Promise<void> } | null {
    if (this.path === ':memory:') return null;
    const checkpointer = new Checkpointer(this.path, onError);
    this.db.pragma('wal_autocheckpoint = 0');
    return {
      stop: async () => {
        await checkpointer.stop();
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      },
    };
  }

  /** A prepared statement, prepared once per SQL text (preparing was a tenth of a batch line's time). */
  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  /**
   * Store a batch and all its lines (queued) in one transaction; with a quota, only if the owner's
   * unfinished work stays within it (else BatchQuotaError, nothing stored).
   */
  create(
    owner: string,
    lines: readonly BatchLineInput[],
    metadata: Record<string, string> | null,
    quota: BatchQuota = { lines: 0, bytes: 0 },
  ): string {
    const id = newBatchId();
    const t = nowS();
    // Acknowledged input is fsync'ed before the answer (this commit also flushes earlier NORMAL ones).
    this.db.pragma('synchronous = FULL');
    try {
      this.insertBatch(id, t, owner, lines, metadata, quota);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
    return id;
  }

  private insertBatch(
    id: string,
    t: number,
    owner: string,
    lines: readonly BatchLineInput[],
    metadata: Record<string, string> | null,
    quota: BatchQuota,
  ): void {
    const insertLine = this.stmt(
      `INSERT INTO batch_lines (batch_id, line, custom_id, url, body, state) VALUES (?, ?, ?, ?, ?, 'queued')`,
    );
    const bodies = lines.map((l) => JSON.stringify(l.body ?? null));
    const bytes = inputBytes(bodies);
    this.db
      .transaction(() => {
        if (quota.lines > 0 || quota.bytes > 0) checkQuota(quota, this.inFlight(owner), lines.length, bytes);
        this.stmt(
          `INSERT INTO batches (id, owner, status, total, metadata, created_at, in_progress_at, bytes)
             VALUES (?, ?, 'in_progress', ?, ?, ?, ?, ?)`,
        ).run(id, owner, lines.length, metadata ? JSON.stringify(metadata) : null, t, t, bytes);
        lines.forEach((l, i) => insertLine.run(id, i + 1, l.custom_id, l.url, bodies[i]));
      })
      .immediate();
  }

  /** The owner's unfinished work: lines queued or running, and the input bytes of unfinished batches. */
  inFlight(owner: string): InFlight {
    const open = `SELECT id FROM batches WHERE owner = ? AND status IN ('in_progress', 'cancelling')`;
    const lines = this.stmt(
      `SELECT COUNT(*) AS n FROM batch_lines WHERE batch_id IN (${open}) AND state IN ('queued', 'running')`,
    ).get(owner) as { n: number };
    const bytes = this.stmt(
      `SELECT COALESCE(SUM(bytes), 0) AS b FROM batches WHERE owner = ? AND status IN ('in_progress', 'cancelling')`,
    ).get(owner) as { b: number };
    return { lines: lines.n, bytes: bytes.b };
  }

  /** Ids of the batches that finished (completed or cancelled) at or before `before` (Unix seconds). */
  finishedBefore(before: number): string[] {
    const rows = this.stmt(
      `SELECT id FROM batches WHERE (status = 'completed' AND completed_at <= ?)
           OR (status = 'cancelled' AND cancelled_at <= ?)`,
    ).all(before, before) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  /**
   * Delete up to DELETE_CHUNK_LINES lines of a batch, and the batch itself once it has none left (one
   * short transaction); true when the batch is gone.
   */
  deleteChunk(id: string): boolean {
    return this.db
      .transaction(() => {
        const r = this.stmt(
          `DELETE FROM batch_lines WHERE rowid IN (SELECT rowid FROM batch_lines WHERE batch_id = ? LIMIT ?)`,
        ).run(id, DELETE_CHUNK_LINES);
        if (r.changes > 0) return false;
        this.stmt('DELETE FROM batches WHERE id = ?').run(id);
        return true;
      })
      .immediate();
  }

  /** Return up to `pages` free pages to the file system and truncate the WAL (after a sweep). */
  compact(pages: number): void {
    this.db.pragma(`incremental_vacuum(${Math.max(0, Math.floor(pages))})`);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Free pages in the file (what `compact` can return). */
  freePages(): number {
    return this.db.pragma('freelist_count', { simple: true }) as number;
  }

  private record(row: BatchRow): BatchRecord {
    return {
      id: row.id,
      object: 'batch',
      status: row.status,
      created_at: row.created_at,
      in_progress_at: row.in_progress_at,
      completed_at: row.completed_at,
      cancelling_at: row.cancelling_at,
      cancelled_at: row.cancelled_at,
      request_counts: { total: row.total, completed: row.ok, failed: row.failed },
      metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, string>) : null,
      output_url: `/v1/batches/${row.id}/output`,
    };
  }

  /** The batch if it exists and belongs to `owner`. */
  get(owner: string, id: string): BatchRecord | null {
    const row = this.stmt('SELECT * FROM batches WHERE id = ? AND owner = ?').get(id, owner) as
      BatchRow | undefined;
    return row ? this.record(row) : null;
  }

  /** The owner's batches, newest first. */
  list(owner: string, limit: number, after?: string): BatchRecord[] {
    const rows = (
      after
        ? this.stmt(
            `SELECT * FROM batches WHERE owner = ? AND rowid < (SELECT rowid FROM batches WHERE id = ?)
               ORDER BY rowid DESC LIMIT ?`,
          ).all(owner, after, limit)
        : this.stmt('SELECT * FROM batches WHERE owner = ? ORDER BY rowid DESC LIMIT ?').all(owner, limit)
    ) as BatchRow[];
    return rows.map((r) => this.record(r));
  }

  /**
   * The finished lines of a batch after line `after`, in input order, at most `limit`, as JSONL
   * (cancelled lines carry a BATCH_CANCELLED error), and the last line number read (null when there
   * are no more). A stored result is copied into its line as stored (it is JSON already).
   */
  outputPage(id: string, after: number, limit: number): { jsonl: string; last: number | null } {
    const rows = this.stmt(
      `SELECT line, custom_id, state, status_code, result FROM batch_lines
         WHERE batch_id = ? AND line > ? AND state IN ('done', 'cancelled') ORDER BY line LIMIT ?`,
    ).all(id, after, limit) as Array<{
      line: number;
      custom_id: string;
      state: string;
      status_code: number | null;
      result: string | null;
    }>;
    let jsonl = '';
    for (const r of rows) {
      const head = `{"id":${JSON.stringify(`${id}_${r.line}`)},"custom_id":${JSON.stringify(r.custom_id)}`;
      if (r.state === 'cancelled') {
        const error = { code: 'BATCH_CANCELLED', message: 'the batch was cancelled before this line ran' };
        jsonl += `${head},"response":null,"error":${JSON.stringify(error)}}\n`;
        continue;
      }
      const status = r.status_code!;
      let error: { code: string; message: string } | null = null;
      if (status >= 400) {
        const e = (JSON.parse(r.result!) as { error?: { code: string; message: string } }).error;
        if (e) error = { code: e.code, message: e.message };
      }
      jsonl += `${head},"response":{"status_code":${status},"body":${r.result!}},"error":${JSON.stringify(error)}}\n`;
    }
    return { jsonl, last: rows.length === limit ? rows.at(-1)!.line : null };
  }

  /** Every finished line of a batch, in input order, as JSONL chunks of at most `pageSize` lines. */
  async *outputPages(id: string, pageSize = OUTPUT_PAGE_LINES): AsyncGenerator<string> {
    let after = 0;
    for (;;) {
      const page = this.outputPage(id, after, pageSize);
      if (page.jsonl !== '') yield page.jsonl;
      if (page.last === null) return;
      after = page.last;
    }
  }

  /** Cancel: queued lines are dropped; the batch is `cancelled` once no line is running. */
  cancel(owner: string, id: string): BatchRecord | null {
    const t = nowS();
    this.db
      .transaction(() => {
        const row = this.stmt('SELECT status FROM batches WHERE id = ? AND owner = ?').get(id, owner) as
          { status: BatchStatus } | undefined;
        if (!row || row.status !== 'in_progress') return;
        this.stmt(
          `UPDATE batch_lines SET state = 'cancelled', finished_at = ? WHERE batch_id = ? AND state = 'queued'`,
        ).run(t, id);
        this.stmt(`UPDATE batches SET status = 'cancelling', cancelling_at = ? WHERE id = ?`).run(t, id);
        this.settle(id);
      })
      .immediate();
    return this.get(owner, id);
  }

  /** Lines `worker` claimed but did not start, of a cancelled batch: stored as cancelled. */
  cancelClaimed(worker: string, batchId: string, lines: readonly number[]): void {
    const mark = this.stmt(
      `UPDATE batch_lines SET state = 'cancelled', claimed_by = NULL, finished_at = ?
       WHERE batch_id = ? AND line = ? AND state = 'running' AND claimed_by = ?`,
    );
    this.db
      .transaction(() => {
        const t = nowS();
        for (const line of lines) mark.run(t, batchId, line, worker);
        this.settle(batchId);
      })
      .immediate();
  }

  /** Lines of dead workers back to the queue (at boot, or for a worker id known to be gone). */
  requeue(worker?: string): number {
    const r = worker
      ? this.stmt(
          `UPDATE batch_lines SET state = 'queued', claimed_by = NULL WHERE state = 'running' AND claimed_by = ?`,
        ).run(worker)
      : this.stmt(`UPDATE batch_lines SET state = 'queued', claimed_by = NULL WHERE state = 'running'`).run();
    return r.changes;
  }

  /** Claim up to `n` queued lines for `worker`, oldest batch first. */
  claim(worker: string, n: number): ClaimedLine[] {
    return this.db
      .transaction(() => {
        const rows = this.stmt(
          `SELECT batch_id, line, custom_id, url, body FROM batch_lines WHERE state = 'queued'
             ORDER BY rowid LIMIT ?`,
        ).all(n) as Array<{ batch_id: string; line: number; custom_id: string; url: string; body: string }>;
        const mark = this.stmt(
          `UPDATE batch_lines SET state = 'running', claimed_by = ?, attempts = attempts + 1
           WHERE batch_id = ? AND line = ? AND state = 'queued'`,
        );
        for (const r of rows) mark.run(worker, r.batch_id, r.line);
        return rows.map((r) => ({
          batchId: r.batch_id,
          line: r.line,
          customId: r.custom_id,
          url: r.url,
          body: JSON.parse(r.body) as unknown,
        }));
      })
      .immediate();
  }

  /** Store a line's result (once: only while it is running and claimed by `worker`). */
  complete(worker: string, batchId: string, line: number, result: LineResult): boolean {
    return this.completeMany(worker, [{ batchId, line, result }]) === 1;
  }

  /** Store finished lines in one transaction (each once, as `complete`); the number stored. */
  completeMany(
    worker: string,
    done: ReadonlyArray<{ batchId: string; line: number; result: LineResult; bodyJson?: string }>,
  ): number {
    if (done.length === 0) return 0;
    const mark = this.stmt(
      `UPDATE batch_lines SET state = 'done', status_code = ?, result = ?, finished_at = ?, claimed_by = NULL
       WHERE batch_id = ? AND line = ? AND state = 'running' AND claimed_by = ?`,
    );
    const count = this.stmt('UPDATE batches SET ok = ok + ?, failed = failed + ? WHERE id = ?');
    return this.db
      .transaction(() => {
        const t = nowS();
        const touched = new Set<string>();
        let stored = 0;
        for (const { batchId, line, result, bodyJson } of done) {
          const body = bodyJson ?? JSON.stringify(result.body);
          const r = mark.run(result.status_code, body, t, batchId, line, worker);
          if (r.changes !== 1) continue;
          const failed = result.status_code >= 400 ? 1 : 0;
          count.run(1 - failed, failed, batchId);
          touched.add(batchId);
          stored++;
        }
        for (const id of touched) this.settle(id);
        return stored;
      })
      .immediate();
  }

  /** Move a batch to its final status once no line is queued or running. */
  private settle(id: string): void {
    const open = this.stmt(
      // EXISTS stops at the first open line (a COUNT read every queued line of a 50,000-line batch).
      `SELECT EXISTS (SELECT 1 FROM batch_lines WHERE batch_id = ? AND state IN ('queued', 'running')) AS n`,
    ).get(id) as { n: number };
    if (open.n > 0) return;
    const t = nowS();
    this.stmt(
      `UPDATE batches SET status = CASE status WHEN 'cancelling' THEN 'cancelled' ELSE 'completed' END,
           completed_at = CASE status WHEN 'cancelling' THEN NULL ELSE ? END,
           cancelled_at = CASE status WHEN 'cancelling' THEN ? ELSE NULL END
         WHERE id = ? AND status IN ('in_progress', 'cancelling')`,
    ).run(t, t, id);
  }
}
