/** Explanations: path products on small graphs, Shapley values on nonlinear ones, against closed forms. */
import { describe, expect, it } from 'vitest';
import { compile, counterfactual } from '../../src/scm/index.js';

describe('linear explanations (path products)', () => {
  // X → M → Y and X → Y (weights 2, 3, 0.5), plus Z → Y (weight 1).
  const p = compile({
    id: 'paths',
    version: '1',
    nodes: [
      { id: 'X', kind: 'value', label: 'X', mechanism: { type: 'root', mean: 0, sd: 1 } },
      { id: 'Z', kind: 'value', label: 'Z', mechanism: { type: 'root', mean: 0, sd: 1 } },
      {
        id: 'M',
        kind: 'concept',
        label: 'M',
        mechanism: { type: 'linear', intercept: 0, coefficients: { X: 2 }, noiseSd: 1 },
      },
      {
        id: 'Y',
        kind: 'concept',
        label: 'Y',
        mechanism: { type: 'linear', intercept: 0, coefficients: { M: 3, X: 0.5, Z: 1 }, noiseSd: 1 },
      },
    ],
    edges: [
      ['X', 'M'],
      ['M', 'Y'],
      ['X', 'Y'],
      ['Z', 'Y'],
    ],
  });
  const evidence = { X: 1, Z: 0, M: 2, Y: 6.5 };

  it('splits a change into its causal paths with their products', () => {
    const r = counterfactual(p, {
      evidence,
      interventions: [{ node: 'X', type: 'do', value: 2 }],
      explain: true,
    });
    const y = r.explanation!.nodes.find((n) => n.node === 'Y')!;
    expect(y.change).toBeCloseTo(6.5, 12); // ΔX = 1: 2·3 + 0.5
    expect(y.paths.map((q) => [q.path.join('>'), q.amount])).toEqual([
      ['X>M>Y', 6],
      ['X>Y', 0.5],
    ]);
    expect(y.otherPaths).toBeCloseTo(0, 12);
    // Only changed or acted-on nodes are listed by default.
    expect(r.explanation!.nodes.map((n) => n.node).sort()).toEqual(['M', 'X', 'Y']);
  });

  it('a do() on a mediator blocks the paths through it', () => {
    const r = counterfactual(p, {
      evidence,
      interventions: [
        { node: 'X', type: 'do', value: 2 },
        { node: 'M', type: 'do', value: 2 },
      ],
      explain: true,
    });
    const y = r.explanation!.nodes.find((n) => n.node === 'Y')!;
    expect(y.change).toBeCloseTo(0.5, 12);
    expect(y.contributions).toEqual([{ intervention: 'X', amount: 0.5 }]);
    expect(y.paths.map((q) => q.path.join('>'))).toEqual(['X>Y']);
  });

  it('contributions of several interventions add up, and maxPaths keeps the largest', () => {
    const r = counterfactual(p, {
      evidence,
      interventions: [
        { node: 'X', type: 'shift', value: 1 },
        { node: 'Z', type: 'do', value: -2 },
      ],
      explain: { maxPaths: 1 },
    });
    const y = r.explanation!.nodes.find((n) => n.node === 'Y')!;
    expect(Object.fromEntries(y.contributions.map((c) => [c.intervention, c.amount]))).toEqual({
      X: 6.5,
      Z: -2,
    });
    expect(y.paths).toHaveLength(1);
    expect(y.paths[0]!.path).toEqual(['X', 'M', 'Y']);
    expect(y.otherPaths).toBeCloseTo(0.5 - 2, 12);
  });
});

