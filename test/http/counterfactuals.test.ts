import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_GRAPH,
  type BatchItemT,
  type CounterfactualResultT,
  type GraphRefT,
} from '../../schemas/api.js';
import { contentHash, makeEntry } from '../../src/graphs/registry.js';
import { counterfactual, toRecord } from '../../src/scm/index.js';
import { CYCLIC_GRAPH } from './error-example-requests.js';
import { BUNDLED_GRAPHS, expectEnvelope, makeApp } from './helpers.js';

const FULL = { openness: 1, stimulation: 1, security: -0.25, adventure: 0.75 };

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp({ MAX_BATCH_SIZE: '5', MAX_INLINE_GRAPH_NODES: '10' });
});
afterAll(() => app.close());

type Single = { graph: GraphRefT; result: CounterfactualResultT };
type Batch = { graph: GraphRefT; results: BatchItemT[]; result?: undefined };

async function post<T = Single>(payload: unknown): Promise<{ status: number; body: T }> {
  const res = await app.inject({ method: 'POST', url: '/v1/counterfactuals', payload: payload as object });
  return { status: res.statusCode, body: res.json() as T };
}

const ok = (item: BatchItemT | undefined) => {
  if (!item?.ok) throw new Error(`not a result: ${JSON.stringify(item)}`);
  return item.result;
};
const err = (item: BatchItemT | undefined) => {
  if (!item || item.ok) throw new Error(`not an error: ${JSON.stringify(item)}`);
  return item.error;
};

