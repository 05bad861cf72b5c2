/**
 * The reference fixtures (shared/fixtures/scm), restated here: small linear ANMs whose counterfactuals
 * were computed by hand and reproduced exactly by DoWhy's gcm.counterfactual_samples.
 */
import { describe, expect, it } from 'vitest';
import { compile, counterfactual } from '../../src/scm/index.js';
import { byId, expectClose, graphFrom } from './helpers.js';

describe('DoWhy reference fixtures (tolerance 1e-9)', () => {
  it('chain3: X → Y → Z, do(X := 2)', () => {
    const p = compile(
      graphFrom({
        nodes: ['X', 'Y', 'Z'],
        edges: [
          ['X', 'Y'],
          ['Y', 'Z'],
        ],
        equations: {
          X: { intercept: 0 },
          Y: { intercept: 1, coefficients: { X: 2 } },
          Z: { intercept: -0.5, coefficients: { Y: 3 } },
        },
      }),
    );
    const r = counterfactual(p, {
      evidence: { X: 1, Y: 4, Z: 12 },
      interventions: [{ node: 'X', type: 'do', value: 2 }],
    });
    expect(r.evidence).toBe('full');
    expectClose(byId(r.nodes, r.counterfactual), { X: 2, Y: 6, Z: 18 });
    // u_Y = 4 − (1 + 2·1) = 1, u_Z = 12 − (−0.5 + 3·4) = 0.5; root noise = observed value.
    expectClose(byId(r.nodes, r.noise), { X: 1, Y: 1, Z: 0.5 });
  });

  it('Pearl primer, Joe (sec. 4.2.3–4.2.4): Y had H been 2 is 1.90', () => {
    const p = compile(
      graphFrom({
        nodes: ['X', 'H', 'Y'],
        edges: [
          ['X', 'H'],
          ['X', 'Y'],
          ['H', 'Y'],
        ],
        equations: {
          H: { intercept: 0, coefficients: { X: 0.5 } },
          Y: { intercept: 0, coefficients: { X: 0.7, H: 0.4 } },
        },
      }),
    );
    const r = counterfactual(p, {
      evidence: { X: 0.5, H: 1, Y: 1.5 },
      interventions: [{ node: 'H', type: 'do', value: 2 }],
    });
    expectClose(byId(r.nodes, r.counterfactual), { X: 0.5, H: 2, Y: 1.9 });
    // Joe's noise: U_X = 0.5, U_H = 0.75, U_Y = 0.75.
    expectClose(byId(r.nodes, r.noise), { X: 0.5, H: 0.75, Y: 0.75 });
  });

  const g10 = compile(
    graphFrom({
      nodes: ['V1', 'V2', 'V3', 'C1', 'C2', 'C3', 'C4', 'C5', 'C6', 'C7'],
      edges: [
        ['V1', 'C1'],
        ['V1', 'C2'],
        ['V2', 'C2'],
        ['V3', 'C3'],
        ['C1', 'C4'],
        ['C2', 'C4'],
        ['C3', 'C5'],
        ['V2', 'C5'],
        ['C4', 'C6'],
        ['C5', 'C6'],
        ['C6', 'C7'],
        ['V1', 'C7'],
      ],
      equations: {
        C1: { intercept: 0.5, coefficients: { V1: 1 } },
        C2: { intercept: 0, coefficients: { V1: 2, V2: -1 } },
        C3: { intercept: 1, coefficients: { V3: 0.5 } },
        C4: { intercept: 0, coefficients: { C1: 1, C2: 1 } },
        C5: { intercept: -1, coefficients: { C3: 2, V2: -0.5 } },
        C6: { intercept: 0, coefficients: { C4: 1, C5: -1 } },
        C7: { intercept: 2, coefficients: { C6: 0.5, V1: 1 } },
      },
    }),
  );
  const observed = { V1: 1, V2: 2, V3: 4, C1: 2, C2: 1, C3: 3, C4: 4, C5: 4, C6: 1, C7: 3 };

  it('g10-hand: abducted noise of the non-roots', () => {
    const r = counterfactual(g10, { evidence: observed, interventions: [] });
    expectClose(byId(r.nodes, r.noise), { C1: 0.5, C2: 1, C3: 0, C4: 1, C5: 0, C6: 1, C7: -0.5 });
    // Empty intervention: the factual row, exactly.
    expect(byId(r.nodes, r.counterfactual)).toEqual(observed);
  });

  it('g10-hand query 1: do(V1 := 3)', () => {
    const r = counterfactual(g10, {
      evidence: observed,
      interventions: [{ node: 'V1', type: 'do', value: 3 }],
    });
    expectClose(byId(r.nodes, r.counterfactual), {
      V1: 3,
      V2: 2,
      V3: 4,
      C1: 4,
      C2: 5,
      C3: 3,
      C4: 10,
      C5: 4,
      C6: 7,
      C7: 8,
    });
  });

  it('g10-hand query 2: do(C4 := 0)', () => {
    const r = counterfactual(g10, {
      evidence: observed,
      interventions: [{ node: 'C4', type: 'do', value: 0 }],
    });
    expectClose(byId(r.nodes, r.counterfactual), {
      V1: 1,
      V2: 2,
      V3: 4,
      C1: 2,
      C2: 1,
      C3: 3,
      C4: 0,
      C5: 4,
      C6: -3,
      C7: 1,
    });
  });

  it('g10-hand query 3: do(V2 := 0, V3 := 0)', () => {
    const r = counterfactual(g10, {
      evidence: observed,
      interventions: [
        { node: 'V2', type: 'do', value: 0 },
        { node: 'V3', type: 'do', value: 0 },
      ],
    });
    expectClose(byId(r.nodes, r.counterfactual), {
      V1: 1,
      V2: 0,
      V3: 0,
      C1: 2,
      C2: 3,
      C3: 1,
      C4: 6,
      C5: 1,
      C6: 6,
      C7: 5.5,
    });
  });

  it('shift adds to the counterfactual pre-intervention value (DoWhy shift semantics)', () => {
    // shift V1 by +2 is do(V1 := 3) here since V1 is a root observed at 1.
    const r = counterfactual(g10, {
      evidence: observed,
      interventions: [{ node: 'V1', type: 'shift', value: 2 }],
    });
    expectClose(byId(r.nodes, r.counterfactual), { V1: 3, C1: 4, C2: 5, C4: 10, C6: 7, C7: 8 });
    // shift on C6 after do(V1 := 3): C6' = C4' − C5' + u + 1 = 7 + 1.
    const r2 = counterfactual(g10, {
      evidence: observed,
      interventions: [
        { node: 'V1', type: 'do', value: 3 },
        { node: 'C6', type: 'shift', value: 1 },
      ],
    });
    expectClose(byId(r2.nodes, r2.counterfactual), { C6: 8, C7: 8.5 });
  });
});
