import { describe, expect, it } from 'vitest';
import type { GraphFile } from '../../schemas/graph.js';
import { impliedCorrelation, impliedMoments } from '../../src/values/moments.js';

// h ~ N(1, 2²);  a = 0.5 + 2h + N(0, 1);  b = −1 + 1·h − 0.5·a + N(0, 0.5²)
const g: GraphFile = {
  id: 'chain',
  version: '1',
  nodes: [
    { id: 'h', kind: 'latent', label: 'h', mechanism: { type: 'root', mean: 1, sd: 2 } },
    {
      id: 'a',
      kind: 'value',
      label: 'a',
      mechanism: { type: 'linear', intercept: 0.5, coefficients: { h: 2 }, noiseSd: 1 },
    },
    {
      id: 'b',
      kind: 'concept',
      label: 'b',
      mechanism: { type: 'linear', intercept: -1, coefficients: { h: 1, a: -0.5 }, noiseSd: 0.5 },
    },
  ],
  edges: [
    ['h', 'a'],
    ['h', 'b'],
    ['a', 'b'],
  ],
};

describe('implied moments of a linear graph', () => {
  it('match the closed form worked by hand', () => {
    const m = impliedMoments(g);
    expect(m.ids).toEqual(['h', 'a', 'b']);
    expect(m.mean).toEqual({ h: 1, a: 2.5, b: -1 + 1 - 1.25 });
    // Var h = 4; Var a = 4·4 + 1 = 17; Cov(h, a) = 8.
    // b = −1 + h − 0.5 a + e = −1.25 + 0·h − 0.5 u_a + e  →  Var b = 0.25 + 0.25 = 0.5, Cov(b, h) = 0, Cov(b, a) = −0.5.
    const c = m.cov;
    expect(c[0]![0]).toBeCloseTo(4, 12);
    expect(c[1]![1]).toBeCloseTo(17, 12);
    expect(c[0]![1]).toBeCloseTo(8, 12);
    expect(c[2]![2]).toBeCloseTo(0.5, 12);
    expect(c[2]![0]).toBeCloseTo(0, 12);
    expect(c[1]![2]).toBeCloseTo(-0.5, 12);
    const r = impliedCorrelation(g, ['a', 'h']);
    expect(r[0]![1]).toBeCloseTo(8 / Math.sqrt(4 * 17), 12);
    expect(() => impliedCorrelation(g, ['zz'])).toThrow(/no node "zz"/);
  });
});
