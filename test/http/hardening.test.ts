/**
 * Wrong numbers and wrong codes found by the red-team review (issue 18, items 6 and 9), through the
 * real app: nodes with built-in JavaScript names work everywhere (upload, diagram, counterfactuals,
 * attributions); `sqrt(-1)` is reported as outside the domain, not as an overflow; a `__proto__` key
 * is named as such, not as broken JSON.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ERROR_DETAILS } from '../../src/errors.js';
import { LogCapture, makeApp, startLive } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp();
});
afterAll(async () => app.close());

/** Root `parent` → `y` = expression + noise, as an inline graph. */
function parentAndChild(id: string, parent: string, expression: string) {
  const node = (nid: string, mechanism: Record<string, unknown>) => ({
    id: nid,
    kind: 'latent',
    label: nid,
    mechanism,
  });
  return {
    id,
    version: '1',
    nodes: [
      node(parent, { type: 'root', mean: 0, sd: 1 }),
      node('y', { type: 'expression', expression, noiseSd: 1 }),
    ],
    edges: [[parent, 'y']],
  };
}

const NAMES = ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__'];

describe('built-in JavaScript names as node ids', () => {
  const graph = {
    id: 'js-names',
    version: '1',
    nodes: [
      ...NAMES.map((n) => ({ id: n, kind: 'value', label: n, mechanism: { type: 'root', mean: 0, sd: 1 } })),
      {
        id: 'c1',
        kind: 'concept',
        label: 'c1',
        phrases: ['family', 'tradition'],
        mechanism: {
          type: 'linear',
          intercept: 0,
          coefficients: Object.fromEntries(NAMES.map((n) => [n, 0.5])),
          noiseSd: 0.5,
        },
      },
    ],
    edges: NAMES.map((n) => [n, 'c1']),
  };

  it('are stored, drawn, and answered with numbers', async () => {
    const up = await app.inject({ method: 'POST', url: '/v1/graphs', payload: graph });
    expect(up.statusCode).toBe(201);
    const svg = await app.inject({ method: 'GET', url: '/v1/graphs/js-names/diagram.svg' });
    expect(svg.statusCode).toBe(200);
    expect(svg.body).toContain('constructor');
    const cf = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: {
        graph: 'js-names',
        evidence: Object.fromEntries([...NAMES.map((n) => [n, 1]), ['c1', 3]]),
        interventions: [{ node: 'toString', type: 'do', value: 2 }],
      },
    });
    expect(cf.statusCode).toBe(200);
    const result = cf.json().result as { counterfactual: Record<string, number> };
    expect(result.counterfactual.toString).toBe(2);
    expect(result.counterfactual.c1).toBeCloseTo(3.5, 12); // + 0.5 × (2 − 1)
    const attr = await app.inject({
      method: 'POST',
      url: '/v1/attributions',
      payload: { graph: 'js-names', text: 'My family and our tradition matter most.' },
    });
    expect(attr.statusCode).toBe(200);
    const values = attr.json().values as Array<{ value: string; mean: number | null }>;
    expect(values.map((v) => v.value).sort()).toEqual([...NAMES].sort());
    for (const v of values) expect(typeof v.mean).toBe('number');
  });

  it('a parent named "constructor" without a coefficient is refused (400 GRAPH_INVALID)', async () => {
    const bad = structuredClone(graph);
    bad.id = 'js-names-bad';
    const mechanism = bad.nodes.at(-1)!.mechanism as { coefficients: Record<string, number> };
    mechanism.coefficients = Object.fromEntries(
      Object.entries(mechanism.coefficients).filter(([k]) => k !== 'constructor'),
    );
    const up = await app.inject({ method: 'POST', url: '/v1/graphs', payload: bad });
    expect(up.statusCode).toBe(400);
    expect(up.json().error.code).toBe('GRAPH_INVALID');
    expect(up.json().error.message).toMatch(/parent "constructor".*no coefficient/);
  });

  it('"a + toString" without the edge is a 400 naming the symbol, not a 500', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: {
        graph: parentAndChild('expr', 'a', 'a + toString'),
        evidence: { a: 1, y: 2 },
        interventions: [],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('GRAPH_INVALID');
    expect(res.json().error.message).toMatch(/"toString", which is not a parent/);
  });
});

describe('clear messages', () => {
  it('sqrt of a negative number is reported as outside the domain (422), not as an overflow', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: {
        graph: parentAndChild('root-of', 'x', 'sqrt(x)'),
        evidence: { x: -1, y: 0 },
        interventions: [{ node: 'x', type: 'do', value: 4 }],
      },
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().error.code).toBe('NON_FINITE_RESULT');
    expect(res.json().error.message).toMatch(/outside its domain/);
    expect(res.json().error.message).not.toMatch(/overflow/);
  });

  it('evidence of 1e17 (beyond what a double resolves against the graph scale) is a 400 naming the bound', async () => {
    // x ~ N(0, 1), y = x + N(0, 1): the graph's scale is 1, so values up to 1e8 are accepted.
    const graph = parentAndChild('huge-values', 'x', 'x');
    for (const big of [1e15, 1e17]) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/counterfactuals',
        payload: {
          graph,
          evidence: { x: big, y: big + 3.12 },
          interventions: [{ node: 'x', type: 'do', value: 0 }],
        },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_QUERY');
      expect(res.json().error.message).toMatch(
        /evidence on "x" is 1(0{15}|0{17}); it must be at most 1\.00e\+8/,
      );
    }
    const ok = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: {
        graph,
        evidence: { x: 1e6, y: 1e6 + 3.12 },
        interventions: [{ node: 'x', type: 'do', value: 0 }],
      },
    });
    expect(ok.statusCode).toBe(200);
    expect(Math.abs(ok.json().result.counterfactual.y - 3.12)).toBeLessThan(1e-8);
  });

  it('a "__proto__" evidence key is named, not called broken JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': 'application/json' },
      payload: '{"graph":"mini-values","evidence":{"__proto__":5}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MALFORMED_JSON');
    expect(res.json().error.message).toMatch(/"__proto__" key/);
    expect(res.json().error.message).not.toMatch(/check quotes/);
  });
});

describe('logs', () => {
  it('a key sent as ?api_key= (or ?token=) is not logged', async () => {
    const capture = new LogCapture();
    const live = await startLive({ LOG_LEVEL: 'info' }, { logger: true, logStream: capture });
    try {
      const res = await fetch(`${live.url}/v1/graphs?api_key=sk-query-secret-1&x=1&token=sk-query-secret-2`);
      await res.arrayBuffer();
    } finally {
      await live.close();
    }
    const text = capture.raw.join('\n');
    expect(text).not.toContain('sk-query-secret');
    const urls = capture.lines.map((l) => (l.req as { url?: string } | undefined)?.url).filter(Boolean);
    expect(urls).toContain('/v1/graphs?api_key=[redacted]&x=1&token=[redacted]');
  });
});

describe('error bodies are capped', () => {
  it('5,000 unknown evidence keys: a 400 listing 100 of them and how many more', async () => {
    const evidence = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`unknown_${i}`, 1]));
    const res = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: { graph: 'mini-values', evidence, interventions: [] },
    });
    expect(res.statusCode).toBe(400);
    const details = res.json().error.details as Array<{ path: string; message: string }>;
    expect(details).toHaveLength(MAX_ERROR_DETAILS + 1);
    expect(details.at(-1)!.message).toBe(
      `…and ${5000 - MAX_ERROR_DETAILS} more problems of the same request`,
    );
    expect(res.body.length).toBeLessThan(50_000);
  });
});
