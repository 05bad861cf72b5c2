/**
 * No input gets a 5xx, crashes the server, or an answer outside the envelope. A real server listens on
 * 127.0.0.1 with API keys, rate limits, CORS and custom graphs on, and receives thousands of random
 * requests over real sockets:
 * - every documented operation (read from its own /openapi.json, so new routes are fuzzed too) with
 *   random methods, path parameters, query strings, headers (keys of every scope, garbage
 *   Authorization, content types, origins, request ids) and bodies (the documented request examples
 *   mutated at random, random JSON, random text, deep nesting);
 * - random paths;
 * - raw bytes on a socket (malformed request lines, headers, lengths, encodings);
 * - structured counterfactual queries and random inline graphs (the engine's inputs).
 * Every response is < 500, every 4xx is the envelope with a catalogued code of that status.
 * Seeded (FC_SEED overrides) so a failure reproduces.
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CUSTOM_GRAPH, EXAMPLE_GRAPH } from '../../schemas/api.js';
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorCode } from '../../src/errors.js';
import { KEY_ENTRIES, KEYS } from '../security/keys.js';
import { BUNDLED_GRAPHS, FIXTURE_GRAPHS, startLive, type Live } from './helpers.js';

// The draws depend on the number of documented operations: a new route can change which requests are made
// (e.g. whether one upload succeeds, the 201 asserted below); pick a seed that covers them again.
const SEED = Number(process.env.FC_SEED ?? 20261204);
/** Requests of the main property (the others send a fraction): about 5,000 requests in all. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2500);

const TINY_KEY = 'rk_test_tiny_limit_0123456789abcdef';

let live: Live;
let port: number;
/** The documented operations, with their request examples. */
let operations: Array<{ method: string; path: string; examples: unknown[] }>;
const statuses = new Map<number, number>();
const reached = new Set<string>();

beforeAll(async () => {
  live = await startLive({
    GRAPHS_DIR: BUNDLED_GRAPHS,
    API_KEYS: JSON.stringify([
      ...KEY_ENTRIES,
      { name: 'tiny', key: TINY_KEY, scopes: ['read'], rateLimit: 20 },
    ]),
    RATE_LIMIT_PER_IP: '100000',
    RATE_LIMIT_PER_KEY: '0',
    CORS_ORIGINS: 'https://app.example',
    MAX_BATCH_SIZE: '8',
    BODY_LIMIT: '65536',
    MAX_INLINE_GRAPH_NODES: '50',
  });
  port = Number(new URL(live.url).port);
  // The test graphs, as custom graphs (the bundled ones are what the documented examples name).
  for (const file of ['mini-values.json', 'curve.json']) {
    const res = await fetch(`${live.url}/v1/graphs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.admin}` },
      body: readFileSync(join(FIXTURE_GRAPHS, file), 'utf8'),
    });
    expect(res.status).toBe(201);
  }
  const doc = (await (await fetch(`${live.url}/openapi.json`)).json()) as {
    paths: Record<
      string,
      Record<
        string,
        { requestBody?: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } }
      >
    >;
  };
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      examples: Object.values(op.requestBody?.content['application/json']?.examples ?? {}).map(
        (e) => e.value,
      ),
    })),
  );
  expect(operations.length).toBeGreaterThanOrEqual(13);
});

afterAll(async () => {
  if (process.env.FUZZ_REPORT)
    console.log(JSON.stringify([...statuses].sort((a, b) => a[0] - b[0])), [...reached]);
  // Still alive and answering after everything.
  const health = await fetch(`${live.url}/healthz`);
  expect(health.status).toBe(200);
  await live.close();
});

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Received {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Characters node:http refuses in a path are percent-encoded; everything else (bad %-escapes too) goes. */
const sendablePath = (p: string) =>
  p.replace(/[^\u0021-\u007e]/gu, (c) => encodeURIComponent(c).replace(/%25/g, '%'));
const sendableHeader = (v: string) => v.replace(/[^\u0020-\u007e]/g, '');

function send(r: Sent): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: r.method,
        path: sendablePath(r.path),
        headers: {
          ...r.headers,
          ...(r.body !== undefined ? { 'content-length': Buffer.byteLength(r.body) } : {}),
        },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('no answer in 10 s')));
    req.end(r.body);
  });
}

