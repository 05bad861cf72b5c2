/**
 * For every error example documented in openapi.yaml (schemas/api.ts ERROR_EXAMPLES), a request that
 * produces it: test/http/examples.test.ts sends each one and compares the answer with the example.
 * `app` says which graphs the server has: `bundled` is schwartz-10 alone, `fixture` the test graphs (for
 * the nonlinear `curve`); `secured` is the fixture with API keys (`SECURED_ENV`), `limited` the fixture
 * with a per-IP limit of one request. `before` are requests sent first (to fill a quota, say).
 */
import type { InjectOptions } from 'fastify';
import { EXAMPLE_CUSTOM_GRAPH, EXAMPLE_GRAPH } from '../../schemas/api.js';
import type { ErrorCode } from '../../src/errors.js';
import { sinChain } from '../compute/graphs.js';

const post = (url: string, payload: object): InjectOptions => ({ method: 'POST', url, payload });

/** The keys of the `secured` app (test keys, not secrets). */
export const EXAMPLE_KEYS = {
  reader: 'reader-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef',
  batcher: 'batcher-key-0123456789abcdef',
};
export const SECURED_ENV = {
  API_KEYS: JSON.stringify([
    { name: 'reader', key: EXAMPLE_KEYS.reader, scopes: ['read'] },
    { name: 'admin', key: EXAMPLE_KEYS.admin, scopes: ['admin'] },
    { name: 'batcher', key: EXAMPLE_KEYS.batcher, scopes: ['align'] },
  ]),
  MAX_CUSTOM_GRAPHS: '1',
  BATCH_QUOTA_LINES: '1',
};
// Loopback clients are exempt from the per-IP limit without keys unless RATE_LIMIT_LOOPBACK is on.
export const LIMITED_ENV = { RATE_LIMIT_PER_IP: '1', RATE_LIMIT_LOOPBACK: 'true' };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export const CYCLIC_GRAPH = {
  id: 'loop',
  version: '1',
  nodes: [
    { id: 'r', kind: 'latent', label: 'r', mechanism: { type: 'root', mean: 0, sd: 1 } },
    {
      id: 'a',
      kind: 'value',
      label: 'a',
      mechanism: { type: 'linear', intercept: 0, coefficients: { r: 1, b: 1 }, noiseSd: 1 },
    },
    {
      id: 'b',
      kind: 'value',
      label: 'b',
      mechanism: { type: 'linear', intercept: 0, coefficients: { a: 1 }, noiseSd: 1 },
    },
  ],
  edges: [
    ['r', 'a'],
    ['b', 'a'],
    ['a', 'b'],
  ],
};

function manyNodes(n: number) {
  const g = structuredClone(EXAMPLE_GRAPH);
  for (let i = g.nodes.length; i < n; i++) {
    g.nodes.push({
      id: `c${i}`,
      kind: 'concept',
      label: `c${i}`,
      mechanism: { type: 'root', mean: 0, sd: 1 },
    });
  }
  return g;
}

const ACCESS_EXAMPLE_REQUESTS: typeof ERROR_EXAMPLE_REQUESTS = {
  AUTH_REQUIRED: { app: 'secured', request: { method: 'GET', url: '/v1/graphs' } },
  INVALID_API_KEY: {
    app: 'secured',
    request: { method: 'GET', url: '/v1/graphs', headers: bearer('not-a-key-0000000000000000') },
  },
  INSUFFICIENT_SCOPE: {
    app: 'secured',
    request: { ...post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH), headers: bearer(EXAMPLE_KEYS.reader) },
  },
  GRAPH_QUOTA_EXCEEDED: {
    app: 'secured',
    before: [
      {
        ...post('/v1/graphs', { ...EXAMPLE_CUSTOM_GRAPH, id: 'another-graph' }),
        headers: bearer(EXAMPLE_KEYS.admin),
      },
    ],
    request: { ...post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH), headers: bearer(EXAMPLE_KEYS.admin) },
  },
  BATCH_QUOTA_EXCEEDED: {
    app: 'secured',
    request: {
      method: 'POST',
      url: '/v1/batches',
      headers: { 'content-type': 'application/jsonl', ...bearer(EXAMPLE_KEYS.batcher) },
      payload: [
        '{"custom_id":"a","url":"/v1/attributions","body":{"text":"I help my family."}}',
        '{"custom_id":"b","url":"/v1/attributions","body":{"text":"I keep my promises."}}',
      ].join('\n'),
    },
  },
  RATE_LIMITED: {
    app: 'limited',
    before: [{ method: 'GET', url: '/v1/presets' }],
    request: { method: 'GET', url: '/v1/presets' },
  },
  JSON_TOO_DEEP: {
    app: 'fixture',
    request: {
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': 'application/json' },
      payload: `{"graph": ${'['.repeat(65)}${']'.repeat(65)}}`,
    },
  },
  UNKNOWN_GRAPH_VERSION: {
    app: 'fixture',
    request: { method: 'GET', url: '/v1/graphs/mini-values?version=0123456789abcdef' },
  },
  GRAPH_EXISTS: {
    app: 'fixture',
    before: [post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH)],
    request: post('/v1/graphs', EXAMPLE_CUSTOM_GRAPH),
  },
  GRAPH_READ_ONLY: { app: 'fixture', request: post('/v1/graphs', EXAMPLE_GRAPH) },
};

export const ERROR_EXAMPLE_REQUESTS: Partial<
  Record<
    ErrorCode,
    { app: 'bundled' | 'fixture' | 'secured' | 'limited'; request: InjectOptions; before?: InjectOptions[] }
  >