describe('nonlinear explanations (Shapley over interventions)', () => {
  it('exact Shapley for Y = X1·X2 matches the closed form', () => {
    const p = compile({
      id: 'prod',
      version: '1',
      nodes: [
        { id: 'X1', kind: 'value', label: 'X1', mechanism: { type: 'root', mean: 0, sd: 1 } },
        { id: 'X2', kind: 'value', label: 'X2', mechanism: { type: 'root', mean: 0, sd: 1 } },
        {
          id: 'Y',
          kind: 'concept',
          label: 'Y',
          mechanism: { type: 'expression', expression: 'X1 * X2', noiseSd: 1 },
        },
      ],
      edges: [
        ['X1', 'Y'],
        ['X2', 'Y'],
      ],
    });
    const r = counterfactual(p, {
      evidence: { X1: 1, X2: 2, Y: 2.5 },
      interventions: [
        { node: 'X1', type: 'do', value: 3 },
        { node: 'X2', type: 'do', value: 4 },
      ],
      explain: true,
    });
    // v(∅) = 2.5, v({1}) = 6.5, v({2}) = 4.5, v({1,2}) = 12.5 → φ1 = 6, φ2 = 4.
    expect(r.explanation!.method).toBe('shapley-exact');
    const y = r.explanation!.nodes.find((n) => n.node === 'Y')!;
    const by = Object.fromEntries(y.contributions.map((c) => [c.intervention, c.amount]));
    expect(by.X1).toBeCloseTo(6, 12);
    expect(by.X2).toBeCloseTo(4, 12);
    expect(y.change).toBeCloseTo(10, 12);
  });

  it('beyond 10 interventions: seeded permutation sampling, efficient and close to the closed form', () => {
    const m = 12;
    const names = Array.from({ length: m }, (_, i) => `X${i}`);
    const p = compile({
      id: 'square',
      version: '1',
      nodes: [
        ...names.map((id) => ({
          id,
          kind: 'value' as const,
          label: id,
          mechanism: { type: 'root' as const, mean: 0, sd: 1 },
        })),
        {
          id: 'Y',
          kind: 'concept',
          label: 'Y',
          mechanism: { type: 'expression', expression: `(${names.join(' + ')})^2`, noiseSd: 1 },
        },
      ],
      edges: names.map((n) => [n, 'Y'] as [string, string]),
    });
    const evidence: Record<string, number> = Object.fromEntries(names.map((n, i) => [n, (i % 3) - 0.5]));
    const s0 = names.reduce((s, n) => s + evidence[n]!, 0);
    evidence.Y = s0 ** 2 + 0.25;
    const d = names.map((_, i) => ((i % 4) - 1) / 2);
    const interventions = names.map((node, i) => ({ node, type: 'shift' as const, value: d[i]! }));
    const run = (seed: number) =>
      counterfactual(p, { evidence, interventions, explain: { shapleySamples: 3000, seed } });
    const r = run(7);
    expect(r.explanation!.method).toBe('shapley-sampled');
    const y = r.explanation!.nodes.find((n) => n.node === 'Y')!;
    const sum = y.contributions.reduce((s, c) => s + c.amount, 0);
    expect(sum).toBeCloseTo(y.change, 9); // efficiency holds exactly for every permutation
    // Closed form for v(S) = (s0 + Σ_S d)²: φ_i = d_i (2 s0 + Σ d).
    const dn = d.reduce((s, x) => s + x, 0);
    const scale = Math.max(...d.map((x) => Math.abs(x * (2 * s0 + dn))));
    for (const c of y.contributions) {
      const i = names.indexOf(c.intervention);
      expect(Math.abs(c.amount - d[i]! * (2 * s0 + dn))).toBeLessThan(0.1 * scale + 0.05);
    }
    // Same seed, same numbers.
    expect(run(7).explanation).toEqual(r.explanation);
  });
});

describe('path enumeration budget', () => {
  it('stops at the budget, says so, and still sums to the change', () => {
    // A ladder of 14 layers × 2 nodes, fully connected between layers: 2^13 paths from the root.
    const layers = 14;
    const nodes: Array<Record<string, unknown>> = [
      { id: 'r', kind: 'value', label: 'r', mechanism: { type: 'root', mean: 0, sd: 1 } },
    ];
    const edges: Array<[string, string]> = [];
    let prev = ['r'];
    for (let l = 0; l < layers; l++) {
      const cur = [`a${l}`, `b${l}`];
      for (const id of cur) {
        nodes.push({
          id,
          kind: 'concept',
          label: id,
          mechanism: {
            type: 'linear',
            intercept: 0,
            coefficients: Object.fromEntries(prev.map((q) => [q, 0.7])),
            noiseSd: 1,
          },
        });
        for (const q of prev) edges.push([q, id]);
      }
      prev = cur;
    }
    const p = compile({ id: 'ladder', version: '1', nodes, edges });
    const evidence = Object.fromEntries(p.ids.map((id) => [id, 0]));
    const r = counterfactual(p, {
      evidence,
      interventions: [{ node: 'r', type: 'do', value: 1 }],
      explain: { pathBudget: 500, maxPaths: 3 },
    });
    const ex = r.explanation!;
    expect(ex.truncated).toBe(true);
    const last = ex.nodes.find((n) => n.node === `a${layers - 1}`)!;
    expect(last.change).toBeCloseTo(0.7 * 1.4 ** (layers - 1), 9);
    expect(last.contributions[0]!.amount).toBeCloseTo(last.change, 9);
    expect(last.paths.reduce((s, q) => s + q.amount, 0) + last.otherPaths).toBeCloseTo(last.change, 9);
  });
});
