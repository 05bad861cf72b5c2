/**
 * Durability: the real server process (src/server.ts) receives graph uploads and new versions from
 * several concurrent clients and is killed with SIGKILL in the middle of them, three times; after each
 * kill and at the end it restarts on the same DATA_DIR. Every write it acknowledged (2xx) must be there,
 * byte for byte (same hash, same definition), and the SQLite file must be sound (`PRAGMA
 * integrity_check`, foreign keys, every stored definition re-hashing to its hash).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { GraphFile } from '../../schemas/graph.js';
import { contentHash } from '../../src/graphs/registry.js';
import { DB_FILE } from '../../src/storage/graph-db.js';
import { killAll, startServer as startServerProcess, waitForExit } from '../fixtures/server-process.js';
import { bearer, KEYS } from './keys.js';

const ROUNDS = 3;
const CLIENTS = 6;
/** Kill once this many writes of the round are acknowledged (others are in flight then). */
const ACKS_BEFORE_KILL = 25;

const dataDir = mkdtempSync(join(tmpdir(), 'pluralign-crash-'));
afterAll(() => {
  killAll();
  rmSync(dataDir, { recursive: true, force: true });
});

const startServer = () =>
  startServerProcess({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    API_KEYS: JSON.stringify([{ name: 'admin', key: KEYS.all, scopes: ['read', 'admin'] }]),
    RATE_LIMIT_PER_KEY: '0',
    MAX_CUSTOM_GRAPHS: '100000',
  });

/** A valid graph of `concepts` extra concept nodes (so writes have different sizes), deterministic. */
function makeGraph(id: string, version: string, seed: number, concepts: number): GraphFile {
  const coef = ((seed % 97) + 1) / 100;
  const nodes: GraphFile['nodes'] = [
    { id: 'h', kind: 'latent', label: 'H', mechanism: { type: 'root', mean: 0, sd: 1 } },
    {
      id: 'v',
      kind: 'value',
      label: 'V',
      mechanism: { type: 'linear', intercept: 0, coefficients: { h: coef }, noiseSd: 0.5 },
    },
  ];
  const edges: GraphFile['edges'] = [['h', 'v']];
  for (let i = 0; i < concepts; i++) {
    nodes.push({
      id: `c${i}`,
      kind: 'concept',
      label: `concept ${i} of ${id}`,
      mechanism: { type: 'linear', intercept: i / 10, coefficients: { v: coef + i / 1000 }, noiseSd: 1 },
    });
    edges.push(['v', `c${i}`]);
  }
  return { id, version, title: `crash test ${id} v${version}`, nodes, edges };
}

interface Write {
  id: string;
  hash: string;
  definition: GraphFile;
}

const acknowledged: Write[] = [];
/** Every write attempted (acknowledged or not): what the current version of a graph may be. */
const attempted = new Map<string, Set<string>>();

/** Writes from CLIENTS concurrent clients until `stop()`; `state.pending` counts the requests in flight. */
async function hammer(
  url: string,
  round: number,
  state: { pending: number },
  onAck: () => void,
  stop: () => boolean,
): Promise<void> {
  const rng = fc.sample(fc.integer({ min: 0, max: 1_000_000 }), { seed: 1000 + round, numRuns: 10_000 });
  const worker = async (w: number) => {
    const mine: string[] = [];
    for (let i = 0; !stop(); i++) {
      const r = rng[(w * 1000 + i) % rng.length]!;
      // Two writes in three create a graph; the others add a version to one of this client's graphs.
      const update = mine.length > 0 && r % 3 === 0;
      const id = update ? mine[r % mine.length]! : `g-${round}-${w}-${i}`;
      const definition = makeGraph(id, String(i + 1), r, 3 + (r % 120));
      const hash = contentHash(definition);
      if (!attempted.has(id)) attempted.set(id, new Set());
      attempted.get(id)!.add(hash);
      let res: Response;
      state.pending++;
      try {
        res = await fetch(update ? `${url}/v1/graphs/${id}` : `${url}/v1/graphs`, {
          method: update ? 'PUT' : 'POST',
          headers: { ...bearer(KEYS.all), 'content-type': 'application/json' },
          body: JSON.stringify(definition),
        });
        await res.arrayBuffer();
      } catch {
        return; // the server is gone: this write is not acknowledged
      } finally {
        state.pending--;
      }
      if (res.status === 200 || res.status === 201) {
        acknowledged.push({ id, hash, definition });
        if (!update) mine.push(id);
        onAck();
      } else {
        throw new Error(`unexpected ${res.status} for ${id}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, (_, w) => worker(w)));
}

function checkFile(): void {
  const db = new Database(join(dataDir, DB_FILE));
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const rows = db.prepare('SELECT id, hash, definition FROM graph_versions').all() as Array<{
      id: string;
      hash: string;
      definition: string;
    }>;
    for (const r of rows) expect(contentHash(JSON.parse(r.definition) as GraphFile), r.id).toBe(r.hash);
    const orphans = db
      .prepare(
        'SELECT g.id FROM graphs g LEFT JOIN graph_versions v ON v.id = g.id AND v.hash = g.current_hash WHERE v.hash IS NULL',
      )
      .all();
    expect(orphans).toEqual([]);
  } finally {
    db.close();
  }
}

describe('SIGKILL during concurrent uploads', () => {
  it('every acknowledged write survives, and the database is sound', async () => {
    let inFlightAtKill = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const { child, url } = await startServer();
      let acks = 0;
      let killed = false;
      const state = { pending: 0 };
      const kill = () => {
        if (killed) return;
        killed = true;
        inFlightAtKill += state.pending; // writes sent, not answered: the kill lands among them
        child.kill('SIGKILL');
      };
      await hammer(
        url,
        round,
        state,
        () => {
          acks++;
          if (acks >= ACKS_BEFORE_KILL) kill();
        },
        () => killed,
      );
      await waitForExit(child);
      expect(child.signalCode).toBe('SIGKILL');
      checkFile();
    }
    if (process.env.CRASH_REPORT) console.log({ acknowledged: acknowledged.length, inFlightAtKill });
    expect(acknowledged.length).toBeGreaterThanOrEqual(ROUNDS * ACKS_BEFORE_KILL);
    expect(inFlightAtKill).toBeGreaterThan(0);

    // Restart once more and read everything back through the API.
    const { child, url } = await startServer();
    try {
      const get = async (path: string) => {
        const res = await fetch(`${url}${path}`, { headers: bearer(KEYS.all) });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const list = (await get('/v1/graphs')).body.graphs as Array<{ id: string; hash: string }>;
      const served = new Map(list.map((g) => [g.id, g.hash]));
      for (const w of acknowledged) {
        const r = await get(`/v1/graphs/${w.id}?version=${w.hash}`);
        expect(r.status, `${w.id}@${w.hash}`).toBe(200);
        expect(r.body.hash).toBe(w.hash);
        expect(r.body.definition).toEqual(w.definition);
        // The current version is one that was written (acknowledged, or in flight at the kill).
        expect(attempted.get(w.id)!.has(served.get(w.id)!)).toBe(true);
      }
      // Nothing is served that nobody wrote.
      for (const [id, hash] of served) {
        if (attempted.has(id)) expect(attempted.get(id)!.has(hash)).toBe(true);
      }
    } finally {
      child.kill('SIGTERM');
      expect(await waitForExit(child)).toBe(0);
    }
    checkFile();
  }, 90_000);
});
