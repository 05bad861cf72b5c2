/** The structured action against its closed form, and its attribution in the explanation. */
import { describe, expect, it } from 'vitest';
import { compile, counterfactual } from '../../src/scm/index.js';
import { byId } from './helpers.js';

// One latent H → three values: V_k = a_k H + u_k.
const a = { V1: 0.8, V2: 0.5, V3: -0.6 };
const oneLatent = compile({
  id: 'one-latent',
  version: '1',
  nodes: [
    { id: 'H', kind: 'latent', label: 'H', mechanism: { type: 'root', mean: 0, sd: 1 } },
    ...Object.entries(a).map(([id, w]) => ({
      id,
      kind: 'value' as const,
      label: id,
      mechanism: { type: 'linear' as const, intercept: 0.1, coefficients: { H: w }, noiseSd: 0.5 },
    })),
  ],
  edges: [
    ['H', 'V1'],
    ['H', 'V2'],
    ['H', 'V3'],
  ],
});
const row = { H: 0.3, V1: 0.6, V2: -0.2, V3: 0.4 };
const noise = { V1: 0.6 - 0.1 - 0.8 * 0.3, V2: -0.2 - 0.1 - 0.5 * 0.3, V3: 0.4 - 0.1 + 0.6 * 0.3 };

describe('structured intervention', () => {
  it('one target: h* = ĥ + a₁ r / (a₁² + λ), other values move through the latent with their noise kept', () => {
    const lambda = 0.1;
    const t = 1.5;
    const r = counterfactual(oneLatent, {
      evidence: row,
      interventions: [{ node: 'V1', type: 'structured', value: t }],
      lambda,
      explain: true,
    });
    const resid = t - row.V1; // x'_V1(ĥ) = V1 factual
    const delta = (a.V1 * resid) / (a.V1 ** 2 + lambda);
    const cf = byId(r.nodes, r.counterfactual);
    expect(cf.V1).toBe(t);
    expect(cf.H).toBeCloseTo(row.H + delta, 12);
    expect(cf.V2).toBeCloseTo(0.1 + a.V2 * (row.H + delta) + noise.V2, 12);
    expect(cf.V3).toBeCloseTo(0.1 + a.V3 * (row.H + delta) + noise.V3, 12);
    expect(r.actions).toEqual([
      { node: 'H', type: 'do', value: cf.H, origin: 'structured' },
      { node: 'V1', type: 'do', value: t, origin: 'caller' },
    ]);
    expect(r.structured!.latents).toHaveLength(1);

    // The explanation attributes V2's move to the caller's target V1, through H.
    const v2 = r.explanation!.nodes.find((n) => n.node === 'V2')!;
    expect(v2.role).toBe('inferred');
    expect(v2.contributions).toHaveLength(1);
    expect(v2.contributions[0]!.intervention).toBe('V1');
    expect(v2.contributions[0]!.amount).toBeCloseTo(a.V2 * delta, 12);
    expect(v2.paths[0]).toMatchObject({ intervention: 'V1', path: ['V1', 'H', 'V2'], structured: true });
    const v1 = r.explanation!.nodes.find((n) => n.node === 'V1')!;
    expect(v1.role).toBe('set');
    const h = r.explanation!.nodes.find((n) => n.node === 'H')!;
    expect(h.role).toBe('structured');
  });

  it('two targets: the latent move splits between them by the share matrix', () => {
    const lambda = 0.05;
    const [t1, t2] = [1.2, 0.9];
    const r = counterfactual(oneLatent, {
      evidence: row,
      interventions: [
        { node: 'V1', type: 'structured', value: t1 },
        { node: 'V2', type: 'structured', value: t2 },
      ],
      lambda,
      explain: true,
    });
    const r1 = t1 - row.V1;
    const r2 = t2 - row.V2;
    const den = a.V1 ** 2 + a.V2 ** 2 + lambda;
    const delta = (a.V1 * r1 + a.V2 * r2) / den;
    const cf = byId(r.nodes, r.counterfactual);
    expect(cf.H).toBeCloseTo(row.H + delta, 12);
    expect(cf.V3).toBeCloseTo(row.V3 + a.V3 * delta, 12);
    const v3 = r.explanation!.nodes.find((n) => n.node === 'V3')!;
    const by = Object.fromEntries(v3.contributions.map((c) => [c.intervention, c.amount]));
    expect(by.V1).toBeCloseTo((a.V3 * a.V1 * r1) / den, 12);
    expect(by.V2).toBeCloseTo((a.V3 * a.V2 * r2) / den, 12);
    expect(by.V1! + by.V2!).toBeCloseTo(v3.change, 12);
  });

  it('λ → 0 with one target makes the latent alone reach the target', () => {
    const r = counterfactual(oneLatent, {
      evidence: row,
      interventions: [{ node: 'V1', type: 'structured', value: 2 }],
      lambda: 0,
    });
    expect(r.structured!.misfit).toBeLessThan(1e-9);
  });

  it('keeps the abducted noise: two individuals who differ only in V3 noise keep that difference', () => {
    const other = { ...row, V3: row.V3 + 0.7 };
    const q = (ev: typeof row) =>
      byId(
        oneLatent.ids,
        counterfactual(oneLatent, {
          evidence: ev,
          interventions: [{ node: 'V1', type: 'structured', value: 1 }],
        }).counterfactual,
      );
    expect(q(other).V3! - q(row).V3!).toBeCloseTo(0.7, 12);
  });

  it('partial evidence: structured targets work on the posterior mean and carry sds', () => {
    const r = counterfactual(oneLatent, {
      evidence: { V1: 0.6 },
      interventions: [{ node: 'V1', type: 'structured', value: 1.5 }],
    });
    expect(r.evidence).toBe('partial');
    const sd = byId(r.nodes, r.counterfactualSd);
    expect(sd.V1).toBe(0);
    expect(sd.H).toBe(0);
    expect(sd.V2).toBeGreaterThan(0);
    // With H set, V2's only uncertainty is its own noise (sd 0.5), untouched by V1's evidence given H? No:
    // u_V2 is independent of the evidence on V1, so its sd stays the prior 0.5.
    expect(sd.V2).toBeCloseTo(0.5, 9);
  });

  it('nonlinear mechanisms: Levenberg–Marquardt reaches the closed form atanh', () => {
    const p = compile({
      id: 'nl',
      version: '1',
      nodes: [
        { id: 'H', kind: 'latent', label: 'H', mechanism: { type: 'root', mean: 0, sd: 1 } },
        {
          id: 'V',
          kind: 'value',
          label: 'V',
          mechanism: { type: 'expression', expression: 'tanh(H)', noiseSd: 0.1 },
        },
        {
          id: 'W',
          kind: 'value',
          label: 'W',
          mechanism: { type: 'expression', expression: '2 * H', noiseSd: 0.1 },
        },
      ],
      edges: [
        ['H', 'V'],
        ['H', 'W'],
      ],
    });
    const r = counterfactual(p, {
      evidence: { H: 0.1, V: Math.tanh(0.1) + 0.05, W: 0.2 },
      interventions: [{ node: 'V', type: 'structured', value: 0.6 }],
      lambda: 0,
    });
    const hStar = Math.atanh(0.6 - 0.05);
    const cf = byId(r.nodes, r.counterfactual);
    expect(cf.H).toBeCloseTo(hStar, 6);
    expect(cf.W).toBeCloseTo(2 * hStar, 5);
  });
});
