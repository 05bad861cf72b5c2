import { describe, expect, it } from 'vitest';
import { closestName, editDistance, normalizeName } from '../../src/values/names.js';
import { resolveValueName, valueSystemFromGraph } from '../../src/values/systems.js';
import { getValueSystem } from '../../src/values/profile.js';
import { twoValueGraph } from '../fixtures/toy-graphs.js';
import { BUNDLED_SYSTEMS, MFT_6, SCHWARTZ_10, SCHWARTZ_19 } from '../fixtures/value-systems.js';

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
    for (const system of BUNDLED_SYSTEMS.values()) {
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
    for (const system of BUNDLED_SYSTEMS.values()) {
      const ids = new Set(system.values.map((v) => v.id));
      for (const g of system.higherOrder)
        for (const m of g.members) expect(ids.has(m), `${system.id} ${g.id} ${m}`).toBe(true);
      for (const d of system.bipolar) {
        expect(system.higherOrder.some((g) => g.id === d.positive)).toBe(true);
        expect(system.higherOrder.some((g) => g.id === d.negative)).toBe(true);
      }
    }
  });

  it('a value system is read off the graph file: codes, aliases, higher-order groups and bipolar axes', () => {
    const base = twoValueGraph('duo');
    const s = valueSystemFromGraph({
      ...base,
      valueSystem: {
        label: 'Duo values',
        higherOrder: [
          { id: 'up', label: 'Up', members: ['ambition'] },
          { id: 'down', label: 'Down', members: ['restraint'] },
        ],
        bipolar: [{ id: 'drive', label: 'Up ↔ Down', positive: 'up', negative: 'down' }],
      },
      nodes: base.nodes.map((n) =>
        n.id === 'ambition' ? { ...n, code: 'AM', aliases: ['drive to win'] } : n,
      ),
    });
    expect(s.label).toBe('Duo values');
    expect(resolveValueName('AM', s)).toBe('ambition');
    expect(resolveValueName('Drive-to-win', s)).toBe('ambition');
    expect(s.higherOrder.map((g) => g.id)).toEqual(['up', 'down']);
    expect(s.bipolar).toEqual([{ id: 'drive', label: 'Up ↔ Down', positive: 'up', negative: 'down' }]);
  });

  it('the bundled systems come from the graph files (name, codes, groups)', () => {
    expect(SCHWARTZ_10.label).toBe('Schwartz basic values (10)');
    expect(SCHWARTZ_10.values.find((v) => v.id === 'security')!.code).toBe('SE');
    expect(SCHWARTZ_10.higherOrder.map((g) => g.id)).toEqual([
      'openness_to_change',
      'self_enhancement',
      'conservation',
      'self_transcendence',
    ]);
    expect(MFT_6.bipolar.map((d) => d.id)).toEqual(['individualizing_binding']);
    expect(SCHWARTZ_19.values).toHaveLength(19);
  });

  it('a value system can be read off any graph; getValueSystem knows the bundled ones', () => {
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
