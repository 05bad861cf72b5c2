/**
 * Reused scratch space (workspace.ts, evidence.ts, result-arrays.ts): a program answers every query
 * exactly as a freshly compiled one would, whatever came before — other observed sets, other key
 * orders, other graphs in between, failed queries — and a result keeps its numbers after later queries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compile,
  counterfactual,
  ScmError,
  type CounterfactualQuery,
  type CounterfactualResult,
} from '../../src/scm/index.js';
import { chainGraph, twoValueGraph } from '../fixtures/toy-graphs.js';
import { randomLinear, toGraph, type RandomLinear } from './oracle.js';

/** A result as plain numbers, for exact comparison (typed arrays become arrays). */
const plain = (r: CounterfactualResult) =>
  JSON.parse(
    JSON.stringify(r, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v)),
  ) as unknown;

/** One query on a random graph: an observed subset (all nodes: full evidence), keys in a given order. */
const queryOn = (g: RandomLinear) =>
  fc.record({
    observed: fc.array(fc.boolean(), { minLength: g.n, maxLength: g.n }),
    full: fc.boolean(),
    reversed: fc.boolean(),
    act: fc.record({
      node: fc.integer({ min: 0, max: g.n - 1 }),
      type: fc.constantFrom<'do' | 'shift' | 'structured'>('do', 'shift', 'structured'),
      value: fc.double({ min: -3, max: 3, noNaN: true }),
    }),
    explain: fc.boolean(),
  });

type Step = ReturnType<typeof queryOn> extends fc.Arbitrary<infer T> ? T : never;

function toQuery(g: RandomLinear, q: Step) {
  let names = g.names.filter((_, i) => q.full || q.observed[i]);
  if (q.reversed) names = [...names].reverse();
  const query: CounterfactualQuery = {
    evidence: Object.fromEntries(names.map((n) => [n, g.row[g.names.indexOf(n)]!])),
    interventions: [{ node: g.names[q.act.node]!, type: q.act.type, value: q.act.value }],
    explain: q.explain,
  };
  return query;
}

