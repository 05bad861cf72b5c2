/** Partial evidence: the engine's closed form against Gaussian conditioning of the twin network (mathjs). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, counterfactual, ScmError } from '../../src/scm/index.js';
import { byId, graphFrom } from './helpers.js';
import { oracleTwin, randomLinear, toGraph, type Act } from './oracle.js';

const close = (a: number, b: number, tol: number) =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

const scenario = randomLinear(9).chain((g) =>
  fc.record({
    g: fc.constant(g),
    observedMask: fc.array(fc.boolean(), { minLength: g.n, maxLength: g.n }).filter((m) => m.some((x) => !x)),
    acts: fc
      .uniqueArray(
        fc.record({
          node: fc.integer({ min: 0, max: g.n - 1 }),
          type: fc.constantFrom<'do' | 'shift'>('do', 'shift'),
          value: fc.double({ min: -4, max: 4, noNaN: true }),
        }),
        { selector: (a) => a.node, maxLength: 3 },
      )
      .map((a) => a as Act[]),
  }),
);

describe('partial evidence (linear-Gaussian closed form)', () => {
  it('counterfactual and factual means and sds agree with independent Gaussian conditioning', () => {
    fc.assert(
      fc.property(scenario, ({ g, observedMask, acts }) => {
        const p = compile(toGraph(g));
        const observed = new Map<number, number>();
        observedMask.forEach((on, i) => on && observed.set(i, g.row[i]!));
        const r = counterfactual(p, {
          evidence: Object.fromEntries([...observed].map(([i, v]) => [g.names[i]!, v])),
          interventions: acts.map((a) => ({ node: g.names[a.node]!, type: a.type, value: a.value })),
        });
        expect(r.evidence).toBe('partial');
        const o = oracleTwin(g, observed, acts);
        // Variances are compared on the scale of the prior variance: an sd near 0 is the square root
        // of a difference of two large numbers, so its absolute error is √(rounding of the prior).
        const prior = oracleTwin(g, new Map(), acts);
        const cf = byId(r.nodes, r.counterfactual);
        const cfSd = byId(r.nodes, r.counterfactualSd);
        const fm = byId(r.nodes, r.factual);
        const fsd = byId(r.nodes, r.factualSd);
        g.names.forEach((name, i) => {
          const varScale = Math.max(1, prior.cfSd[i]! ** 2, prior.factualSd[i]! ** 2);
          const checks: Array<[string, number, number, number]> = [
            ['cf mean', cf[name]!, o.cfMean[i]!, 1e-7],
            ['factual mean', fm[name]!, o.factualMean[i]!, 1e-7],
          ];
          for (const [what, got, want, tol] of checks) {
            if (!close(got, want, tol)) throw new Error(`${name} ${what}: engine ${got}, oracle ${want}`);
          }
          const variances: Array<[string, number, number]> = [
            ['cf variance', cfSd[name]! ** 2, o.cfSd[i]! ** 2],
            ['factual variance', fsd[name]! ** 2, o.factualSd[i]! ** 2],
          ];
          for (const [what, got, want] of variances) {
            if (Math.abs(got - want) > 1e-8 * varScale)
              throw new Error(`${name} ${what}: engine ${got}, oracle ${want}`);
          }
        });
      }),
      { numRuns: 250 },
    );
  });

  it('with no evidence, the result is the prior (mean A(c+m), sd from diag(A S Aᵀ))', () => {
    // X ~ N(1, 2²); Y = 3 + 0.5 X + N(0, 1): E[Y] = 3.5, Var[Y] = 0.25·4 + 1 = 2.
    const p = compile(
      graphFrom({
        nodes: ['X', 'Y'],
        edges: [['X', 'Y']],
        equations: { Y: { intercept: 3, coefficients: { X: 0.5 }, noiseSd: 1 } },
        roots: { X: { mean: 1, sd: 2 } },
      }),
    );
    const r = counterfactual(p, { evidence: {}, interventions: [] });
    expect(byId(r.nodes, r.factual)).toEqual({ X: 1, Y: 3.5 });
    expect(r.factualSd![1]).toBeCloseTo(Math.sqrt(2), 12);
  });

  it('observing a child updates the parent by the textbook formula, and do() on the child leaves it', () => {
    // X ~ N(0, 1), Y = 2X + N(0, 1); observe Y = 3: E[X|Y] = 2·3/5 = 1.2, Var = 1 − 4/5 = 0.2.
    const p = compile(
      graphFrom({
        nodes: ['X', 'Y'],
        edges: [['X', 'Y']],
        equations: { Y: { intercept: 0, coefficients: { X: 2 }, noiseSd: 1 } },
        roots: { X: { mean: 0, sd: 1 } },
      }),
    );
    const r = counterfactual(p, { evidence: { Y: 3 }, interventions: [{ node: 'X', type: 'do', value: 2 }] });
    const f = byId(r.nodes, r.factual);
    expect(f.X).toBeCloseTo(1.2, 10);
    expect(r.factualSd![0]).toBeCloseTo(Math.sqrt(0.2), 10);
    // Counterfactual Y = 2·2 + u_Y with u_Y | Y=3: u_Y = 3 − 2X, mean 3 − 2.4 = 0.6, var 4·0.2 = 0.8.
    const cf = byId(r.nodes, r.counterfactual);
    expect(cf.Y).toBeCloseTo(4.6, 10);
    expect(r.counterfactualSd![1]).toBeCloseTo(Math.sqrt(0.8), 10);
    expect(r.counterfactualSd![0]).toBe(0);
  });

  it('a fully determined observed node (zero noise, observed parent) stays exact', () => {
    const p = compile(
      graphFrom({
        nodes: ['X', 'Y', 'Z'],
        edges: [
          ['X', 'Y'],
          ['Y', 'Z'],
        ],
        equations: {
          Y: { intercept: 1, coefficients: { X: 2 }, noiseSd: 0 },
          Z: { intercept: 0, coefficients: { Y: 1 }, noiseSd: 1 },
        },
        roots: { X: { mean: 0, sd: 1 } },
      }),
    );
    const r = counterfactual(p, {
      evidence: { X: 1, Y: 3 },
      interventions: [{ node: 'X', type: 'do', value: 2 }],
    });
    const cf = byId(r.nodes, r.counterfactual);
    expect(cf.Y).toBeCloseTo(5, 9);
    expect(cf.Z).toBeCloseTo(5, 9);
    expect(r.counterfactualSd![1]).toBeLessThan(1e-5);
  });

  it('partial evidence on a nonlinear graph is refused with a clear error, not a wrong number', () => {
    const p = compile({
      id: 'nl',
      version: '1',
      nodes: [
        { id: 'a', kind: 'value', label: 'a', mechanism: { type: 'root', mean: 0, sd: 1 } },
        {
          id: 'b',
          kind: 'concept',
          label: 'b',
          mechanism: { type: 'expression', expression: 'tanh(a)', noiseSd: 0.1 },
        },
      ],
      edges: [['a', 'b']],
    });
    try {
      counterfactual(p, { evidence: { b: 0.5 }, interventions: [] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ScmError);
      expect((err as ScmError).code).toBe('UNSUPPORTED_QUERY');
      expect((err as ScmError).message).toMatch(/node "b"/);
      expect((err as ScmError).message).toMatch(/full evidence/);
    }
    // Full evidence on the same graph works.
    const r = counterfactual(p, {
      evidence: { a: 1, b: 0.8 },
      interventions: [{ node: 'a', type: 'do', value: 0 }],
    });
    expect(byId(r.nodes, r.counterfactual).b).toBeCloseTo(0.8 - Math.tanh(1), 12);
  });
});

describe('the per-observed-set cache', () => {
  it('gives the same numbers as a fresh program for new values on a cached observed set', () => {
    fc.assert(
      fc.property(
        scenario,
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 9, maxLength: 9 }),
        ({ g, observedMask, acts }, other) => {
          const graph = toGraph(g);
          const warm = compile(graph);
          const evidenceOf = (row: number[]) =>
            Object.fromEntries(g.names.flatMap((name, i) => (observedMask[i] ? [[name, row[i]!]] : [])));
          const interventions = acts.map((a) => ({ node: g.names[a.node]!, type: a.type, value: a.value }));
          counterfactual(warm, { evidence: evidenceOf(g.row), interventions }); // fills the caches
          const second = counterfactual(warm, { evidence: evidenceOf(other), interventions });
          const fresh = counterfactual(compile(graph), { evidence: evidenceOf(other), interventions });
          expect(second.counterfactual).toEqual(fresh.counterfactual);
          expect(second.counterfactualSd).toEqual(fresh.counterfactualSd);
          expect(second.factualSd).toEqual(fresh.factualSd);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('shifts under partial evidence', () => {
  // X ~ N(0, 1); Y = 2 X + N(0, 1); Z = Y + N(0, 1). Evidence on Y only.
  const p = compile(
    graphFrom({
      nodes: ['X', 'Y', 'Z'],
      edges: [
        ['X', 'Y'],
        ['Y', 'Z'],
      ],
      equations: { Y: { intercept: 0, coefficients: { X: 2 } }, Z: { intercept: 0, coefficients: { Y: 1 } } },
      roots: { X: { mean: 0, sd: 1 } },
    }),
  );

  it('a shifted observed node has sd exactly 0 (a shift adds a constant), its value the evidence plus the shift', () => {
    const r = counterfactual(p, {
      evidence: { Y: 3 },
      interventions: [{ node: 'Y', type: 'shift', value: 1.5 }],
    });
    const sd = byId(r.nodes, r.counterfactualSd);
    expect(sd.Y).toBe(0);
    expect(Math.abs(byId(r.nodes, r.counterfactual).Y! - 4.5)).toBeLessThan(1e-9);
    // The other nodes keep their factual sds: Var[X | Y] = 1 − 4/5 = 0.2; Var[Z | Y] = 1.
    const factualSd = byId(r.nodes, r.factualSd);
    expect(sd.X).toBe(factualSd.X);
    expect(sd.Z).toBe(factualSd.Z);
    expect(sd.X).toBeCloseTo(Math.sqrt(0.2), 9);
    expect(sd.Z).toBeCloseTo(1, 9);
  });

  it('a do() still changes the variance downstream of it (the shift rule does not spread to do)', () => {
    // do(X = 1) cuts X from the evidence on Y: Y's counterfactual = 2 + u_Y, with u_Y | Y=3 having
    // variance 1 − 1/5 = 0.8.
    const r = counterfactual(p, { evidence: { Y: 3 }, interventions: [{ node: 'X', type: 'do', value: 1 }] });
    const sd = byId(r.nodes, r.counterfactualSd);
    expect(sd.X).toBe(0);
    expect(sd.Y).toBeCloseTo(Math.sqrt(0.8), 9);
  });
});
