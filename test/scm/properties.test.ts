/** Property tests on random DAGs with random linear mechanisms, against an independent mathjs oracle. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compile, counterfactual, type Intervention } from '../../src/scm/index.js';
import { byId } from './helpers.js';
import { descendants, oracleCounterfactual, randomLinear, toGraph, type Act } from './oracle.js';

const close = (a: number, b: number, tol = 1e-9) =>
  Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

const withActs = randomLinear(10).chain((g) =>
  fc.record({
    g: fc.constant(g),
    acts: fc
      .uniqueArray(
        fc.record({
          node: fc.integer({ min: 0, max: g.n - 1 }),
          type: fc.constantFrom<'do' | 'shift'>('do', 'shift'),
          value: fc.double({ min: -4, max: 4, noNaN: true }),
        }),
        { selector: (a) => a.node, maxLength: Math.min(4, g.n) },
      )
      .map((a) => a as Act[]),
  }),
);

const toInterventions = (names: string[], acts: Act[]): Intervention[] =>
  acts.map((a) => ({ node: names[a.node]!, type: a.type, value: a.value }));

const evidenceOf = (names: string[], row: number[]) => Object.fromEntries(names.map((n, i) => [n, row[i]!]));

describe('counterfactual engine: properties on random linear SCMs', () => {
  it('an empty intervention returns the factual row exactly', () => {
    fc.assert(
      fc.property(randomLinear(12), (g) => {
        const p = compile(toGraph(g));
        const r = counterfactual(p, { evidence: evidenceOf(g.names, g.row), interventions: [] });
        expect(byId(r.nodes, r.counterfactual)).toEqual(evidenceOf(g.names, g.row));
      }),
      { numRuns: 150 },
    );
  });

  it('non-descendants of the intervened nodes keep their factual values exactly', () => {
    fc.assert(
      fc.property(withActs, ({ g, acts }) => {
        const p = compile(toGraph(g));
        const r = counterfactual(p, {
          evidence: evidenceOf(g.names, g.row),
          interventions: toInterventions(g.names, acts),
        });
        const cf = byId(r.nodes, r.counterfactual);
        const desc = descendants(
          g,
          acts.map((a) => a.node),
        );
        for (let i = 0; i < g.n; i++) if (!desc.has(i)) expect(cf[g.names[i]!]).toBe(g.row[i]);
      }),
      { numRuns: 200 },
    );
  });

  it('do(x := factual x) is the identity', () => {
    fc.assert(
      fc.property(randomLinear(12), fc.nat(), (g, pick) => {
        const node = pick % g.n;
        const p = compile(toGraph(g));
        const r = counterfactual(p, {
          evidence: evidenceOf(g.names, g.row),
          interventions: [{ node: g.names[node]!, type: 'do', value: g.row[node]! }],
        });
        const cf = byId(r.nodes, r.counterfactual);
        g.names.forEach((name, i) => expect(close(cf[name]!, g.row[i]!)).toBe(true));
      }),
      { numRuns: 150 },
    );
  });

  it('the counterfactual is affine in the intervention value', () => {
    fc.assert(
      fc.property(
        randomLinear(10),
        fc.nat(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: -3, max: 3, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (g, pick, t1, t2, a) => {
          const node = g.names[pick % g.n]!;
          const p = compile(toGraph(g));
          const run = (t: number) =>
            byId(
              p.ids,
              counterfactual(p, {
                evidence: evidenceOf(g.names, g.row),
                interventions: [{ node, type: 'do', value: t }],
              }).counterfactual,
            );
          const x1 = run(t1);
          const x2 = run(t2);
          const xm = run(a * t1 + (1 - a) * t2);
          for (const name of g.names)
            expect(close(xm[name]!, a * x1[name]! + (1 - a) * x2[name]!, 1e-8)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('agrees with the (I − B)⁻¹ closed form for do and shift interventions', () => {
    fc.assert(
      fc.property(withActs, ({ g, acts }) => {
        const p = compile(toGraph(g));
        const r = counterfactual(p, {
          evidence: evidenceOf(g.names, g.row),
          interventions: toInterventions(g.names, acts),
        });
        const cf = byId(r.nodes, r.counterfactual);
        const expected = oracleCounterfactual(g, g.row, acts);
        g.names.forEach((name, i) => {
          if (!close(cf[name]!, expected[i]!, 1e-9))
            throw new Error(`${name}: engine ${cf[name]} oracle ${expected[i]}`);
        });
      }),
      { numRuns: 300 },
    );
  });

  it('explanation contributions and paths sum to the change of every node', () => {
    fc.assert(
      fc.property(withActs, ({ g, acts }) => {
        const p = compile(toGraph(g));
        const r = counterfactual(p, {
          evidence: evidenceOf(g.names, g.row),
          interventions: toInterventions(g.names, acts),
          explain: { include: 'all', maxPaths: 3 },
        });
        const ex = r.explanation!;
        expect(ex.method).toBe('path-products');
        expect(ex.nodes).toHaveLength(g.n);
        for (const node of ex.nodes) {
          const sum = node.contributions.reduce((s, c) => s + c.amount, 0);
          expect(close(sum, node.change, 1e-9)).toBe(true);
          const paths = node.paths.reduce((s, c) => s + c.amount, 0) + node.otherPaths;
          expect(close(paths, node.change, 1e-9)).toBe(true);
          for (const path of node.paths) {
            expect(path.path[path.path.length - 1]).toBe(node.node);
            expect(path.path[0]).toBe(path.intervention);
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
