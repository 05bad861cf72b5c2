/**
 * The counterfactual response after the route's fast paths (records built by a compiled literal once a
 * node list is seen again, the engine's explanation sent without a copy): byte for byte the response
 * the engine's own records give, on the first answer and on later ones, for the bench's requests and
 * others (selection, full explanation, batch, inline graph). RESPONSE_VALIDATION is on (helpers.ts),
 * so each response also matches its schema exactly.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { counterfactual, toRecord } from '../../src/scm/index.js';
import { GraphStore } from '../../src/graphs/store.js';
import { SCHWARTZ_10 } from '../fixtures/value-systems.js';
import { BUNDLED_GRAPHS, makeApp, testConfig } from './helpers.js';

const VALUES = SCHWARTZ_10.values.map((v) => v.id);
const DEFAULT = {
  graph: 'schwartz-10',
  evidence: { benevolence: 0.8, power: -1.2, security: 0.3 },
  interventions: [{ node: 'stimulation', type: 'structured', value: 1 }],
  explain: 'summary',
};
const REQUESTS: Array<[string, Record<string, unknown>]> = [
  ['default', DEFAULT],
  ['values only, explain none', { ...DEFAULT, nodes: VALUES, explain: 'none' }],
  ['values only, summary', { ...DEFAULT, nodes: VALUES }],
  ['explain none', { ...DEFAULT, explain: 'none' }],
  [
    'full explanation, do',
    { ...DEFAULT, interventions: [{ node: 'power', type: 'do', value: 1 }], explain: 'full' },
  ],
  [
    'batch',
    {
      graph: 'schwartz-10',
      queries: [
        { evidence: { hedonism: 1 }, interventions: [{ node: 'security', type: 'shift', value: -0.5 }] },
        { evidence: { tradition: -1 }, interventions: [{ node: 'nope', type: 'do', value: 1 }] },
      ],
      nodes: ['power', 'hedonism'],
    },
  ],
];

let app: FastifyInstance;
let store: GraphStore;
beforeAll(async () => {
  const config = testConfig({ GRAPHS_DIR: BUNDLED_GRAPHS });
  store = await GraphStore.connect(config);
  app = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS }, { store });
});
afterAll(async () => {
  await app.close();
  await store.close();
});

async function post(payload: unknown): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/v1/counterfactuals', payload: payload as object });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return res.body;
}

describe('POST /v1/counterfactuals response text', () => {
  it('is the same on the first answer and on later ones (loop-built vs compiled records)', async () => {
    for (const [what, body] of REQUESTS) {
      const first = await post(body);
      for (let i = 0; i < 3; i++) expect(await post(body), what).toBe(first);
      expect(JSON.stringify(JSON.parse(first)), what).toBe(first);
    }
  });

  it("holds the engine's records, keys in the graph's (or the selection's) order", async () => {
    const program = store.get('schwartz-10').program;
    const q = {
      evidence: DEFAULT.evidence,
      interventions: [{ node: 'stimulation', type: 'structured' as const, value: 1 }],
    };
    const r = counterfactual(program, q);
    for (const nodes of [undefined, VALUES, ['power', 'openness_conservation', 'be_creative']]) {
      const only = nodes?.map((id) => program.index.get(id)!) ?? null;
      for (let i = 0; i < 3; i++) {
        const body = JSON.parse(await post({ ...DEFAULT, explain: 'none', ...(nodes ? { nodes } : {}) }));
        for (const field of [
          'counterfactual',
          'factual',
          'noise',
          'counterfactualSd',
          'factualSd',
          'noiseSd',
        ] as const) {
          const want = toRecord(r.nodes, r[field]!, only);
          expect(JSON.stringify(body.result[field]), field).toBe(JSON.stringify(want));
        }
      }
    }
  });

  it('an inline graph (compiled per request) answers the same as its bundled twin', async () => {
    const file = store.get('schwartz-10').file;
    const inline = JSON.parse(await post({ ...DEFAULT, graph: file, explain: 'none', nodes: VALUES }));
    const bundled = JSON.parse(await post({ ...DEFAULT, explain: 'none', nodes: VALUES }));
    expect(inline.graph.source).toBe('inline');
    expect(inline.result).toEqual(bundled.result);
  });
});
