/**
 * POST /v1/decisions on a real server (127.0.0.1) with the bundled graphs: the ranking and its parts,
 * the response against openapi.yaml's 200 response of the route (Ajv, JSON Schema 2020-12), bad input → a clear
 * 4xx, and `mode: "llm"` against the fake OpenAI-compatible upstream (one call per decision, its
 * failure modes).
 */
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { DecisionResponse } from '../../schemas/decisions.js';
import { closedPortUrl, startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';
import { BUNDLED_GRAPHS, ROOT, expectEnvelope, startLive, type Live } from './helpers.js';

type Decision = z.output<typeof DecisionResponse>;
type OpenApiDoc = {
  paths: Record<
    string,
    { post: { responses: Record<string, { content: Record<string, { schema: object }> }> } }
  >;
};

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { res, json: () => JSON.parse(text) as Decision };
}

const SCENARIO =
  'You and your flatmate come home thirsty from a long walk. One bottle of cold lemonade is left in the fridge you share.';
const ACTIONS = [
  'Drink it all without asking',
  'Pour two glasses and share it equally',
  'Stay on the couch and do nothing',
  'Try mixing it with something new to make a drink you never tasted',
];
/** A person for whom fairness matters most (likert 1 + 4 × score). */
const FAIR = {
  format: 'likert5',
  values: { fairness: 5, intimacy: 4, curiosity: 2, energy: 2, safety: 3, happiness: 2 },
};

