/**
 * No input gets a 5xx: random bodies, random mutations of valid requests and random raw bytes all get
 * a 2xx or a 4xx in the envelope. Seeded (FC_SEED overrides) so a failure reproduces.
 */
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_GRAPH } from '../../schemas/api.js';
import { ERROR_CODES } from '../../src/http/errors.js';
import { makeApp } from './helpers.js';

const SEED = Number(process.env.FC_SEED ?? 20261126);
const RUNS = 200;

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp({ MAX_BATCH_SIZE: '8' });
});
afterAll(() => app.close());

async function check(url: string, payload: string) {
  const res = await app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload,
  });
  expect(res.statusCode, `${url} ${payload} → ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = res.json() as { error: { code: string; message: string; details: unknown[] } };
    expect(ERROR_CODES).toContain(body.error.code);
    expect(Array.isArray(body.error.details)).toBe(true);
  }
  return res.statusCode;
}

const nodeName = fc.constantFrom(
  'openness',
  'stimulation',
  'security',
  'adventure',
  'x',
  'y',
  '',
  'toString',
  '__proto__',
);
const num = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324),
);
const intervention = fc.record(
  { node: nodeName, type: fc.constantFrom('do', 'shift', 'structured', 'set'), value: num },
  { requiredKeys: [] },
);
const query = fc.record(
  {
    evidence: fc.dictionary(nodeName, num),
    interventions: fc.array(intervention, { maxLength: 4 }),
    lambda: num,
  },
  { requiredKeys: [] },
);
const graph = fc.oneof(
  fc.constantFrom('mini-values', 'curve', 'nope', ''),
  fc.constant(EXAMPLE_GRAPH),
  fc.anything(),
);
const wild = fc.record(
  {
    graph,
    evidence: fc.dictionary(nodeName, num),
    interventions: fc.array(intervention, { maxLength: 4 }),
    lambda: num,
    queries: fc.array(query, { maxLength: 10 }),
    explain: fc.constantFrom('none', 'summary', 'full', 'all'),
    maxPaths: fc.integer({ min: -2, max: 200 }),
  },
  { requiredKeys: ['graph'] },
);
// Mostly well-formed requests on the linear example graph (any numbers, any interventions).
const goodNode = fc.constantFrom('openness', 'stimulation', 'security', 'adventure');
const wellFormed = fc.record(
  {
    graph: fc.constantFrom<unknown>('mini-values', EXAMPLE_GRAPH),
    evidence: fc.dictionary(goodNode, num),
    interventions: fc.uniqueArray(
      fc.record({ node: goodNode, type: fc.constantFrom('do', 'shift', 'structured'), value: num }),
      { maxLength: 3, selector: (i) => i.node },
    ),
    lambda: fc.double({ min: 0, max: 1e6, noNaN: true }),
    explain: fc.constantFrom('none', 'summary', 'full'),
  },
  { requiredKeys: ['graph'] },
);
const request = fc.oneof(wild, wellFormed);

describe('no input gets a 5xx', () => {
  it('structured random counterfactual requests', async () => {
    const statuses = new Set<number>();
    await fc.assert(
      fc.asyncProperty(request, async (body) => {
        statuses.add(await check('/v1/counterfactuals', JSON.stringify(body)));
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(statuses.has(200)).toBe(true); // the generator reaches valid requests too
    expect([...statuses].some((s) => s >= 400)).toBe(true);
  });

  it('random JSON values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue(),
        fc.constantFrom('/v1/counterfactuals', '/v1/profiles/convert'),
        async (body, url) => {
          await check(url, JSON.stringify(body));
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('random text as a JSON body', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (text) => {
        await check('/v1/counterfactuals', text);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('random inline graphs', async () => {
    const mech = fc.oneof(
      fc.record({ type: fc.constant('root'), mean: num, sd: num }),
      fc.record({
        type: fc.constant('linear'),
        intercept: num,
        coefficients: fc.dictionary(nodeName, num),
        noiseSd: num,
      }),
      fc.record({
        type: fc.constant('expression'),
        expression: fc.constantFrom('x^2', 'exp(x)', 'y/0', 'log(x)', 'x +', 'import("fs")'),
        noiseSd: num,
      }),
    );
    const g = fc.record({
      id: fc.constantFrom('g', 'G!', 'ok-graph'),
      version: fc.constant('1'),
      nodes: fc.array(
        fc.record({
          id: nodeName,
          kind: fc.constantFrom('latent', 'value', 'concept'),
          label: fc.constant('n'),
          mechanism: mech,
        }),
        {
          maxLength: 5,
        },
      ),
      edges: fc.array(fc.tuple(nodeName, nodeName), { maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(g, fc.dictionary(nodeName, num), async (graphDef, evidence) => {
        await check('/v1/counterfactuals', JSON.stringify({ graph: graphDef, evidence }));
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