describe('POST /v1/counterfactuals: answers', () => {
  it('full evidence + do() on a bundled graph matches the engine and names the graph version', async () => {
    const { status, body } = await post({
      graph: 'mini-values',
      evidence: FULL,
      interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
    });
    expect(status).toBe(200);
    expect(body.graph).toEqual({
      id: 'mini-values',
      version: '1',
      hash: contentHash(EXAMPLE_GRAPH),
      source: 'bundled',
    });
    const program = makeEntry(EXAMPLE_GRAPH).program;
    const direct = counterfactual(program, {
      evidence: FULL,
      interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
    });
    expect(body.result.counterfactual).toEqual(toRecord(direct.nodes, direct.counterfactual));
    expect(body.result.noise).toEqual(toRecord(direct.nodes, direct.noise));
    expect(body.result.counterfactual.adventure).toBeCloseTo(1.25, 12);
    expect(body.result.evidence).toBe('full');
    expect(body.result.counterfactualSd).toBeNull();
    expect(body.result.factualSd).toBeNull();
    expect(body.result.noiseSd).toBeNull();
    expect(body.result.actions).toEqual([{ node: 'stimulation', type: 'do', value: 2, origin: 'caller' }]);
    expect(body.result.structured).toBeNull();
  });

  it('shift adds to what the node would otherwise be', async () => {
    const { status, body } = await post({
      graph: 'mini-values',
      evidence: FULL,
      interventions: [{ node: 'security', type: 'shift', value: 0.5 }],
    });
    expect(status).toBe(200);
    expect(body.result.counterfactual.security).toBeCloseTo(0.25, 12);
    expect(body.result.counterfactual.adventure).toBeCloseTo(0.625, 12);
    expect(body.result.counterfactual.openness).toBe(1);
  });

  it('partial evidence gives posterior means with standard deviations; a do() node has sd 0', async () => {
    const { status, body } = await post({
      graph: 'mini-values',
      evidence: { stimulation: 1 },
      interventions: [{ node: 'security', type: 'do', value: 0 }],
    });
    expect(status).toBe(200);
    const r = body.result;
    expect(r.evidence).toBe('partial');
    for (const sd of [r.counterfactualSd, r.factualSd, r.noiseSd]) {
      expect(Object.keys(sd ?? {}).sort()).toEqual(['adventure', 'openness', 'security', 'stimulation']);
    }
    expect(r.counterfactualSd?.security).toBe(0);
    expect(r.factualSd?.stimulation).toBeCloseTo(0, 6);
    expect(r.factualSd?.openness).toBeGreaterThan(0);
    expect(r.counterfactualSd?.adventure).toBeGreaterThan(0);
    const direct = counterfactual(makeEntry(EXAMPLE_GRAPH).program, {
      evidence: { stimulation: 1 },
      interventions: [{ node: 'security', type: 'do', value: 0 }],
    });
    expect(r.counterfactual).toEqual(toRecord(direct.nodes, direct.counterfactual));
    expect(r.counterfactualSd).toEqual(toRecord(direct.nodes, direct.counterfactualSd!));
  });

  it('structured: sets the target and moves its latent parent, with the solution and origin', async () => {
    const { status, body } = await post({
      graph: 'mini-values',
      evidence: FULL,
      interventions: [{ node: 'stimulation', type: 'structured', value: 2 }],
      lambda: 0.1,
    });
    expect(status).toBe(200);
    const r = body.result;
    const solution = r.structured!;
    expect(r.counterfactual.stimulation).toBe(2);
    expect(solution.lambda).toBe(0.1);
    expect(solution.latents).toHaveLength(1);
    expect(solution.latents[0]!.node).toBe('openness');
    expect(solution.latents[0]!.factual).toBe(1);
    expect(solution.latents[0]!.value).toBeGreaterThan(1);
    expect(solution.targets).toEqual([{ node: 'stimulation', target: 2, residual: expect.any(Number) }]);
    expect(solution.share).toHaveLength(1);
    expect(solution.share[0]).toHaveLength(1);
    // openness rose, so security (loading −0.5) fell: the "inferred" part of the profile.
    expect(r.counterfactual.security).toBeLessThan(FULL.security);
    expect(r.actions).toContainEqual({
      node: 'openness',
      type: 'do',
      value: solution.latents[0]!.value,
      origin: 'structured',
    });
    const sec = r.explanation?.nodes.find((n) => n.node === 'security');
    expect(sec?.role).toBe('inferred');
    expect(sec?.contributions[0]?.intervention).toBe('stimulation');
  });

  it('explain: none omits the explanation; summary lists changed nodes with ≤3 paths; full lists every node', async () => {
    const q = {
      graph: 'mini-values',
      evidence: FULL,
      interventions: [{ node: 'openness', type: 'do', value: 2 }],
    };
    const none = await post({ ...q, explain: 'none' });
    expect(none.status).toBe(200);
    expect(none.body.result.explanation).toBeUndefined();

    const summary = await post(q);
    expect(summary.status).toBe(200);
    const ex = summary.body.result.explanation!;
    expect(ex.method).toBe('path-products');
    expect(ex.nodes.map((n) => n.node).sort()).toEqual(['adventure', 'openness', 'security', 'stimulation']);
    const adv = ex.nodes.find((n) => n.node === 'adventure')!;
    expect(adv.paths.length).toBeLessThanOrEqual(3);
    const sum = adv.contributions.reduce((s, c) => s + c.amount, 0);
    expect(sum).toBeCloseTo(adv.change, 12);

    const unchanged = await post({ ...q, interventions: [{ node: 'adventure', type: 'do', value: 0 }] });
    expect(unchanged.body.result.explanation?.nodes.map((n) => n.node)).toEqual(['adventure']);
    const full = await post({
      ...q,
      interventions: [{ node: 'adventure', type: 'do', value: 0 }],
      explain: 'full',
      maxPaths: 1,
    });
    expect(full.body.result.explanation?.nodes).toHaveLength(4);
    for (const n of full.body.result.explanation!.nodes) expect(n.paths.length).toBeLessThanOrEqual(1);
  });

  describe('on schwartz-10 (68 nodes)', () => {
    let big: FastifyInstance;
    beforeAll(async () => {
      big = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS });
    });
    afterAll(() => big.close());
    const q = {
      graph: 'schwartz-10',
      evidence: { benevolence: 0.8, power: -1.2, security: 0.3 },
      interventions: [{ node: 'stimulation', type: 'structured', value: 1 }],
    };
    const send = (extra: object) =>
      big.inject({ method: 'POST', url: '/v1/counterfactuals', payload: { ...q, ...extra } });
    const explanationOf = async (extra: object) => {
      const res = await send(extra);
      expect(res.statusCode).toBe(200);
      return (res.json() as Single).result.explanation!;
    };

    it('summary explains the acted-on nodes and the 10 largest changes; maxNodes sets how many', async () => {
      const full = await explanationOf({ explain: 'full', maxPaths: 3 });
      const changed = full.nodes.filter((n) => n.change !== 0 || n.role !== 'inferred');
      const acted = full.nodes.filter((n) => n.role === 'set' || n.role === 'structured');
      // stimulation (the target) and the two higher-order latents the structured action moved.
      expect(acted.map((n) => n.node).sort()).toEqual([
        'openness_conservation',
        'stimulation',
        'transcendence_enhancement',
      ]);
      const summary = await explanationOf({});
      expect(summary.nodes).toHaveLength(acted.length + 10);
      expect(summary.omittedNodes).toBe(changed.length - acted.length - 10);
      const smallestKept = Math.min(
        ...summary.nodes.filter((n) => n.role === 'inferred').map((n) => Math.abs(n.change)),
      );
      const kept = new Set(summary.nodes.map((n) => n.node));
      for (const n of full.nodes) {
        if (kept.has(n.node)) expect(summary.nodes.find((m) => m.node === n.node)).toEqual(n);
        else expect(Math.abs(n.change)).toBeLessThanOrEqual(smallestKept);
      }
      const two = await explanationOf({ maxNodes: 2 });
      expect(two.nodes).toHaveLength(acted.length + 2);
      expect(two.omittedNodes).toBe(changed.length - acted.length - 2);
      const everything = await explanationOf({ maxNodes: 1000 });
      expect(everything.nodes).toHaveLength(changed.length);
      expect(everything.omittedNodes).toBe(0);
    });

    it('nodes: the records and the explanation list only the nodes asked for, in that order', async () => {
      const all = (await send({ explain: 'full', maxPaths: 3 })).json() as Single;
      const nodes = ['universalism', 'stimulation', 'be_daring', 'power'];
      const res = await send({ explain: 'full', maxPaths: 3, nodes: [...nodes, 'power'] });
      expect(res.statusCode).toBe(200);
      const some = (res.json() as Single).result;
      for (const key of [
        'counterfactual',
        'counterfactualSd',
        'factual',
        'factualSd',
        'noise',
        'noiseSd',
      ] as const) {
        expect(Object.keys(some[key]!)).toEqual(nodes);
        for (const n of nodes) expect(some[key]![n]).toBe(all.result[key]![n]);
      }
      expect(some.actions).toEqual(all.result.actions);
      expect(some.explanation!.nodes).toEqual(
        all.result.explanation!.nodes.filter((n) => nodes.includes(n.node)),
      );
      // A batch: every result is cut the same way.
      const item = { evidence: q.evidence, interventions: q.interventions };
      const batch = (
        await send({ evidence: undefined, interventions: undefined, queries: [item, item], nodes: ['power'] })
      ).json() as Batch;
      expect(batch.results).toHaveLength(2);
      for (const item of batch.results) expect(Object.keys(ok(item).counterfactual)).toEqual(['power']);
      const bad = await send({ nodes: ['power', 'powr'] });
      expect(bad.statusCode).toBe(400);
      expectEnvelope(bad.json(), 'UNKNOWN_NODE');
      expect(bad.json().error.details).toMatchObject([{ path: 'nodes.1', node: 'powr' }]);
    });
  });

  it('an inline graph answers the same as the bundled copy, with source "inline"', async () => {
    const q = { evidence: FULL, interventions: [{ node: 'stimulation', type: 'do', value: 2 }] };
    const inline = await post({ graph: EXAMPLE_GRAPH, ...q });
    const bundled = await post({ graph: 'mini-values', ...q });
    expect(inline.status).toBe(200);
    expect(inline.body.graph.source).toBe('inline');
    expect(inline.body.graph.hash).toBe(bundled.body.graph.hash);
    expect(inline.body.result).toEqual(bundled.body.result);
  });

  it('a nonlinear graph explains with Shapley values and answers full evidence', async () => {
    const { status, body } = await post({
      graph: 'curve',
      evidence: { x: 1, y: 3 },
      interventions: [{ node: 'x', type: 'do', value: 2 }],
    });
    expect(status).toBe(200);
    expect(body.result.explanation?.method).toBe('shapley-exact');
    // y = x² + exp(x) + u: u = 3 − 1 − e.
    expect(body.result.counterfactual.y).toBeCloseTo(4 + Math.exp(2) + (3 - 1 - Math.E), 10);
  });

  it('a batch gets one item per query, in order, each a result or its own error', async () => {
    const { status, body } = await post<Batch>({
      graph: 'mini-values',
      queries: [
        { evidence: FULL, interventions: [{ node: 'stimulation', type: 'do', value: 2 }] },
        { evidence: { nope: 1 } },
        {
          evidence: FULL,
          interventions: [
            { node: 'openness', type: 'do', value: 0 },
            { node: 'openness', type: 'shift', value: 1 },
          ],
        },
        { evidence: { stimulation: 1 } },
      ],
      explain: 'none',
    });
    expect(status).toBe(200);
    expect(body.results.map((r) => [r.index, r.ok])).toEqual([
      [0, true],
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(ok(body.results[0]).counterfactual.adventure).toBeCloseTo(1.25, 12);
    expect(err(body.results[1]).code).toBe('UNKNOWN_NODE');
    expect(err(body.results[1]).details[0]).toMatchObject({ path: 'queries.1.evidence.nope', node: 'nope' });
    expect(err(body.results[2]).code).toBe('INVALID_QUERY');
    expect(err(body.results[2]).details[0]?.path).toBe('queries.2.interventions.1');
    expect(ok(body.results[3]).evidence).toBe('partial');
    expect(body.result).toBeUndefined();
  });
});

