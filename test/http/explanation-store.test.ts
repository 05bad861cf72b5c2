/** The in-memory store behind GET /v1/explanations/{id}: bounded by count and by age. */
import { describe, expect, it } from 'vitest';
import { ExplanationStore } from '../../src/http/explanation-store.js';

describe('ExplanationStore', () => {
  it('keeps the newest entries up to its capacity and forgets entries older than the TTL', () => {
    let now = 0;
    const store = new ExplanationStore<number>(2, 1000, () => now);
    store.put('a', 1);
    store.put('b', 2);
    store.put('c', 3);
    expect(store.get('a')).toBeUndefined();
    expect([store.get('b'), store.get('c'), store.size]).toEqual([2, 3, 2]);
    now = 999;
    expect(store.get('b')).toBe(2);
    now = 1000;
    expect(store.get('b')).toBeUndefined();
    expect(store.size).toBe(1);
    store.put('c', 4); // a replacement refreshes its age
    now = 1999;
    expect(store.get('c')).toBe(4);
  });

  it('makes unguessable ids', () => {
    const ids = new Set(Array.from({ length: 100 }, () => ExplanationStore.newId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^expl_[0-9a-f]{24}$/);
  });
});