describe('scratch space reused across queries', () => {
  it('a long-lived program answers each query of a sequence like a fresh one, with another graph interleaved', () => {
    const scenario = fc
      .tuple(randomLinear(9), randomLinear(9))
      .chain(([a, b]) =>
        fc.tuple(
          fc.constant(a),
          fc.constant(b),
          fc.array(fc.tuple(fc.boolean(), queryOn(a), queryOn(b)), { minLength: 2, maxLength: 8 }),
        ),
      );
    fc.assert(
      fc.property(scenario, ([a, b, steps]) => {
        const pa = compile(toGraph(a));
        const pb = compile(toGraph(b));
        const kept: Array<{ result: CounterfactualResult; snapshot: unknown }> = [];
        for (const [onA, qa, qb] of steps) {
          const [g, p, q] = onA ? [a, pa, qa] : [b, pb, qb];
          const query = toQuery(g, q);
          const warm = counterfactual(p, query);
          const fresh = counterfactual(compile(toGraph(g)), query);
          expect(plain(warm)).toEqual(plain(fresh));
          kept.push({ result: warm, snapshot: plain(warm) });
        }
        // Later queries did not write into the arrays of earlier results.
        for (const { result, snapshot } of kept) expect(plain(result)).toEqual(snapshot);
      }),
      { numRuns: 60 },
    );
  });

  // X ~ N(0, 1) → Y = 1 + 2X + u → Z = −0.5 + 3Y + u.
  const chain = chainGraph(true);

  it('the same evidence with its keys in another order gives the same numbers', () => {
    const p = compile(chain);
    const interventions = [{ node: 'X', type: 'do' as const, value: 1 }];
    const first = counterfactual(p, { evidence: { X: 0.5, Y: 2.5, Z: 7 }, interventions });
    const second = counterfactual(p, { evidence: { Z: 7, X: 0.5, Y: 2.5 }, interventions });
    expect(plain(second)).toEqual(plain(first));
    // Y = 1 + 2·1 + (2.5 − 1 − 1) = 3.5, Z = −0.5 + 3·3.5 + (7 + 0.5 − 7.5) = 10.
    expect(Array.from(first.counterfactual)).toEqual([1, 3.5, 10]);
  });

  it('a refused record leaves nothing behind: an unknown key, then a non-number, then good evidence', () => {
    const p = compile(chain);
    const interventions = [{ node: 'X', type: 'shift' as const, value: 1 }];
    const good = { X: 0.5, Y: 2.5, Z: 7 };
    const before = plain(counterfactual(p, { evidence: good, interventions }));
    expect(() => counterfactual(p, { evidence: { X: 0.5, W: 1, Z: 7 }, interventions })).toThrow(
      /unknown node "W"/,
    );
    // Same key order as the good record, one value not a number: refused, and named.
    let error: unknown;
    try {
      counterfactual(p, {
        evidence: { X: 0.5, Y: 'high' as unknown as number, Z: 7 },
        interventions,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ScmError);
    expect((error as ScmError).code).toBe('INVALID_QUERY');
    expect((error as ScmError).issues.map((i) => i.node)).toEqual(['Y']);
    // A partial record after a full one: Y and Z are not left over from the earlier query.
    const partial = counterfactual(p, { evidence: { X: 0.5 }, interventions });
    expect(partial.evidence).toBe('partial');
    expect(partial.factual[1]).toBeCloseTo(2, 9); // E[Y | X = 0.5] = 1 + 2·0.5 (up to the jitter)
    expect(plain(counterfactual(p, { evidence: good, interventions }))).toEqual(before);
  });

  it('intervening on a node in consecutive queries is not a duplicate; twice in one query is', () => {
    const p = compile(chain);
    const evidence = { X: 0.5, Y: 2.5, Z: 7 };
    for (let k = 0; k < 3; k++) {
      const r = counterfactual(p, { evidence, interventions: [{ node: 'Y', type: 'do', value: k }] });
      expect(r.counterfactual[1]).toBe(k);
    }
    expect(() =>
      counterfactual(p, {
        evidence,
        interventions: [
          { node: 'Y', type: 'do', value: 1 },
          { node: 'Y', type: 'shift', value: 1 },
        ],
      }),
    ).toThrow(/intervened on more than once/);
    // The refused query's actions do not leak into the next one.
    const r = counterfactual(p, { evidence, interventions: [] });
    expect(r.actions).toEqual([]);
    expect(Array.from(r.counterfactual)).toEqual([0.5, 2.5, 7]);
  });

  it('a cached observed set meets a new do() set after another set was conditioned on: same as fresh', () => {
    const g = twoValueGraph('two');
    const p = compile(g);
    const first = { ambition: 0.4, bold_move: 1 };
    const other = { restraint: -0.2 };
    const doOn = (node: string) => [{ node, type: 'do' as const, value: 0.5 }];
    counterfactual(p, { evidence: first, interventions: doOn('ambition') });
    counterfactual(p, { evidence: other, interventions: doOn('drive') });
    // `first` is cached, its W and Y were overwritten by `other`'s: they are rebuilt for do(drive).
    const warm = counterfactual(p, { evidence: first, interventions: doOn('drive') });
    const fresh = counterfactual(compile(g), { evidence: first, interventions: doOn('drive') });
    expect(plain(warm)).toEqual(plain(fresh));
    // do(drive) makes every node's counterfactual uncertain again but the set latent's.
    expect(warm.counterfactualSd![0]).toBe(0);
    expect(warm.counterfactualSd![1]).toBeGreaterThan(0);
  });

  it('results of a graph larger than a pool slice own their arrays too', () => {
    const n = 300;
    const nodes = Array.from({ length: n }, (_, i) =>
      i === 0
        ? { id: 'n0', kind: 'value', label: 'n0', mechanism: { type: 'root', mean: 0, sd: 1 } }
        : {
            id: `n${i}`,
            kind: 'value',
            label: `n${i}`,
            mechanism: { type: 'linear', intercept: 0, coefficients: { [`n${i - 1}`]: 1 }, noiseSd: 1 },
          },
    );
    const p = compile({
      id: 'long',
      version: '1',
      nodes,
      edges: nodes.slice(1).map((_, i) => [`n${i}`, `n${i + 1}`]),
    });
    const evidence = Object.fromEntries(nodes.map((nd, i) => [nd.id, i]));
    const one = counterfactual(p, { evidence, interventions: [{ node: 'n0', type: 'shift', value: 1 }] });
    const two = counterfactual(p, { evidence, interventions: [{ node: 'n0', type: 'shift', value: 2 }] });
    // Every node moves by the shift (unit weights, noise kept).
    expect(one.counterfactual.every((v, i) => v === i + 1)).toBe(true);
    expect(two.counterfactual.every((v, i) => v === i + 2)).toBe(true);
  });
});