describe('POST /v1/decisions (embedded)', () => {
  let live: Live;
  let validate: (x: unknown) => boolean;
  let errors: () => unknown;
  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
    const doc = (await SwaggerParser.dereference(join(ROOT, 'openapi.yaml'))) as unknown as OpenApiDoc;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const v = ajv.compile(
      doc.paths['/v1/decisions'].post.responses['200'].content['application/json'].schema,
    );
    validate = (x) => v(x) as boolean;
    errors = () => v.errors;
  });
  afterAll(() => live.close());

  it('ranks the actions for the profile, every part present, and the body validates against openapi.yaml', async () => {
    const { res, json } = await post(`${live.url}/v1/decisions`, {
      scenario: SCENARIO,
      actions: ACTIONS,
      target: FAIR,
      graph: 'valuepilot-6',
    });
    expect(res.status).toBe(200);
    const body = json();
    expect(validate(body), JSON.stringify(errors())).toBe(true);
    expect(body.mode).toBe('embedded');
    expect(body.method).toBe('weighted-sum');
    expect(body.reader.kind).toBe('learned');
    expect([...body.ranking].sort()).toEqual([0, 1, 2, 3]);
    // Sharing equally comes first for this person; taking it all without asking is ranked below it.
    expect(body.ranking[0]).toBe(1);
    expect(body.ranking.indexOf(0)).toBeGreaterThan(body.ranking.indexOf(1));
    const taking = body.actions[0]!;
    const fairness = taking.values.find((v) => v.value === 'fairness')!;
    expect(fairness.relevance).toBeLessThan(0);
    expect(fairness.sd).toBeGreaterThan(0);
    expect(taking.evidence!.some((e) => e.sources.some((s) => s.kind === 'contra'))).toBe(true);
    // Weighted sum: contributions add up to the score; ranks follow the scores.
    for (const a of body.actions) {
      const sum = a.values.reduce((s, v) => s + v.contribution, 0);
      expect(sum).toBeCloseTo(a.score, 3);
      expect(a.rank).toBe(body.ranking.indexOf(a.index) + 1);
    }
    // The profile used: the target as given, the weights from its levels.
    const fair = body.profile.values.find((v) => v.value === 'fairness');
    expect(fair).toMatchObject({ status: 'set', likert5: 5 });
    const total = body.profile.values.reduce((s, v) => s + v.weight, 0);
    expect(total).toBeCloseTo(1, 3);
    expect(body.explanation.top).toBe(body.ranking[0]);
    expect(body.explanation.runnerUp).toBe(body.ranking[1]);
    expect(body.explanation.text).toContain('Pour two glasses');
    expect(body.usage.upstreamCalls).toBe(0);
  });

  it('completes a partial target through the structured action and serves topsis and promethee', async () => {
    for (const method of ['topsis', 'promethee'] as const) {
      const { res, json } = await post(`${live.url}/v1/decisions`, {
        scenario: SCENARIO,
        actions: ACTIONS,
        target: { values: { curiosity: 5, fairness: 1 } },
        graph: 'valuepilot-6',
        method,
      });
      expect(res.status).toBe(200);
      const body = json();
      expect(validate(body), JSON.stringify(errors())).toBe(true);
      expect(body.method).toBe(method);
      const inferred = body.profile.values.filter((v) => v.status === 'inferred').map((v) => v.value);
      expect(inferred.sort()).toEqual(['energy', 'happiness', 'intimacy', 'safety']);
      // The curious person ranks the new drink above sharing.
      expect(body.ranking.indexOf(3)).toBeLessThan(body.ranking.indexOf(1));
    }
  });

  it('works on another graph (schwartz-10, the default)', async () => {
    const { res, json } = await post(`${live.url}/v1/decisions`, {
      scenario: SCENARIO,
      actions: ACTIONS,
      target: { values: { universalism: 5, benevolence: 5, hedonism: 1 } },
    });
    expect(res.status).toBe(200);
    expect(json().graph.id).toBe('schwartz-10');
    expect(json().actions[0].values).toHaveLength(10);
  });

  it.each([
    ['one action', { actions: ['Drink it'] }, 'VALIDATION_FAILED', /at least 2 actions/],
    [
      '21 actions',
      { actions: Array.from({ length: 21 }, (_, i) => `Action ${i}`) },
      'VALIDATION_FAILED',
      /at most 20 actions/,
    ],
    ['an empty action', { actions: ['Drink it', '   '] }, 'VALIDATION_FAILED', /must not be empty/],
    ['an empty scenario', { scenario: ' ' }, 'VALIDATION_FAILED', /scenario must not be empty/],
    ['an unknown value', { target: { values: { bravery: 5 } } }, 'UNKNOWN_VALUE', /bravery/],
    ['an out-of-range score', { target: { values: { fairness: 9 } } }, 'INVALID_PROFILE', /fairness/],
    ['an unknown method', { method: 'borda' }, 'VALIDATION_FAILED', /method/],
  ])('%s → 400 %s', async (_name, patch, code, message) => {
    const { res, json } = await post(`${live.url}/v1/decisions`, {
      scenario: SCENARIO,
      actions: ACTIONS,
      target: FAIR,
      graph: 'valuepilot-6',
      ...patch,
    });
    expect(res.status).toBe(400);
    const e = expectEnvelope(json(), code);
    expect(`${e.message} ${JSON.stringify(e.details)}`).toMatch(message);
  });

  it('an unknown graph → 404; llm mode without a backend → 400 GENERATOR_UNAVAILABLE', async () => {
    const a = await post(`${live.url}/v1/decisions`, {
      scenario: SCENARIO,
      actions: ACTIONS,
      target: FAIR,
      graph: 'nope',
    });
    expect(a.res.status).toBe(404);
    expectEnvelope(a.json(), 'UNKNOWN_GRAPH');
    const b = await post(`${live.url}/v1/decisions`, {
      scenario: SCENARIO,
      actions: ACTIONS,
      target: FAIR,
      graph: 'valuepilot-6',
      mode: 'llm',
    });
    expect(b.res.status).toBe(400);
    expect(expectEnvelope(b.json(), 'GENERATOR_UNAVAILABLE').message).toMatch(/OPENAI_BASE_URL/);
  });
});

describe('POST /v1/decisions on a graph the posterior cannot read', () => {
  it('a nonlinear graph (test/fixtures/http-graphs/curve.json) → 422 UNSUPPORTED_QUERY, not a 5xx', async () => {
    const live = await startLive();
    try {
      const { res, json } = await post(`${live.url}/v1/decisions`, {
        scenario: SCENARIO,
        actions: ['Help them', 'Walk away'],
        target: { values: { y: 5 } },
        graph: 'curve',
      });
      expect(res.status).toBe(422);
      expect(expectEnvelope(json(), 'UNSUPPORTED_QUERY').message).toMatch(/linear/);
    } finally {
      await live.close();
    }
  });
});

