/**
 * ExplainOptions.maxNodes: the explanation keeps the nodes acted on and the `maxNodes` other nodes
 * whose change is largest, each explained exactly as without the limit (same contributions, same top
 * paths), and counts the rest in `omittedNodes`.
 */
import { describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { compile, counterfactual, type Program } from '../../src/scm/index.js';
import { layeredGraph, mulberry32 } from '../bench/graphs.js';

const programs: Array<[string, Program]> = [
  ...[...loadGraphDir().values()].map((e) => [e.id, e.program] as [string, Program]),
  ['layered-70', compile(layeredGraph(2, 10, 58, 12))],
];

describe('explain with maxNodes', () => {
  for (const [name, p] of programs) {
    it(`${name}: the acted-on nodes and the largest changes, as in the unlimited explanation`, () => {
      const rand = mulberry32(5);
      const values = p.ids.filter((_, i) => p.kinds[i] === 'value');
      let compared = 0;
      for (let q = 0; q < 40; q++) {
        const evidence: Record<string, number> = {};
        for (const v of values) if (rand() < 0.6) evidence[v] = rand() * 2 - 1;
        const node = values[Math.floor(rand() * values.length)]!;
        const type = (['do', 'structured', 'shift'] as const)[q % 3]!;
        const base = { evidence, interventions: [{ node, type, value: rand() * 2 - 1 }] };
        const maxPaths = 1 + Math.floor(rand() * 4);
        const maxNodes = Math.floor(rand() * 12);
        let all;
        try {
          all = counterfactual(p, { ...base, explain: { maxPaths } }).explanation!;
        } catch {
          continue; // an intervention the graph refuses (e.g. structured without latents)
        }
        const some = counterfactual(p, { ...base, explain: { maxPaths, maxNodes } }).explanation!;
        expect(all.omittedNodes).toBe(0);
        const acted = all.nodes.filter(
          (n) => n.role === 'set' || n.role === 'structured' || n.role === 'shifted',
        );
        const actedIds = new Set(acted.map((n) => n.node));
        const others = all.nodes.filter((n) => !actedIds.has(n.node));
        const kept = new Set(
          [...others]
            .sort((a, b) => Math.abs(b.change) - Math.abs(a.change))
            .slice(0, maxNodes)
            .map((n) => n.node),
        );
        // Ties at the cut could pick either node; the random evidence makes them vanishingly rare.
        const expected = all.nodes.filter((n) => actedIds.has(n.node) || kept.has(n.node));
        expect(some.nodes).toEqual(expected);
        expect(some.omittedNodes).toBe(Math.max(0, others.length - maxNodes));
        compared++;
      }
      expect(compared).toBeGreaterThan(20);
    });
  }

  it('maxNodes 0 explains only the nodes acted on', () => {
    const p = loadGraphDir().get('schwartz-10')!.program;
    const query = {
      evidence: { benevolence: 0.5, power: -0.5 },
      interventions: [{ node: 'stimulation', type: 'do' as const, value: 1 }],
    };
    const all = counterfactual(p, { ...query, explain: {} }).explanation!;
    const e = counterfactual(p, { ...query, explain: { maxNodes: 0 } }).explanation!;
    expect(e.nodes.map((n) => n.node)).toEqual(['stimulation']);
    // do(stimulation) moves its three concepts.
    expect(all.nodes.length).toBe(4);
    expect(e.omittedNodes).toBe(3);
  });

  it('nodes: explains only the nodes named, as the full explanation does; an unknown id is refused', () => {
    const p = loadGraphDir().get('schwartz-10')!.program;
    const query = {
      evidence: { benevolence: 0.5, power: -0.5 },
      interventions: [{ node: 'stimulation', type: 'structured' as const, value: 1 }],
    };
    const all = counterfactual(p, { ...query, explain: { include: 'all' } }).explanation!;
    const nodes = ['be_daring', 'universalism', 'openness_conservation'];
    const some = counterfactual(p, { ...query, explain: { include: 'all', nodes } }).explanation!;
    expect(some.nodes).toEqual(all.nodes.filter((n) => nodes.includes(n.node)));
    expect(() => counterfactual(p, { ...query, explain: { nodes: ['nope'] } })).toThrow(
      /unknown node "nope"/,
    );
  });
});