function check(r: Sent, res: Received): void {
  const what = `${r.method} ${r.path} ${JSON.stringify(r.headers)} ${r.body?.slice(0, 300)} → ${res.status} ${res.body.slice(0, 300)}`;
  statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
  expect(res.status, what).toBeLessThan(500);
  expect(res.headers['x-request-id'], what).toBeTruthy();
  if (res.status >= 400 && r.method !== 'HEAD') {
    let body: { error?: { code?: ErrorCode; message?: unknown; details?: unknown } };
    try {
      body = JSON.parse(res.body) as typeof body;
    } catch {
      throw new Error(`not JSON: ${what}`);
    }
    expect(Object.keys(body), what).toEqual(['error']);
    expect(ERROR_CODES, what).toContain(body.error!.code);
    expect(ERROR_CATALOGUE[body.error!.code!].status, what).toBe(res.status);
    expect(typeof body.error!.message, what).toBe('string');
    expect(Array.isArray(body.error!.details), what).toBe(true);
  }
}

async function roundTrip(r: Sent): Promise<Received> {
  const res = await send(r);
  check(r, res);
  return res;
}

// ---------------------------------------------------------------------------------------------
// Generators

const weird = fc.constantFrom(
  '',
  ' ',
  '%',
  '%zz',
  '%E0%A4%A',
  '..',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  'a'.repeat(70),
  'x'.repeat(300),
  'null',
  '\u0000',
  '😀',
  '<script>',
  "' OR 1=1 --",
  '${jndi:ldap://x}',
);
const graphId = fc.oneof(
  fc.constantFrom('mini-values', 'curve', 'my-values', 'fz-graph', 'schwartz-10', 'nope'),
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,70}$/),
  fc.string({ maxLength: 40 }),
  weird,
);
const hex16 = fc.stringMatching(/^[0-9a-f]{16}$/);
const query = fc.oneof(
  { weight: 4, arbitrary: fc.constant('') },
  fc
    .tuple(fc.constantFrom('version', 'system', 'x', 'version[]', '__proto__'), fc.oneof(hex16, graphId))
    .map(([k, v]) => `?${k}=${encodeURIComponent(v)}`),
  fc.webQueryParameters().map((q) => `?${q}`),
  fc.string({ maxLength: 60 }).map((q) => `?${q}`),
  weird.map((w) => `?version=${w}&version=${w}`),
);
const authorization = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...Object.values(KEYS), TINY_KEY).map((k) => `Bearer ${k}`) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'bearer x',
    'Basic dXNlcjpwYXNz',
    `Bearer ${KEYS.all} extra`,
    `Bearer ${KEYS.all}=`,
  ),
  fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
  fc.string({ maxLength: 80 }),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json; charset=latin1',
  'application/json;',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '',
  ';;',
  undefined,
);
const extraHeaders = fc.record(
  {
    origin: fc.constantFrom('https://app.example', 'https://evil.example', 'null', ''),
    'x-request-id': fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:-]{1,40}$/), fc.string({ maxLength: 200 })),
    accept: fc.constantFrom('application/json', 'text/html', '*/*', 'image/svg+xml', ''),
    'access-control-request-method': fc.constantFrom('GET', 'POST', 'DELETE', 'TRACE'),
    'x-forwarded-for': fc.constantFrom('1.2.3.4', 'garbage', '::1'),
    'content-encoding': fc.constantFrom('gzip', 'identity', 'br'),
    'if-none-match': fc.constantFrom('*', '"abc"'),
  },
  { requiredKeys: [] },
);

/** Special values that stress parsers and engines. */
const nasty = fc.constantFrom<unknown>(
  1e308,
  -1e308,
  5e-324,
  -0,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  'x'.repeat(5000),
  [],
  {},
  null,
  true,
  [[[[[[]]]]]],
  { $ref: '#/x' },
);

