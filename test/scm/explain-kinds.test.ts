/**
 * ExplainOptions.kinds: explaining only some kinds of node gives exactly the unfiltered explanation
 * of those nodes (same contributions, same top paths in the same order), with less path enumeration.
 */
import { describe, expect, it } from 'vitest';
import type { NodeKind } from '../../schemas/graph.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { compile, counterfactual, type Program } from '../../src/scm/index.js';
import { layeredGraph, mulberry32 } from '../bench/graphs.js';

const programs: Array<[string, Program]> = [
  ...[...loadGraphDir().values()].map((e) => [e.id, e.program] as [string, Program]),
  ['layered-70', compile(layeredGraph(2, 10, 58, 12))],
  ['layered-300', compile(layeredGraph(4, 19, 277, 13))],
];

describe('explain with a kinds filter', () => {
  for (const [name, p] of programs) {
    it(`${name}: equals the unfiltered explanation restricted to the kinds`, () => {
      const rand = mulberry32(11);
      const values = p.ids.filter((_, i) => p.kinds[i] === 'value');
      let compared = 0;
      for (let q = 0; q < 60; q++) {
        const evidence: Record<string, number> = {};
        for (const v of values) if (rand() < 0.5) evidence[v] = rand() * 2 - 1;
        const picked = new Map<
          string,
          { node: string; type: 'do' | 'structured' | 'shift'; value: number }
        >();
        for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
          const node = values[Math.floor(rand() * values.length)]!;
          picked.set(node, {
            node,
            type: (['do', 'structured', 'shift'] as const)[Math.floor(rand() * 3)]!,
            value: rand() * 2 - 1,
          });
        }
        const kinds: NodeKind[][] = [['value'], ['latent', 'value'], ['concept']];
        const base = { evidence, interventions: [...picked.values()] };
        const maxPaths = 1 + Math.floor(rand() * 5);
        const include = rand() < 0.5 ? ('changed' as const) : ('all' as const);
        let all;
        try {
          all = counterfactual(p, { ...base, explain: { maxPaths, include } }).explanation!;
        } catch {
          continue; // an intervention the graph refuses (e.g. structured without latents)
        }
        for (const k of kinds) {
          const some = counterfactual(p, { ...base, explain: { maxPaths, include, kinds: k } }).explanation!;
          const expected = all.nodes.filter((n) => k.includes(p.kinds[p.index.get(n.node)!]!));
          expect(some.nodes).toEqual(expected);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(30);
    });
  }
});
