/**
 * A bounded map that forgets the least recently used entry first: the per-request caches of the
 * alignment pipeline (question detections, question heads, default presets) hold at most `capacity`
 * entries, whatever the callers send.
 */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`an LRU holds at least one entry, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** The value, marked most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) return undefined;
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  /** Store (as most recently used), forgetting the least recently used entry beyond the capacity. */
  set(key: K, value: V): V {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
    return value;
  }

  clear(): void {
    this.map.clear();
  }
}
