/** Lru: a bounded map that forgets the least recently used entry first. */
import { describe, expect, it } from 'vitest';
import { Lru } from '../../src/pipeline/lru.js';

describe('Lru', () => {
  it('never holds more than its capacity, forgetting the least recently used', () => {
    const lru = new Lru<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c'].entries()) lru.set(k, i);
    expect(lru.get('a')).toBe(0); // a is now the most recent: b is the oldest
    lru.set('d', 3);
    expect(lru.size).toBe(3);
    expect(lru.has('b')).toBe(false);
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual([0, 2, 3]);
    for (let i = 0; i < 100; i++) lru.set(`k${i}`, i);
    expect(lru.size).toBe(3);
    expect(lru.get('k99')).toBe(99);
    expect(lru.get('a')).toBeUndefined();
  });

  it('set returns the value and replaces an existing key without growing', () => {
    const lru = new Lru<string, number>(2);
    expect(lru.set('a', 1)).toBe(1);
    lru.set('a', 2);
    expect(lru.size).toBe(1);
    expect(lru.get('a')).toBe(2);
  });

  it('refuses a capacity below one', () => {
    expect(() => new Lru(0)).toThrow(RangeError);
  });
});
