/**
 * centered(): a request's profile as centered scores, remembered by its JSON per value system (at most
 * CENTERED_CACHE_SIZE): the same numbers as toCentered the first time and later, frozen, and a bad
 * profile still refused with the request field named every time.
 */
import { describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { CENTERED_CACHE_SIZE, centered } from '../../src/pipeline/align.js';
import { ProfileError, toCentered, type Profile } from '../../src/values/index.js';

const system = loadGraphDir().get('schwartz-10')!.system;
const target: Profile = { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } };

describe('centered', () => {
  it('gives toCentered’s numbers, first and later, as one frozen record', () => {
    const first = centered(target, system, 'target');
    expect(first).toEqual(toCentered(target, system));
    expect(centered({ ...target, values: { ...target.values } }, system, 'target')).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    const ranking: Profile = { format: 'ranking', ranking: ['power', 'security'] };
    expect(centered(ranking, system, 'target')).toEqual(toCentered(ranking, system));
  });

  it('refuses a bad profile each time, naming the field', () => {
    const bad = { format: 'likert5', values: { powerr: 5 } } as Profile;
    for (let i = 0; i < 2; i++) {
      expect(() => centered(bad, system, 'target')).toThrow(ProfileError);
      expect(() => centered(bad, system, 'factual.profile')).toThrow(/^factual\.profile\.values/);
    }
  });

  it(`keeps at most ${CENTERED_CACHE_SIZE} profiles, converting an evicted one again alike`, () => {
    const first = centered(target, system, 'target');
    const level = (i: number, k: number) => 1 + (Math.floor(i / 5 ** k) % 5);
    for (let i = 0; i < CENTERED_CACHE_SIZE; i++) {
      const values = {
        power: level(i, 0),
        hedonism: level(i, 1),
        tradition: level(i, 2),
        security: level(i, 3),
      };
      centered({ format: 'likert5', values }, system, 'target');
    }
    const again = centered(target, system, 'target');
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });
});