> = {
  ...ACCESS_EXAMPLE_REQUESTS,
  BATCH_INVALID_INPUT: {
    app: 'bundled',
    request: post('/v1/batches', {
      input: [
        '{"custom_id":"a","url":"/v1/align","body":{}}',
        'not json',
        '{"custom_id":"a","url":"/v1/nope","body":{}}',
      ].join('\n'),
    }),
  },
  BATCH_TOO_MANY_LINES: {
    app: 'bundled',
    request: {
      method: 'POST',
      url: '/v1/batches',
      headers: { 'content-type': 'application/jsonl' },
      payload: '{}\n'.repeat(50_001),
    },
  },
  // A 1,000-node sin() chain with a shift on every node: the sampled explanation is about a minute of
  // work, stopped on its worker thread after COUNTERFACTUAL_BUDGET_MS (1000 ms by default).
  WORK_BUDGET_EXCEEDED: {
    app: 'bundled',
    request: post('/v1/counterfactuals', budgetBuster()),
  },
  UNKNOWN_EXPLANATION: {
    app: 'bundled',
    request: { method: 'GET', url: '/v1/explanations/expl_0123456789abcdef01234567' },
  },
  UNKNOWN_BATCH: {
    app: 'bundled',
    request: { method: 'GET', url: '/v1/batches/batch_0123456789abcdef01234567' },
  },
  VALIDATION_FAILED: {
    app: 'bundled',
    request: post('/v1/counterfactuals', {
      graph: 'schwartz-10',
      interventions: [{ node: 'security', type: 'set', value: 1 }],
    }),
  },
  MALFORMED_JSON: {
    app: 'bundled',
    request: {
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': 'application/json' },
      payload: '{"graph": "schwartz-10",}',
    },
  },
  UNKNOWN_NODE: {
    app: 'bundled',
    request: post('/v1/counterfactuals', { graph: 'schwartz-10', evidence: { benevolense: 1 } }),
  },
  INVALID_QUERY: {
    app: 'bundled',
    request: post('/v1/counterfactuals', {
      graph: 'schwartz-10',
      interventions: [
        { node: 'security', type: 'do', value: 1 },
        { node: 'security', type: 'shift', value: 1 },
      ],
    }),
  },
  GRAPH_INVALID: {
    app: 'bundled',
    request: post('/v1/counterfactuals', {
      graph: { ...EXAMPLE_GRAPH, edges: [...EXAMPLE_GRAPH.edges, ['ghost', 'adventure']] },
    }),
  },
  GRAPH_CYCLE: { app: 'bundled', request: post('/v1/counterfactuals', { graph: CYCLIC_GRAPH }) },
  GRAPH_TOO_LARGE: { app: 'bundled', request: post('/v1/counterfactuals', { graph: manyNodes(1001) }) },
  BATCH_TOO_LARGE: {
    app: 'bundled',
    request: post('/v1/counterfactuals', {
      graph: 'schwartz-10',
      queries: Array.from({ length: 150 }, () => ({})),
    }),
  },
  UNKNOWN_GRAPH: { app: 'bundled', request: post('/v1/counterfactuals', { graph: 'schwartz-11' }) },
  BODY_TOO_LARGE: {
    app: 'bundled',
    request: post('/v1/counterfactuals', { graph: 'schwartz-10', pad: 'x'.repeat(1024 * 1024) }),
  },
  UNSUPPORTED_MEDIA_TYPE: {
    app: 'bundled',
    request: {
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': 'text/plain' },
      payload: 'schwartz-10',
    },
  },
  UNSUPPORTED_QUERY: {
    app: 'fixture',
    request: post('/v1/counterfactuals', { graph: 'curve', evidence: { x: 1 } }),
  },
  NON_FINITE_RESULT: {
    app: 'fixture',
    request: post('/v1/counterfactuals', {
      graph: 'curve',
      evidence: { x: 1000, y: 0 },
      interventions: [{ node: 'x', type: 'do', value: 0 }],
    }),
  },
  INVALID_PROFILE: {
    app: 'bundled',
    request: post('/v1/profiles/convert', {
      profile: { format: 'likert5', values: { security: 7 } },
      to: 'centered',
    }),
  },
  UNKNOWN_VALUE: {
    app: 'bundled',
    request: post('/v1/profiles/convert', {
      profile: { format: 'likert5', values: { securty: 5 } },
      to: 'centered',
    }),
  },
  UNKNOWN_PRESET: {
    app: 'bundled',
    request: post('/v1/align', {
      question: 'Is it fine to skip a family dinner?',
      target: { values: { benevolence: 5 } },
      factual: { preset: 'human:nobody' },
    }),
  },
  GENERATOR_UNAVAILABLE: {
    app: 'bundled',
    request: post('/v1/align', {
      question: 'Is it fine to skip a family dinner?',
      target: { values: { benevolence: 5 } },
      generator: 'openai',
    }),
  },
  ATTRIBUTION_UNSUPPORTED_GRAPH: {
    app: 'fixture',
    request: post('/v1/attributions', { text: 'I help my family.', graph: 'curve' }),
  },
};

function budgetBuster() {
  const graph = sinChain(1000);
  return {
    graph,
    evidence: Object.fromEntries(graph.nodes.map((n, i) => [n.id, (i % 7) / 10])),
    interventions: graph.nodes.map((n) => ({ node: n.id, type: 'shift', value: 0.5 })),
  };
}