describe('POST /v1/counterfactuals: every bad input is a 4xx in the envelope', () => {
  const cases: Array<[string, unknown, number, string, string?]> = [
    ['graph missing', { evidence: FULL }, 400, 'VALIDATION_FAILED', 'graph'],
    ['graph of the wrong type', { graph: 5 }, 400, 'VALIDATION_FAILED', 'graph'],
    [
      'evidence of the wrong type',
      { graph: 'mini-values', evidence: [1, 2] },
      400,
      'VALIDATION_FAILED',
      'evidence',
    ],
    [
      'evidence value not a number',
      { graph: 'mini-values', evidence: { openness: '1' } },
      400,
      'VALIDATION_FAILED',
      'evidence.openness',
    ],
    [
      'unknown top-level field',
      { graph: 'mini-values', evidance: FULL },
      400,
      'VALIDATION_FAILED',
      'evidance',
    ],
    [
      'unknown field in an intervention',
      { graph: 'mini-values', interventions: [{ node: 'openness', type: 'do', value: 1, weight: 2 }] },
      400,
      'VALIDATION_FAILED',
      'interventions.0.weight',
    ],
    [
      'bad intervention type',
      { graph: 'mini-values', interventions: [{ node: 'openness', type: 'set', value: 1 }] },
      400,
      'VALIDATION_FAILED',
      'interventions.0.type',
    ],
    [
      'intervention without a value',
      { graph: 'mini-values', interventions: [{ node: 'openness', type: 'do' }] },
      400,
      'VALIDATION_FAILED',
      'interventions.0.value',
    ],
    ['negative lambda', { graph: 'mini-values', lambda: -1 }, 400, 'VALIDATION_FAILED', 'lambda'],
    ['bad explain level', { graph: 'mini-values', explain: 'verbose' }, 400, 'VALIDATION_FAILED', 'explain'],
    ['maxPaths 0', { graph: 'mini-values', maxPaths: 0 }, 400, 'VALIDATION_FAILED', 'maxPaths'],
    ['empty batch', { graph: 'mini-values', queries: [] }, 400, 'VALIDATION_FAILED', 'queries'],
    [
      'batch with top-level evidence too',
      { graph: 'mini-values', evidence: FULL, queries: [{ evidence: FULL }] },
      400,
      'VALIDATION_FAILED',
      'evidence',
    ],
    [
      'unknown field inside a batch item',
      { graph: 'mini-values', queries: [{ evidence: FULL, explain: 'none' }] },
      400,
      'VALIDATION_FAILED',
      'queries.0.explain',
    ],
    ['unknown graph id', { graph: 'schwartz-11' }, 404, 'UNKNOWN_GRAPH', 'graph'],
    [
      'unknown evidence node',
      { graph: 'mini-values', evidence: { opennes: 1 } },
      400,
      'UNKNOWN_NODE',
      'evidence.opennes',
    ],
    [
      'unknown intervention node',
      { graph: 'mini-values', interventions: [{ node: 'benevolence', type: 'do', value: 1 }] },
      400,
      'UNKNOWN_NODE',
      'interventions.0.node',
    ],
    [
      'the same node intervened on twice',
      {
        graph: 'mini-values',
        interventions: [
          { node: 'openness', type: 'do', value: 1 },
          { node: 'openness', type: 'do', value: 2 },
        ],
      },
      400,
      'INVALID_QUERY',
      'interventions.1',
    ],
    [
      'partial evidence on a nonlinear graph',
      { graph: 'curve', evidence: { x: 1 } },
      422,
      'UNSUPPORTED_QUERY',
      'evidence',
    ],
    [
      'evidence that overflows a nonlinear mechanism',
      { graph: 'curve', evidence: { x: 1000, y: 1 }, interventions: [{ node: 'x', type: 'do', value: 1 }] },
      422,
      'NON_FINITE_RESULT',
      '',
    ],
  ];

  it.each(cases)('%s', async (_name, payload, status, code, path) => {
    const res = await post(payload);
    expect(res.status).toBe(status);
    const e = expectEnvelope(res.body, code);
    if (path !== undefined) expect(e.details.map((d) => d.path)).toContain(path);
  });

  it('an inline graph with a cycle is GRAPH_CYCLE naming the cycle', async () => {
    const res = await post({ graph: CYCLIC_GRAPH });
    expect(res.status).toBe(400);
    const e = expectEnvelope(res.body, 'GRAPH_CYCLE');
    expect(e.message).toMatch(/cycle/);
    expect(e.message).toMatch(/a → b → a|b → a → b/);
    expect(e.details[0]).toMatchObject({ path: 'graph.edges' });
  });

  it('an inline graph with an unknown parent is GRAPH_INVALID naming the node', async () => {
    const bad = structuredClone(EXAMPLE_GRAPH) as typeof EXAMPLE_GRAPH;
    bad.edges.push(['ghost', 'adventure']);
    const res = await post({ graph: bad });
    expect(res.status).toBe(400);
    const e = expectEnvelope(res.body, 'GRAPH_INVALID');
    expect(e.details.some((d) => d.node === 'ghost' && d.path.startsWith('graph.edges'))).toBe(true);
  });

  it('an inline graph that breaks the graph schema lists the bad field with its path', async () => {
    const bad = structuredClone(EXAMPLE_GRAPH) as unknown as {
      nodes: Array<{ kind: string; mechanism: Record<string, unknown> }>;
    };
    bad.nodes[1].mechanism.noiseSd = 'big';
    bad.nodes[2].kind = 'feeling';
    const res = await post({ graph: bad });
    expect(res.status).toBe(400);
    const e = expectEnvelope(res.body, 'VALIDATION_FAILED');
    expect(e.details.map((d) => d.path).sort()).toEqual([
      'graph.nodes.1.mechanism.noiseSd',
      'graph.nodes.2.kind',
    ]);
  });

  it('an inline graph over MAX_INLINE_GRAPH_NODES is GRAPH_TOO_LARGE', async () => {
    const big = structuredClone(EXAMPLE_GRAPH) as unknown as { nodes: unknown[] };
    for (let i = 0; i < 10; i++)
      big.nodes.push({
        id: `n${i}`,
        kind: 'concept',
        label: 'n',
        mechanism: { type: 'root', mean: 0, sd: 1 },
      });
    const res = await post({ graph: big });
    expect(res.status).toBe(400);
    expectEnvelope(res.body, 'GRAPH_TOO_LARGE');
  });

  it('a batch over MAX_BATCH_SIZE is BATCH_TOO_LARGE, before its items are validated', async () => {
    const res = await post({
      graph: 'mini-values',
      queries: Array.from({ length: 6 }, () => ({ bogus: true })),
    });
    expect(res.status).toBe(400);
    const e = expectEnvelope(res.body, 'BATCH_TOO_LARGE');
    expect(e.message).toMatch(/6 queries; at most 5/);
    expect(e.details).toEqual([{ path: 'queries', message: e.message }]);
    const fits = await post<Batch>({
      graph: 'mini-values',
      queries: Array.from({ length: 5 }, () => ({ evidence: FULL })),
    });
    expect(fits.status).toBe(200);
    expect(fits.body.results).toHaveLength(5);
  });
});
