/** The engine's bounded caches (observed sets, do() sets): two generations, never more than the limit. */
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../../src/scm/bounded-cache.js';

describe('BoundedCache', () => {
  it('keeps at most the limit, always the most recent half, and finds entries of both generations', () => {
    const cache = new BoundedCache<number>(8);
    for (let i = 0; i < 100; i++) {
      expect(cache.set(`k${i}`, i)).toBe(i);
      expect(cache.size).toBeLessThanOrEqual(8);
      // The last four stored are always there.
      for (let j = Math.max(0, i - 3); j <= i; j++) expect(cache.get(`k${j}`)).toBe(j);
    }
    // 100 inserts: the young generation holds k96..k99, the old one k92..k95; k91 is gone.
    expect(cache.get('k92')).toBe(92);
    expect(cache.get('k91')).toBeUndefined();
    expect(cache.size).toBe(8);
  });

  it('a key stored again is found with its newest value; clear() empties both generations', () => {
    const cache = new BoundedCache<string>(4);
    cache.set('a', 'first');
    cache.set('b', 'b');
    cache.set('a', 'second'); // young is full: 'a' (first) and 'b' move to the old generation
    expect(cache.get('a')).toBe('second');
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.get('a')).toBeUndefined();
  });
});
