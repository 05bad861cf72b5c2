/**
 * cachedProfile: the same numbers give the same (frozen, shared) profile, equal to a fresh
 * computeProfile; other numbers, another graph version or own explain options give their own.
 */
import { describe, expect, it } from 'vitest';
import { loadGraphDir, makeEntry } from '../../src/graphs/registry.js';
import { cachedProfile, computeProfile, PROFILE_CACHE_SIZE } from '../../src/pipeline/profile.js';

const entry = loadGraphDir().get('schwartz-10')!;
const factual = { benevolence: 0.4, power: -0.6, security: 0.2, stimulation: -0.1 };
const target = { benevolence: 1.2, security: 0.6, stimulation: -1.2 };

describe('cachedProfile', () => {
  it('returns one frozen profile for the same numbers, equal to computeProfile', () => {
    const a = cachedProfile(entry, { factual, target });
    const reordered = { stimulation: -1.2, security: 0.6, benevolence: 1.2 };
    const b = cachedProfile(entry, { factual: { ...factual }, target: reordered });
    expect(b).toBe(a);
    expect(JSON.parse(JSON.stringify(a))).toEqual(
      JSON.parse(JSON.stringify(computeProfile(entry, { factual, target }))),
    );
    expect(Object.isFrozen(a.values)).toBe(true);
    expect(Object.isFrozen(a.values[0])).toBe(true);
    expect(() => {
      (a.values as unknown[]).push(1);
    }).toThrow(TypeError);
  });

  it('keys on every input: target, factual, action, lambda; own explain options bypass it', () => {
    const base = cachedProfile(entry, { factual, target });
    expect(cachedProfile(entry, { factual, target: { ...target, benevolence: 1.1 } })).not.toBe(base);
    expect(cachedProfile(entry, { factual: { ...factual, power: 0 }, target })).not.toBe(base);
    const doAction = cachedProfile(entry, { factual, target, action: 'do' });
    expect(doAction).not.toBe(base);
    expect(doAction.action).toBe('do');
    expect(cachedProfile(entry, { factual, target, lambda: 2 })).not.toBe(base);
    const own = cachedProfile(entry, { factual, target, explain: { maxPaths: 1 } });
    expect(own).not.toBe(base);
    expect(Object.isFrozen(own)).toBe(false);
  });

  it('a new graph entry (a new version) computes its own; the least recently used profile goes first', () => {
    const copy = makeEntry(entry.file, 'bundled');
    const base = cachedProfile(entry, { factual, target });
    expect(cachedProfile(copy, { factual, target })).not.toBe(base);
    const lru = makeEntry(entry.file, 'bundled');
    const at = (x: number) => cachedProfile(lru, { factual, target: { benevolence: x } });
    const kept = at(-1);
    const oldest = at(0);
    for (let i = 1; i < PROFILE_CACHE_SIZE - 1; i++) at(i / PROFILE_CACHE_SIZE); // the cache is full now
    expect(at(-1)).toBe(kept); // a hit: now the most recently used
    at(2); // one more: the least recently used (`oldest`) goes
    expect(at(-1)).toBe(kept);
    expect(at(0)).not.toBe(oldest);
  });
});
