/**
 * ServedGraphsView: the graphs a store serves, looked up by id, say what `servedGraphs()` says — bundled
 * and custom graphs, the current version after an update, undefined for an unknown id, the same ids —
 * on a real store (SQLite in a scratch DATA_DIR); and a lookup that fails (an unreachable shared
 * database) fails the same way through the view.
 */
import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_CUSTOM_GRAPH, EXAMPLE_CUSTOM_GRAPH_V2 } from '../../schemas/api.js';
import type { GraphFile } from '../../schemas/graph.js';
import { ServedGraphsView } from '../../src/graphs/served-view.js';
import { GraphStore, storageUnavailable } from '../../src/graphs/store.js';
import { freshDataDir, testConfig } from '../http/helpers.js';

describe('ServedGraphsView', () => {
  it('gives what servedGraphs() gives, live', async () => {
    const dataDir = freshDataDir();
    mkdirSync(dataDir, { recursive: true });
    const store = GraphStore.open(testConfig({ DATA_DIR: dataDir }));
    try {
      const view = new ServedGraphsView(store);
      const custom = (EXAMPLE_CUSTOM_GRAPH as GraphFile).id;
      expect(view.get(custom)).toBeUndefined();
      await store.write(EXAMPLE_CUSTOM_GRAPH as GraphFile, 'create');
      const snapshot = store.servedGraphs();
      expect([...view.keys()]).toEqual([...snapshot.keys()]);
      expect(view.size).toBe(snapshot.size);
      expect(snapshot.size).toBeGreaterThan(1);
      for (const [id, entry] of snapshot) {
        expect(view.get(id)).toBe(entry);
        expect(view.has(id)).toBe(true);
      }
      expect([...view].map(([id]) => id)).toEqual([...snapshot.keys()]);
      const seen: string[] = [];
      view.forEach((entry, id) => seen.push(`${id}:${entry.hash}`));
      expect(seen).toEqual([...snapshot].map(([id, e]) => `${id}:${e.hash}`));
      expect(view.get('no-such-graph')).toBeUndefined();
      expect(view.has('no-such-graph')).toBe(false);
      // An update is served at once (the view holds no snapshot).
      const before = view.get(custom)!.hash;
      await store.write(EXAMPLE_CUSTOM_GRAPH_V2 as GraphFile, 'update');
      expect(view.get(custom)!.hash).not.toBe(before);
      expect(view.get(custom)).toBe(store.servedGraphs().get(custom));
    } finally {
      store.close();
    }
  });

  it('fails a lookup as the store does (STORAGE_UNAVAILABLE for a custom id)', () => {
    const view = new ServedGraphsView({
      lookup: () => storageUnavailable(),
      servedGraphs: () => new Map(),
    });
    expect(() => view.get('my-values')).toThrow(/cannot be reached/);
  });
});