/** A copy of `value` with a few random edits (replace, delete, insert) at random places. */
function mutate(
  value: unknown,
  edits: Array<{ at: number; kind: number; v: unknown; key: string }>,
): unknown {
  const root = { v: structuredClone(value) };
  for (const edit of edits) {
    const e = { ...edit, v: structuredClone(edit.v) }; // never share (fast-check replays its values)
    const slots: Array<[Record<string, unknown> | unknown[], string | number]> = [];
    const walk = (node: unknown) => {
      if (Array.isArray(node)) {
        node.forEach((child, i) => {
          slots.push([node, i]);
          walk(child);
        });
      } else if (node && typeof node === 'object') {
        for (const [k, child] of Object.entries(node)) {
          slots.push([node as Record<string, unknown>, k]);
          walk(child);
        }
      }
    };
    slots.push([root as unknown as Record<string, unknown>, 'v']);
    walk(root.v);
    const [container, key] = slots[e.at % slots.length]!;
    if (e.kind === 0) (container as Record<string | number, unknown>)[key] = e.v;
    else if (e.kind === 1 && container !== (root as unknown)) {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete (container as Record<string, unknown>)[key as string];
    } else {
      const target = (container as Record<string | number, unknown>)[key];
      if (Array.isArray(target)) target.push(e.v);
      else if (target && typeof target === 'object') (target as Record<string, unknown>)[e.key] = e.v;
      else (container as Record<string | number, unknown>)[key] = e.v;
    }
  }
  return root.v;
}

const edits = fc.array(
  fc.record({
    at: fc.nat(),
    kind: fc.nat({ max: 2 }),
    v: fc.oneof(fc.jsonValue({ maxDepth: 2 }), nasty),
    key: fc.constantFrom('extra', 'id', 'graph', 'nodes', 'stream', 'queries', '__proto__'),
  }),
  { maxLength: 4 },
);

const body = (examples: unknown[]) =>
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(fc.nat(), edits)
        .map(([i, e]) => JSON.stringify(mutate(examples[i % examples.length] ?? {}, e))),
    },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)) },
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.constantFrom(
      '',
      '{',
      '{"a":1,}',
      'null',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{"x":1}}}',
      `{"graph":${'['.repeat(200)}${']'.repeat(200)}}`,
      `{"provenance":{"source":"x","deep":${'{"a":'.repeat(100)}1${'}'.repeat(100)}}}`,
      JSON.stringify({ pad: 'x'.repeat(70_000) }),
      '\ufeff{}',
    ),
    fc.constant(undefined),
  );

const operationRequest = fc
  .record({
    op: fc.nat(),
    method: fc.option(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'), {
      freq: 4,
    }),
    id: graphId,
    query,
    authorization,
    contentType,
    extra: extraHeaders,
    bodySeed: fc.nat(),
  })
  .chain((r) => fc.tuple(fc.constant(r), body(operations[r.op % operations.length]!.examples)));

function toSent([r, b]: [
  {
    op: number;
    method: string | null;
    id: string;
    query: string;
    authorization: string | undefined;
    contentType: string | undefined;
    extra: Record<string, string>;
  },
  string | undefined,
]): Sent {
  const op = operations[r.op % operations.length]!;
  const method = r.method ?? op.method;
  const path = op.path.replace('{id}', encodeURIComponent(r.id).replace(/%25/g, '%')) + r.query;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.extra)) headers[k] = sendableHeader(v);
  if (r.authorization !== undefined) headers.authorization = sendableHeader(r.authorization);
  if (r.contentType !== undefined) headers['content-type'] = r.contentType;
  const withBody = b !== undefined && method !== 'GET' && method !== 'HEAD';
  return { method, path, headers, ...(withBody ? { body: b } : {}) };
}

// ---------------------------------------------------------------------------------------------

