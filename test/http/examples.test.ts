/**
 * The examples in openapi.yaml are true: every request example is sent to the app, and the answer is
 * compared with the response example of the same name; every error example is reproduced exactly.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/errors.js';
import { GraphStore } from '../../src/graphs/store.js';
import { ERROR_EXAMPLE_REQUESTS, LIMITED_ENV, SECURED_ENV } from './error-example-requests.js';
import { BUNDLED_GRAPHS, makeApp, ROOT } from './helpers.js';

type Media = { example?: unknown; examples?: Record<string, { value: unknown }> };
type Operation = {
  requestBody?: { content: { 'application/json': Media } };
  responses: Record<string, { content?: { 'application/json'?: Media } }>;
};
const doc = parse(readFileSync(join(ROOT, 'openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};

/** Deep equality with a tolerance on numbers (examples are written with rounded decimals). */
function expectClose(actual: unknown, expected: unknown, path = '$'): void {
  if (typeof expected === 'string' && /\.(createdAt|updatedAt)$/.test(path)) {
    // Timestamps of custom graphs: when the test ran, not when the example was written.
    expect(actual, path).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    return;
  }
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), path).toBeLessThanOrEqual(
      1e-9 * Math.max(1, Math.abs(expected)),
    );
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), path).toBe(true);
    expect((actual as unknown[]).length, path).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    expect(actual && typeof actual === 'object', path).toBe(true);
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected))
      expectClose((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

let bundled: FastifyInstance;
let fixture: FastifyInstance;
/** Only schwartz-10 loaded: error messages that list the known graphs do not change as graphs are added. */
let schwartzOnly: FastifyInstance;
/** The fixture with API keys; with a per-IP rate limit of one request. */
let secured: FastifyInstance;
let limited: FastifyInstance;
beforeAll(async () => {
  secured = await makeApp(SECURED_ENV);
  limited = await makeApp(LIMITED_ENV);
  bundled = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS });
  fixture = await makeApp();
  const schwartz = loadGraphDir(BUNDLED_GRAPHS).get('schwartz-10')!;
  schwartzOnly = await makeApp({}, { store: new GraphStore(new Map([['schwartz-10', schwartz]]), 1000) });
});
afterAll(async () => {
  await bundled.close();
  await fixture.close();
  await schwartzOnly.close();
  await secured.close();
  await limited.close();
});

const named = (m: Media | undefined) =>
  Object.entries(m?.examples ?? {}).map(([name, e]) => [name, e.value] as const);

describe('request examples get the response example of the same name', () => {
  const pairs = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, op]) => {
      // The documented success: 200, or 201 for the operations that create.
      const ok = Object.keys(op.responses).find((s) => s.startsWith('2')) ?? '200';
      const responses = new Map(named(op.responses[ok]?.content?.['application/json']));
      return named(op.requestBody?.content['application/json']).map(([name, body]) => ({
        route: `${method.toUpperCase()} ${path}`,
        method,
        path,
        name,
        body,
        status: Number(ok),
        response: responses.get(name),
      }));
    }),
  );

  it('there are request examples to check', () => {
    expect(pairs.length).toBeGreaterThanOrEqual(5);
  });

  // In document order: `POST /v1/graphs` creates the graph that `PUT /v1/graphs/{id}` then updates.
  it.each(pairs)('$route example "$name"', async ({ method, path, body, status, response }) => {
    // Examples on inline graphs need no bundled graph; the others name schwartz-10. A path parameter
    // is the body's field of the same name (`PUT /v1/graphs/{id}`).
    const url = path.replace(/\{(\w+)\}/g, (_, k: string) => String((body as Record<string, unknown>)[k]));
    const res = await bundled.inject({
      method: method.toUpperCase() as 'POST',
      url,
      payload: body as object,
    });
    expect(res.statusCode, res.body).toBe(status);
    if (response !== undefined) expectClose(res.json(), response);
  });
});

describe('GET examples are what the app answers', () => {
  type Listed = { id: string };
  type Example = { status?: string; graphs: Listed[]; presets: Listed[] };
  const example = (path: string) =>
    named(doc.paths[path]!.get!.responses['200']!.content!['application/json'])[0]![1] as Example;

  it('GET /v1/graphs/{id}', async () => {
    const res = await fixture.inject({ method: 'GET', url: '/v1/graphs/mini-values' });
    expectClose(res.json(), example('/v1/graphs/{id}'));
  });

  it('GET /v1/graphs', async () => {
    const res = await fixture.inject({ method: 'GET', url: '/v1/graphs' });
    const live = (res.json() as Example).graphs;
    for (const g of example('/v1/graphs').graphs)
      expectClose(
        live.find((x) => x.id === g.id),
        g,
      );
  });

  it('GET /readyz', async () => {
    const res = await fixture.inject({ method: 'GET', url: '/readyz' });
    const ex = example('/readyz');
    const body = res.json() as Example;
    expect(body.status).toBe(ex.status);
    for (const g of ex.graphs) expect(body.graphs).toContainEqual(g);
  });

  it('GET /v1/presets', async () => {
    const res = await bundled.inject({ method: 'GET', url: '/v1/presets' });
    const live = (res.json() as Example).presets;
    for (const p of example('/v1/presets').presets)
      expectClose(
        live.find((x) => x.id === p.id),
        p,
      );
  });

  it('GET /healthz', async () => {
    const res = await fixture.inject({ method: 'GET', url: '/healthz' });
    expect(Object.keys(res.json()).sort()).toEqual(Object.keys(example('/healthz')).sort());
  });
});

describe('error examples are reproduced exactly', () => {
  const examples = new Map<ErrorCode, unknown>();
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item)) {
      for (const [status, r] of Object.entries(op.responses)) {
        if (Number(status) < 400) continue;
        for (const [, value] of named(r.content?.['application/json'])) {
          const code = (value as { error: { code: ErrorCode } }).error.code;
          const prev = examples.get(code);
          if (prev !== undefined) expect(value).toEqual(prev); // one example per code, everywhere
          examples.set(code, value);
        }
      }
    }
  }
  // 5xx examples (and 499) need a failing server or model backend: test/http/align.test.ts produces
  // the upstream ones against the fake OpenAI-compatible upstream.
  const reproducible = [...examples.keys()].filter((c) => ERROR_CATALOGUE[c].status < 499);

  it('every documented error example except the 5xx ones has a request that produces it', () => {
    expect(reproducible.sort()).toEqual(Object.keys(ERROR_EXAMPLE_REQUESTS).sort());
  });

  it.each(reproducible)('%s', async (code) => {
    const { app, request, before = [] } = ERROR_EXAMPLE_REQUESTS[code]!;
    const target = { bundled: schwartzOnly, fixture, secured, limited }[app];
    for (const r of before) await target.inject(r);
    const res = await target.inject(request);
    expect(res.json()).toEqual(examples.get(code));
  });
});
