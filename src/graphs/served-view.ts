/**
 * A store's served graphs as a live read-only map, for a request that needs one graph (an alignment):
 * `get` and `has` look the id up (`GraphStore.lookup`: the current version, bundled first; while a
 * shared database is unreachable a custom id is STORAGE_UNAVAILABLE, as `servedGraphs().get` says)
 * without building the snapshot of every graph — a sorted list and a map — that `servedGraphs()` makes
 * on each call; everything else (the ids, for an unknown graph's message) reads that snapshot.
 */
import type { GraphEntry } from './registry.js';
import type { GraphStore } from './store.js';

export class ServedGraphsView implements ReadonlyMap<string, GraphEntry> {
  constructor(private readonly store: Pick<GraphStore, 'lookup' | 'servedGraphs'>) {}

  get(id: string): GraphEntry | undefined {
    return this.store.lookup(id)?.entry;
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  get size(): number {
    return this.store.servedGraphs().size;
  }

  forEach(
    callback: (value: GraphEntry, key: string, map: ReadonlyMap<string, GraphEntry>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this) callback.call(thisArg, value, key, this);
  }

  entries(): MapIterator<[string, GraphEntry]> {
    return this.store.servedGraphs().entries();
  }

  keys(): MapIterator<string> {
    return this.store.servedGraphs().keys();
  }

  values(): MapIterator<GraphEntry> {
    return this.store.servedGraphs().values();
  }

  [Symbol.iterator](): MapIterator<[string, GraphEntry]> {
    return this.entries();
  }
}
