/** Magnitude bounds: values a double cannot resolve against the graph's scale are a 400, not a wrong 200. */
import { describe, expect, it } from 'vitest';
import { compile, counterfactual, graphScale, MAGNITUDE_LIMIT, ScmError } from '../../src/scm/index.js';
import { byId, graphFrom } from './helpers.js';

// X ~ N(0, 1); Y = 2 + 0.5 X + N(0, 1): scale = max(|means| 0, 2; sds 1, 1) = 2.
const p = compile(
  graphFrom({
    nodes: ['X', 'Y'],
    edges: [['X', 'Y']],
    equations: { Y: { intercept: 2, coefficients: { X: 0.5 }, noiseSd: 1 } },
    roots: { X: { mean: 0, sd: 1 } },
  }),
);

function refused(run: () => unknown): ScmError {
  try {
    run();
  } catch (err) {
    if (err instanceof ScmError) return err;
    throw err;
  }
  throw new Error('expected an ScmError');
}

describe('magnitude bounds', () => {
  it('the graph scale is the largest prior mean or noise sd', () => {
    expect(graphScale(p)).toBe(2);
  });

  it('evidence of 1e15 and 1e17 (where the noise is lost in rounding) is INVALID_QUERY naming the node and the bound', () => {
    for (const big of [1e15, 1e17]) {
      // The noise of Y is 3.12 exactly, but at this magnitude Y − 0.5 X is not representable.
      const err = refused(() =>
        counterfactual(p, {
          evidence: { X: big, Y: 2 + 0.5 * big + 3.12 },
          interventions: [{ node: 'X', type: 'do', value: 0 }],
        }),
      );
      expect(err.code).toBe('INVALID_QUERY');
      expect(err.issues.map((i) => i.node)).toEqual(['X', 'Y']);
      expect(err.message).toContain('evidence on "X"');
      expect(err.message).toContain(`${(MAGNITUDE_LIMIT * 2).toPrecision(3)}`);
    }
  });

  it('an intervention value beyond the bound is INVALID_QUERY at its path', () => {
    const err = refused(() =>
      counterfactual(p, {
        evidence: { X: 1, Y: 3 },
        interventions: [{ node: 'X', type: 'shift', value: -1e17 }],
      }),
    );
    expect(err.code).toBe('INVALID_QUERY');
    expect(err.issues[0]!.path).toBe('interventions.0.value');
  });

  it('values just inside the bound still give the exact counterfactual (noise kept to 1e-6 of the scale)', () => {
    const big = 0.9 * MAGNITUDE_LIMIT; // X = 9e7, within 1e8 × 2
    const r = counterfactual(p, {
      evidence: { X: big, Y: 2 + 0.5 * big + 3.12 },
      interventions: [{ node: 'X', type: 'do', value: 0 }],
    });
    // Y' = 2 + 0.5·0 + u_Y, u_Y = 3.12.
    expect(Math.abs(byId(r.nodes, r.counterfactual).Y! - 5.12)).toBeLessThan(1e-6);
  });
});
