import { describe, expect, it } from 'vitest';
import { HUMAN_RANK_CURVE, higherOrder } from '../../src/values/index.js';

const full = {
  self_direction: 0.6,
  stimulation: 0.3,
  hedonism: 0,
  achievement: -0.4,
  power: -1,
  security: 0.2,
  conformity: -0.5,
  tradition: -0.3,
  benevolence: 0.9,
  universalism: 0.7,
};

describe('higher-order summaries', () => {
  it('schwartz-10: group means (hedonism with openness, PVQ-40 key) and the bipolar dimensions', () => {
    const s = higherOrder({ format: 'centered', values: full });
    expect(s.format).toBe('centered');
    expect(s.groups.openness_to_change).toBeCloseTo(0.3, 12);
    expect(s.groups.self_enhancement).toBeCloseTo(-0.7, 12);
    expect(s.groups.conservation).toBeCloseTo(-0.2, 12);
    expect(s.groups.self_transcendence).toBeCloseTo(0.8, 12);
    expect(s.dimensions.openness_conservation).toBeCloseTo(0.5, 12);
    expect(s.dimensions.transcendence_enhancement).toBeCloseTo(1.5, 12);
  });

  it('hedonism can be moved to self-enhancement, counted in both, or left out', () => {
    const p = { format: 'centered' as const, values: { ...full, hedonism: 0.9 } };
    expect(higherOrder(p, undefined, { hedonism: 'enhancement' }).groups.self_enhancement).toBeCloseTo(
      -0.5 / 3,
      12,
    );
    expect(higherOrder(p, undefined, { hedonism: 'enhancement' }).groups.openness_to_change).toBeCloseTo(
      0.45,
      12,
    );
    const both = higherOrder(p, undefined, { hedonism: 'both' });
    expect(both.coverage.openness_to_change!.used).toContain('hedonism');
    expect(both.coverage.self_enhancement!.used).toContain('hedonism');
    const none = higherOrder(p, undefined, { hedonism: 'none' });
    expect(none.groups.openness_to_change).toBeCloseTo(0.45, 12);
    expect(none.groups.self_enhancement).toBeCloseTo(-0.7, 12);
  });

  it('partial profiles: means of the members given; coverage lists the missing ones; no group, no dimension', () => {
    const s = higherOrder({ format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } });
    expect(s.format).toBe('likert5');
    expect(s.groups).toEqual({ openness_to_change: 1, conservation: 5, self_transcendence: 4 });
    expect(s.coverage.conservation).toEqual({ used: ['security'], missing: ['conformity', 'tradition'] });
    expect(s.dimensions).toEqual({ openness_conservation: -4 });
  });

  it('rankings are summarised on the centered scale', () => {
    const s = higherOrder({
      format: 'ranking',
      ranking: ['benevolence', 'universalism', 'power', 'achievement'],
    });
    expect(s.format).toBe('centered');
    // 4 ranked values of 10 take the top 4 ranks: positions 0, 1, 2 and 3 of the human curve.
    expect(s.groups.self_transcendence).toBeCloseTo((HUMAN_RANK_CURVE[0]! + HUMAN_RANK_CURVE[1]!) / 2, 10);
    expect(s.groups.self_enhancement).toBeCloseTo((HUMAN_RANK_CURVE[2]! + HUMAN_RANK_CURVE[3]!) / 2, 10);
    expect(s.dimensions.transcendence_enhancement!).toBeGreaterThan(0.4);
  });

  it('schwartz-19 leaves humility and face out; mft-6 gives individualizing − binding', () => {
    const s19 = higherOrder(
      { format: 'pvq6', values: { humility: 6, face: 1, achievement: 2, power_dominance: 4 } },
      'schwartz-19',
    );
    expect(s19.groups).toEqual({ self_enhancement: 3 });
    const mft = higherOrder(
      { format: 'likert5', values: { care: 5, fairness: 4, loyalty: 2, authority: 1, sanctity: 3 } },
      'mft-6',
    );
    expect(mft.groups).toEqual({ individualizing: 4.5, binding: 2 });
    expect(mft.dimensions).toEqual({ individualizing_binding: 2.5 });
  });
});
