/**
 * A bounded string-keyed cache in two generations: new entries go to the young map; when it holds
 * half the limit it becomes the old one (the previous old one is dropped) and a new young map starts.
 * At most `limit` entries are kept, the most recent half always.
 *
 * Evicting one entry per insert (`delete` of the oldest key of one long-lived Map) made a cache that
 * never hits (a new observed set every query) keep garbage alive: the Map is in old space, and the
 * tables it discards on rehash keep pointing at their successors, so everything its entries reached
 * survived every scavenge until the next full collection (~10 µs per query on ~30 nodes). Dropping a
 * whole map at a time leaves nothing behind.
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    return this.young.get(key) ?? this.old.get(key);
  }

  /** Store `value` under `key` and return it. */
  set(key: string, value: V): V {
    if (this.young.size >= this.limit / 2) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
    return value;
  }

  clear(): void {
    this.young = new Map();
    this.old = new Map();
  }

  /** Entries kept (a key stored in both generations counts twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}