describe('a live server under random requests', () => {
  it('every documented operation: random methods, parameters, queries, headers and bodies', async () => {
    await fc.assert(
      fc.asyncProperty(operationRequest, async (generated) => {
        const sent = toSent(generated);
        const res = await roundTrip(sent);
        if (res.status < 400) reached.add(`${operations[generated[0].op % operations.length]!.path}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // The generator gets through: answers, and errors of every kind of layer.
    for (const s of [200, 400, 401, 403, 404, 415])
      expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(0);
    expect([...statuses.keys()].some((s) => s === 201)).toBe(true); // custom graphs were stored
  });

  it('the documented examples, sent as documented with a key of every scope, never 5xx', async () => {
    for (const op of operations) {
      for (const example of op.examples.length ? op.examples : [undefined]) {
        const path = op.path.replace('{id}', (example as { id?: string } | undefined)?.id ?? 'mini-values');
        const res = await roundTrip({
          method: op.method,
          path,
          headers: {
            authorization: `Bearer ${KEYS.all}`,
            ...(example !== undefined ? { 'content-type': 'application/json' } : {}),
          },
          ...(example !== undefined ? { body: JSON.stringify(example) } : {}),
        });
        if (res.status < 400) reached.add(op.path);
      }
    }
    // Every operation answered at least once without an error.
    expect([...new Set(operations.map((o) => o.path))].filter((p) => !reached.has(p))).toEqual([]);
  });

  it('random paths', async () => {
    const path = fc.oneof(
      fc.webPath(),
      fc.string({ maxLength: 100 }).map((s) => `/${s}`),
      fc
        .tuple(
          fc.constantFrom('/v1/', '/v1/graphs/', '/docs/', '/docs/static/', '//', '/v1/graphs/mini-values/'),
          fc.string({ maxLength: 60 }),
        )
        .map(([a, b]) => a + b),
      weird.map((w) => `/v1/graphs/${w}/versions`),
    );
    await fc.assert(
      fc.asyncProperty(
        path,
        fc.constantFrom('GET', 'POST', 'DELETE', 'OPTIONS', 'HEAD', 'PUT'),
        authorization,
        async (p, method, auth) => {
          await roundTrip({ method, path: p, headers: auth ? { authorization: sendableHeader(auth) } : {} });
        },
      ),
      { seed: SEED, numRuns: Math.round(RUNS / 3) },
    );
  });

  it('raw bytes on the socket: malformed requests get a 4xx envelope or a closed connection', async () => {
    const line = fc.oneof(
      fc.constantFrom(
        'GET / HTTP/1.1',
        'GET /v1/graphs HTTP/1.1',
        'POST /v1/counterfactuals HTTP/1.1',
        'GARBAGE',
        'GET /v1/graphs HTTP/9.9',
        'GET  HTTP/1.1',
        'get /healthz http/1.1',
      ),
      fc.string({ unit: 'binary', maxLength: 80 }),
    );
    const header = fc.oneof(
      fc.constantFrom(
        'Host: x',
        'Content-Length: 5',
        'Content-Length: -1',
        'Content-Length: 99999999999',
        'Transfer-Encoding: chunked',
        'Transfer-Encoding: gzip, chunked',
        'Content-Type: application/json',
        `Authorization: Bearer ${KEYS.all}`,
        'X-Bad\u0000: 1',
        'Expect: 100-continue',
        'Connection: upgrade',
        'Upgrade: websocket',
      ),
      fc.string({ unit: 'binary', maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(
        line,
        fc.array(header, { maxLength: 5 }),
        fc.string({ unit: 'binary', maxLength: 120 }),
        async (l, hs, b) => {
          const text = `${l}\r\n${['Host: x', ...hs, 'Connection: close'].join('\r\n')}\r\n\r\n${b}`;
          const out = await new Promise<string>((resolve) => {
            const socket = connect(port, '127.0.0.1');
            let data = '';
            const timer = setTimeout(() => socket.destroy(), 1500);
            socket.on('data', (d) => (data += d.toString('latin1')));
            socket.on('close', () => {
              clearTimeout(timer);
              resolve(data);
            });
            socket.on('error', () => undefined);
            socket.end(Buffer.from(text, 'latin1'));
          });
          for (const m of out.matchAll(/HTTP\/1\.1 (\d{3})/g)) {
            statuses.set(Number(m[1]), (statuses.get(Number(m[1])) ?? 0) + 1);
            expect(Number(m[1]), `${JSON.stringify(text)} → ${out.slice(0, 300)}`).toBeLessThan(500);
          }
          const first = /^HTTP\/1\.1 (4\d\d)[^]*?\r\n\r\n(\{[^]*?\}\}|\{[^]*\})/.exec(out);
          if (first && /content-type: application\/json/i.test(out.split('\r\n\r\n')[0]!)) {
            const envelope = JSON.parse(first[2]!) as { error: { code: ErrorCode } };
            expect(ERROR_CODES).toContain(envelope.error.code);
          }
        },
      ),
      { seed: SEED, numRuns: Math.round(RUNS / 6) },
    );
  });
});

describe('the engine behind the API, over HTTP', () => {
  const post = (path: string, value: unknown) =>
    roundTrip({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEYS.all}` },
      body: JSON.stringify(value),
    });

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
  const goodNode = fc.constantFrom('openness', 'stimulation', 'security', 'adventure');

  it('structured counterfactual queries (bundled, custom and inline graphs)', async () => {
    await post('/v1/graphs', { ...EXAMPLE_CUSTOM_GRAPH, id: 'fz-graph' });
    const seen = new Set<number>();
    const request = fc.oneof(
      fc.record(
        {
          graph: fc.oneof(
            fc.constantFrom<unknown>('mini-values', 'curve', 'fz-graph', 'nope', ''),
            fc.constant(EXAMPLE_GRAPH),
            fc.anything(),
          ),
          evidence: fc.dictionary(nodeName, num),
          interventions: fc.array(intervention, { maxLength: 4 }),
          lambda: num,
          queries: fc.array(
            fc.record(
              {
                evidence: fc.dictionary(nodeName, num),
                interventions: fc.array(intervention, { maxLength: 3 }),
              },
              { requiredKeys: [] },
            ),
            { maxLength: 10 },
          ),
          explain: fc.constantFrom('none', 'summary', 'full', 'all'),
          maxPaths: fc.integer({ min: -2, max: 200 }),
        },
        { requiredKeys: ['graph'] },
      ),
      fc.record(
        {
          graph: fc.constantFrom<unknown>('mini-values', 'fz-graph', EXAMPLE_GRAPH),
          evidence: fc.dictionary(goodNode, num),
          interventions: fc.uniqueArray(
            fc.record({ node: goodNode, type: fc.constantFrom('do', 'shift', 'structured'), value: num }),
            {
              maxLength: 3,
              selector: (i) => i.node,
            },
          ),
          lambda: fc.double({ min: 0, max: 1e6, noNaN: true }),
          explain: fc.constantFrom('none', 'summary', 'full'),
        },
        { requiredKeys: ['graph'] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(request, async (body) => {
        seen.add((await post('/v1/counterfactuals', body)).status);
      }),
      { seed: SEED, numRuns: Math.round(RUNS / 5) },
    );
    expect(seen.has(200)).toBe(true);
    expect([...seen].some((s) => s >= 400)).toBe(true);
  });

  it('random graphs, inline and uploaded', async () => {
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
        expression: fc.constantFrom(
          'x^2',
          'exp(x)',
          'y/0',
          'log(x)',
          'x +',
          'import("fs")',
          'x'.repeat(3000),
          'f(x)=x',
          'evaluate("1")',
        ),
        noiseSd: num,
      }),
    );
    const g = fc.record({
      id: fc.constantFrom('g', 'G!', 'fz-random', 'mini-values'),
      version: fc.constantFrom('1', '2', ''),
      nodes: fc.array(
        fc.record({
          id: nodeName,
          kind: fc.constantFrom('latent', 'value', 'concept'),
          label: fc.constant('n'),
          mechanism: mech,
        }),
        { maxLength: 5 },
      ),
      edges: fc.array(fc.tuple(nodeName, nodeName), { maxLength: 6 }),
    });
    await fc.assert(
      fc.asyncProperty(g, fc.dictionary(nodeName, num), fc.boolean(), async (graph, evidence, upload) => {
        if (upload) await post('/v1/graphs', graph);
        else await post('/v1/counterfactuals', { graph, evidence });
      }),
      { seed: SEED, numRuns: Math.round(RUNS / 5) },
    );
  });
});