describe('POST /v1/decisions (llm, fake upstream)', () => {
  let fake: FakeOpenAI;
  let live: Live;
  const env = (url: string) => ({
    GRAPHS_DIR: BUNDLED_GRAPHS,
    OPENAI_BASE_URL: url,
    OPENAI_MODEL: 'fake-model',
    UPSTREAM_DEADLINE_MS: '1500',
    UPSTREAM_BACKOFF_BASE_MS: '20',
    UPSTREAM_BACKOFF_MAX_MS: '50',
    UPSTREAM_BREAKER_THRESHOLD: '0',
  });
  const body = {
    scenario: SCENARIO,
    actions: ACTIONS.slice(0, 2),
    target: FAIR,
    graph: 'valuepilot-6',
    mode: 'llm',
  };
  const row = (fairness: number) => ({
    curiosity: 0,
    energy: 0,
    safety: 0,
    happiness: 1,
    intimacy: 0,
    fairness,
  });
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    live = await startLive(env(fake.url));
  });
  afterAll(async () => {
    await live.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('makes exactly one upstream call with a strict JSON schema and ranks by the ratings', async () => {
    fake.script({ type: 'ok', text: JSON.stringify({ a1: row(-2), a2: row(2) }) });
    const { res, json } = await post(`${live.url}/v1/decisions`, body);
    expect(res.status).toBe(200);
    expect(fake.chatRequests()).toHaveLength(1);
    const sent = fake.chatRequests()[0]!.body as {
      response_format: { type: string; json_schema: { schema: { required: string[] } } };
      messages: unknown;
    };
    expect(sent.response_format.type).toBe('json_schema');
    expect(sent.response_format.json_schema.schema.required).toEqual(['a1', 'a2']);
    expect(JSON.stringify(sent.messages)).toContain('Drink it all without asking');
    const b = json();
    expect(b.ranking).toEqual([1, 0]);
    expect(b.reader).toEqual({ kind: 'llm', model: 'fake-model' });
    expect(b.usage.upstreamCalls).toBe(1);
    expect(b.actions[0].values.find((v) => v.value === 'fairness')).toMatchObject({
      relevance: -1,
      sd: 0.25,
    });
    expect(res.headers.get('x-upstream-attempts')).toBe('1');
  });

  it('a reply that is not JSON → 502 ATTRIBUTION_LLM_MALFORMED; one breaking the schema → 502 ATTRIBUTION_LLM_INVALID', async () => {
    fake.script({ type: 'ok', text: 'I think the first one.' });
    const a = await post(`${live.url}/v1/decisions`, body);
    expect(a.res.status).toBe(502);
    expect(expectEnvelope(a.json(), 'ATTRIBUTION_LLM_MALFORMED').message).toMatch(/not valid JSON/);
    fake.script({ type: 'ok', text: JSON.stringify({ a1: row(3) }) });
    const b = await post(`${live.url}/v1/decisions`, body);
    expect(b.res.status).toBe(502);
    expect(expectEnvelope(b.json(), 'ATTRIBUTION_LLM_INVALID').message).toMatch(/a2|at most 2/);
  });

  it('upstream failures pass through: 5xx after the retries → 502 UPSTREAM_ERROR; 429 → 503', async () => {
    fake.script(
      { type: 'status', status: 500 },
      { type: 'status', status: 500 },
      { type: 'status', status: 500 },
    );
    const a = await post(`${live.url}/v1/decisions`, body);
    expect(a.res.status).toBe(502);
    expectEnvelope(a.json(), 'UPSTREAM_ERROR');
    fake.script(
      { type: 'status', status: 429 },
      { type: 'status', status: 429 },
      { type: 'status', status: 429 },
    );
    const b = await post(`${live.url}/v1/decisions`, body);
    expect(b.res.status).toBe(503);
    expectEnvelope(b.json(), 'UPSTREAM_RATE_LIMITED');
  });

  it('an unreachable backend → 503 UPSTREAM_UNAVAILABLE', async () => {
    const down = await startLive(env(await closedPortUrl()));
    try {
      const r = await post(`${down.url}/v1/decisions`, body);
      expect(r.res.status).toBe(503);
      expectEnvelope(r.json(), 'UPSTREAM_UNAVAILABLE');
    } finally {
      await down.close();
    }
  });
});
