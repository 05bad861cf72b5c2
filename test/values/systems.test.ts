import { describe, expect, it } from 'vitest';
import { closestName, editDistance, normalizeName } from '../../src/values/names.js';
import {
  BUILTIN_SYSTEMS,
  MFT_6,
  SCHWARTZ_10,
  SCHWARTZ_19,
  resolveValueName,
  valueSystemFromGraph,
} from '../../src/values/systems.js';
import { getValueSystem } from '../../src/values/profile.js';

describe('value names', () => {
  it('normalise friendly forms to snake_case', () => {
    expect(normalizeName('Self_Direction')).toBe('self_direction');
    expect(normalizeName('Self-Direction')).toBe('self_direction');
    expect(normalizeName('selfDirection')).toBe('self_direction');
    expect(normalizeName('  Self-direction–thought ')).toBe('self_direction_thought');
    expect(normalizeName('Power: dominance')).toBe('power_dominance');
    expect(normalizeName('Universalisme')).toBe('universalisme');
    expect(normalizeName('Sécurité')).toBe('securite');
  });

  it('resolve ids, labels, codes and aliases in each system, and nothing else', () => {
    expect(resolveValueName('UN', SCHWARTZ_10)).toBe('universalism');
    expect(resolveValueName('selfdirection', SCHWARTZ_10)).toBe('self_direction');
    expect(resolveValueName('Benevolence–caring', SCHWARTZ_19)).toBe('benevolence_caring');
    expect(resolveValueName('BEC', SCHWARTZ_19)).toBe('benevolence_caring');
    expect(resolveValueName('Sanctity/degradation', MFT_6)).toBe('sanctity');
    expect(resolveValueName('self_direction', SCHWARTZ_19)).toBeUndefined();
    expect(resolveValueName('', SCHWARTZ_10)).toBeUndefined();
    expect(resolveValueName('openness', SCHWARTZ_10)).toBeUndefined();
  });

  it('suggest the closest value for a typo', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    const ids = SCHWARTZ_10.values.map((v) => v.id);
    expect(closestName('Benevolance', ids)).toBe('benevolence');
    expect(closestName('univ', ids)).toBe('universalism');
    expect(closestName('xyz', ids)).toBeUndefined();
  });

  it('aliases never collide within a system', () => {
    for (const system of BUILTIN_SYSTEMS.values()) {
      const names = system.values.flatMap(
        (v) => [v.id, v.label, v.code, ...(v.aliases ?? [])].filter(Boolean) as string[],
      );
      for (const name of names) {
        const owner = system.values.find((v) =>
          [v.id, v.label, v.code, ...(v.aliases ?? [])].includes(name),
        )!.id;
        expect(resolveValueName(name, system), `${system.id}: ${name}`).toBe(owner);
      }
    }
  });

  it('higher-order groups only name values of their system', () => {
    for (const system of BUILTIN_SYSTEMS.values()) {
      const ids = new Set(system.values.map((v) => v.id));
      for (const g of system.higherOrder)
        for (const m of g.members) expect(ids.has(m), `${system.id} ${g.id} ${m}`).toBe(true);
      for (const d of system.bipolar) {
        expect(system.higherOrder.some((g) => g.id === d.positive)).toBe(true);
        expect(system.higherOrder.some((g) => g.id === d.negative)).toBe(true);
      }
    }
  });

  it('a value system can be read off any graph; getValueSystem knows the built-in ones', () => {
    const s = valueSystemFromGraph({
      id: 'tiny',
      version: '1',
      nodes: [
        { id: 'h', kind: 'latent', label: 'H', mechanism: { type: 'root', mean: 0, sd: 1 } },
        {
          id: 'grit',
          kind: 'value',
          label: 'Grit',
          mechanism: { type: 'linear', intercept: 0, coefficients: { h: 1 }, noiseSd: 1 },
        },
      ],
      edges: [['h', 'grit']],
    });
    expect(s.values.map((v) => v.id)).toEqual(['grit']);
    expect(resolveValueName('GRIT', s)).toBe('grit');
    expect(getValueSystem('schwartz-19')).toBe(SCHWARTZ_19);
    expect(getValueSystem('no-such-graph')).toBeUndefined();
  });
});
