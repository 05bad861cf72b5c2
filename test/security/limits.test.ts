/**
 * Limits on a live server (127.0.0.1): rate limits per key and per IP (429 RATE_LIMITED with
 * Retry-After), overload (503 OVERLOADED with Retry-After, from a real event-loop stall, a heap cap and
 * a failing health check), body/batch/graph caps, header and request timeouts (408), and the validation
 * of the new variables.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CUSTOM_GRAPH, EXAMPLE_GRAPH } from '../../schemas/api.js';
import { loadConfig } from '../../src/config/index.js';
import { jsonDeeperThan, MAX_JSON_DEPTH, OVERLOAD_RETRY_AFTER_S } from '../../src/http/security.js';
import { expectEnvelope, expectRefused, makeApp, startLive, type Live } from '../http/helpers.js';
import { bearer, KEY_ENTRIES, KEYS } from './keys.js';

const lives: Live[] = [];
async function live(env: Record<string, string>, options: Parameters<typeof startLive>[1] = {}) {
  const l = await startLive(env, options);
  lives.push(l);
  return l;
}
afterEach(async () => {
  for (const l of lives.splice(0)) await l.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function expect429(res: Response, limit: number) {
  expect(res.status).toBe(429);
  const retry = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retry) && retry >= 1 && retry <= 60, `Retry-After ${retry}`).toBe(true);
  expect(res.headers.get('x-ratelimit-limit')).toBe(String(limit));
  expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
  return expectEnvelope(await res.json(), 'RATE_LIMITED');
}

describe('rate limits', () => {
  it('per key: each key has its own bucket, the default or its own rateLimit', async () => {
    const keys = [
      ...KEY_ENTRIES,
      { name: 'vip', key: 'vip-key-0123456789abcdefgh', scopes: ['read'], rateLimit: 5 },
    ];
    const l = await live({
      API_KEYS: JSON.stringify(keys),
      RATE_LIMIT_PER_KEY: '3',
      RATE_LIMIT_PER_IP: '1000',
    });
    const get = (key: string) => fetch(`${l.url}/v1/presets`, { headers: bearer(key) });
    for (let i = 0; i < 3; i++) {
      const res = await get(KEYS.reader);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit')).toBe('3');
      expect(res.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
    }
    const e = await expect429(await get(KEYS.reader), 3);
    expect(e.message).toContain('API key "reader"');
    expect(e.message).not.toContain(KEYS.reader);
    // Another key is not affected, and a key with its own rateLimit gets that many.
    expect((await get(KEYS.all)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get('vip-key-0123456789abcdefgh')).status).toBe(200);
    await expect429(await get('vip-key-0123456789abcdefgh'), 5);
    // Counting happens before the scope check: a key over its limit gets 429 even where it would get 403.
    const write = await fetch(`${l.url}/v1/graphs`, {
      method: 'POST',
      headers: { ...bearer(KEYS.reader), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(write.status).toBe(429);
  });

  it('per IP: requests without a valid key, health probes exempt', async () => {
    const l = await live({ RATE_LIMIT_PER_IP: '3', RATE_LIMIT_LOOPBACK: 'true' });
    for (let i = 0; i < 3; i++) expect((await fetch(`${l.url}/v1/graphs`)).status).toBe(200);
    const e = await expect429(await fetch(`${l.url}/v1/presets`), 3);
    expect(e.message).toContain('RATE_LIMIT_PER_IP');
    // 404s and the documents count too; the probes never do.
    expect((await fetch(`${l.url}/openapi.json`)).status).toBe(429);
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${l.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${l.url}/readyz`)).status).toBe(200);
    }
  });

  it('per IP without keys: loopback exempt by default, remote clients limited', async () => {
    const app = await makeApp({ RATE_LIMIT_PER_IP: '2' });
    try {
      const from = (remoteAddress: string) =>
        app.inject({ method: 'GET', url: '/v1/presets', remoteAddress });
      for (let i = 0; i < 10; i++) {
        expect((await from('127.0.0.1')).statusCode).toBe(200);
        expect((await from('::1')).statusCode).toBe(200);
      }
      expect((await from('203.0.113.9')).statusCode).toBe(200);
      expect((await from('203.0.113.9')).statusCode).toBe(200);
      expect((await from('203.0.113.9')).statusCode).toBe(429);
    } finally {
      await app.close();
    }
    // With keys configured, loopback is an address like any other.
    const keyed = await makeApp({ RATE_LIMIT_PER_IP: '1', API_KEYS: JSON.stringify(KEY_ENTRIES) });
    try {
      const local = () => keyed.inject({ method: 'GET', url: '/v1/presets', remoteAddress: '127.0.0.1' });
      expect((await local()).statusCode).toBe(401);
      expect((await local()).statusCode).toBe(429);
    } finally {
      await keyed.close();
    }
  });

  it('per IP: guessing keys is rate-limited, a valid key has its own bucket', async () => {
    const l = await live({
      API_KEYS: JSON.stringify(KEY_ENTRIES),
      RATE_LIMIT_PER_IP: '2',
      RATE_LIMIT_PER_KEY: '100',
    });
    const guess = (i: number) =>
      fetch(`${l.url}/v1/presets`, { headers: bearer(`guess-${i}-0123456789abcdef`) });
    expect((await guess(1)).status).toBe(401);
    expect((await fetch(`${l.url}/v1/presets`)).status).toBe(401);
    await expect429(await guess(2), 2);
    await expect429(await guess(3), 2);
    expect((await fetch(`${l.url}/v1/presets`, { headers: bearer(KEYS.reader) })).status).toBe(200);
  });

  it('per IP behind a proxy (TRUST_PROXY): one bucket per client address, IPv6 per /64', async () => {
    const l = await live({ RATE_LIMIT_PER_IP: '1', TRUST_PROXY: 'true' });
    const from = (ip: string) => fetch(`${l.url}/v1/presets`, { headers: { 'x-forwarded-for': ip } });
    expect((await from('203.0.113.1')).status).toBe(200);
    expect((await from('203.0.113.1')).status).toBe(429);
    expect((await from('203.0.113.2')).status).toBe(200);
    expect((await from('2001:db8:1:2::1')).status).toBe(200);
    expect((await from('2001:db8:1:2::ffff')).status).toBe(429); // same /64
    expect((await from('2001:db8:1:3::1')).status).toBe(200);
  });

  it('TRUST_PROXY trusts hops or proxy addresses, never the client-written leftmost entry', async () => {
    // The test client is the "proxy" at 127.0.0.1; a spoofing client writes the leftmost entries.
    for (const trust of ['1', 'true', '127.0.0.1', 'loopback,10.0.0.0/8']) {
      const l = await live({ RATE_LIMIT_PER_IP: '1', TRUST_PROXY: trust });
      const from = (xff: string) => fetch(`${l.url}/v1/presets`, { headers: { 'x-forwarded-for': xff } });
      expect((await from('198.51.100.1, 203.0.113.9')).status, trust).toBe(200);
      // Rotating the leftmost address does not give a new bucket: the client is 203.0.113.9.
      expect((await from('198.51.100.2, 203.0.113.9')).status, trust).toBe(429);
      expect((await from('203.0.113.10')).status, trust).toBe(200);
    }
    // Two hops: the client is the second entry from the right.
    const two = await live({ RATE_LIMIT_PER_IP: '1', TRUST_PROXY: '2' });
    const via = (xff: string) => fetch(`${two.url}/v1/presets`, { headers: { 'x-forwarded-for': xff } });
    expect((await via('1.1.1.1, 203.0.113.5, 10.0.0.2')).status).toBe(200);
    expect((await via('2.2.2.2, 203.0.113.5, 10.0.0.3')).status).toBe(429);
    // A list without the real proxy's address: the header is not believed at all.
    // (The client is then the test's own loopback address, which counts only with RATE_LIMIT_LOOPBACK.)
    const other = await live({
      RATE_LIMIT_PER_IP: '1',
      TRUST_PROXY: '10.0.0.1',
      RATE_LIMIT_LOOPBACK: 'true',
    });
    const spoof = (xff: string) => fetch(`${other.url}/v1/presets`, { headers: { 'x-forwarded-for': xff } });
    expect((await spoof('203.0.113.1')).status).toBe(200);
    expect((await spoof('203.0.113.2')).status).toBe(429);
  });

  it('the window resets: allowed again after Retry-After', async () => {
    const l = await live({
      RATE_LIMIT_PER_IP: '1',
      RATE_LIMIT_WINDOW_MS: '1000',
      RATE_LIMIT_LOOPBACK: 'true',
    });
    expect((await fetch(`${l.url}/v1/presets`)).status).toBe(200);
    const limited = await fetch(`${l.url}/v1/presets`);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    await sleep(1100);
    expect((await fetch(`${l.url}/v1/presets`)).status).toBe(200);
  });
});

describe('overload', () => {
  async function expect503(res: Response) {
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(String(OVERLOAD_RETRY_AFTER_S));
    expectEnvelope(await res.json(), 'OVERLOADED');
  }

  it('a heap over MAX_HEAP_USED_MB: 503 OVERLOADED with Retry-After; liveness still answers', async () => {
    const l = await live({ MAX_HEAP_USED_MB: '1' }, { security: { underPressure: { sampleInterval: 50 } } });
    await sleep(200); // the first sample
    await expect503(await fetch(`${l.url}/v1/presets`));
    await expect503(await fetch(`${l.url}/v1/graphs/nope`));
    await expect503(await fetch(`${l.url}/readyz`)); // take this instance out of the load balancer
    expect((await fetch(`${l.url}/healthz`)).status).toBe(200); // but do not restart it
  });

  it('a stalled event loop (over MAX_EVENT_LOOP_DELAY_MS): 503 while it lags, then back to normal', async () => {
    const l = await live(
      // 200 ms: far above a loaded 2-core machine's ordinary lag, far below the stall below
      { MAX_EVENT_LOOP_DELAY_MS: '200' },
      { security: { underPressure: { sampleInterval: 100 } } },
    );
    let before = 0;
    for (let i = 0; i < 50 && before !== 200; i++) {
      before = (await fetch(`${l.url}/v1/presets`)).status;
      if (before !== 200) await sleep(50);
    }
    expect(before, 'served normally before the stall').toBe(200);
    const end = Date.now() + 1000;
    while (Date.now() < end); // the server shares this event loop: block it for 1 s
    let overloaded: Response | undefined;
    for (let i = 0; i < 40 && !overloaded; i++) {
      const res = await fetch(`${l.url}/v1/presets`);
      if (res.status === 503) overloaded = res;
      else await res.arrayBuffer();
      await sleep(20);
    }
    expect(overloaded, 'no 503 after the stall').toBeDefined();
    await expect503(overloaded!);
    let recovered = false;
    for (let i = 0; i < 100 && !recovered; i++) {
      recovered = (await fetch(`${l.url}/v1/presets`)).status === 200;
      await sleep(30);
    }
    expect(recovered).toBe(true);
  });

  it('a failing health check (under-pressure option): 503 until it passes again', async () => {
    let healthy = true;
    const l = await live(
      {},
      { security: { underPressure: { healthCheck: async () => healthy, healthCheckInterval: 25 } } },
    );
    expect((await fetch(`${l.url}/v1/presets`)).status).toBe(200);
    healthy = false;
    await sleep(100);
    await expect503(await fetch(`${l.url}/v1/presets`));
    expect((await fetch(`${l.url}/healthz`)).status).toBe(200);
    healthy = true;
    await sleep(100);
    expect((await fetch(`${l.url}/v1/presets`)).status).toBe(200);
  });

  it('with CORS on: the 503 carries the CORS headers, preflights are still answered', async () => {
    let healthy = true;
    const origin = 'https://app.example';
    const l = await live(
      { CORS_ORIGINS: origin },
      { security: { underPressure: { healthCheck: async () => healthy, healthCheckInterval: 25 } } },
    );
    healthy = false;
    await sleep(100);
    const refused = await fetch(`${l.url}/v1/presets`, { headers: { origin } });
    await expect503(refused);
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    const preflight = await fetch(`${l.url}/v1/presets`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect((await fetch(`${l.url}/healthz`, { headers: { origin } })).status).toBe(200);
  });
});

describe('size caps', () => {
  let l: Live;
  beforeAll(async () => {
    l = await startLive({
      BODY_LIMIT: '65536',
      MAX_BATCH_SIZE: '4',
      MAX_INLINE_GRAPH_NODES: '6',
      MAX_GRAPH_EDGES: '4',
      MAX_EXPRESSION_LENGTH: '20',
    });
  });
  afterAll(() => l.close());

  const post = (path: string, body: unknown) =>
    fetch(`${l.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('a body over BODY_LIMIT → 413 BODY_TOO_LARGE (before it is parsed)', async () => {
    const res = await post('/v1/graphs', { ...EXAMPLE_CUSTOM_GRAPH, description: 'x'.repeat(70000) });
    expect(res.status).toBe(413);
    expect(expectEnvelope(await res.json(), 'BODY_TOO_LARGE').message).toContain('65536');
  });

  it('a batch over MAX_BATCH_SIZE → 400 BATCH_TOO_LARGE', async () => {
    const res = await post('/v1/counterfactuals', { graph: 'mini-values', queries: Array(5).fill({}) });
    expect(res.status).toBe(400);
    expectEnvelope(await res.json(), 'BATCH_TOO_LARGE');
  });

  const withConcepts = (n: number) => ({
    ...EXAMPLE_CUSTOM_GRAPH,
    nodes: [
      ...EXAMPLE_CUSTOM_GRAPH.nodes,
      ...Array.from({ length: n }, (_, i) => ({
        id: `c${i}`,
        kind: 'concept' as const,
        label: `c${i}`,
        mechanism: { type: 'root' as const, mean: 0, sd: 1 },
      })),
    ],
  });
  const withEdges = {
    ...EXAMPLE_CUSTOM_GRAPH,
    nodes: EXAMPLE_CUSTOM_GRAPH.nodes.map((n) =>
      n.id === 'adventure'
        ? {
            ...n,
            mechanism: {
              type: 'linear' as const,
              intercept: 0,
              coefficients: { stimulation: 0.5, security: -0.25, openness: 0.1 },
              noiseSd: 0.5,
            },
          }
        : n,
    ),
    edges: [...EXAMPLE_CUSTOM_GRAPH.edges, ['openness', 'adventure']],
  };
  const withExpression = {
    ...EXAMPLE_CUSTOM_GRAPH,
    nodes: EXAMPLE_CUSTOM_GRAPH.nodes.map((n) =>
      n.id === 'adventure'
        ? {
            ...n,
            mechanism: {
              type: 'expression' as const,
              expression: `0.5 * stimulation ${'+ 0 '.repeat(10)}- 0.25 * security`,
              noiseSd: 0.5,
            },
          }
        : n,
    ),
  };

  it.each([
    ['nodes', withConcepts(3), 'nodes', 'MAX_INLINE_GRAPH_NODES'],
    ['edges', withEdges, 'edges', 'MAX_GRAPH_EDGES'],
    ['expression length', withExpression, 'nodes.3.mechanism.expression', 'MAX_EXPRESSION_LENGTH'],
  ])('%s over the cap → 400 GRAPH_TOO_LARGE, inline and uploaded', async (_what, graph, path, variable) => {
    const inline = await post('/v1/counterfactuals', { graph });
    expect(inline.status).toBe(400);
    const e1 = expectEnvelope(await inline.json(), 'GRAPH_TOO_LARGE');
    expect(e1.details[0]!.path).toBe(`graph.${path}`);
    expect(e1.message).toContain(variable);
    const upload = await post('/v1/graphs', graph);
    expect(upload.status).toBe(400);
    const e2 = expectEnvelope(await upload.json(), 'GRAPH_TOO_LARGE');
    expect(e2.details[0]!.path).toBe(path);
    expect((await fetch(`${l.url}/v1/graphs/my-values`)).status).toBe(404); // nothing stored
  });

  it('JSON nested deeper than MAX_JSON_DEPTH → 400 JSON_TOO_DEEP, before parsing (every route)', async () => {
    const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    for (const path of ['/v1/counterfactuals', '/v1/graphs', '/v1/profiles/convert']) {
      const deep = await post(path, `{"x": ${nest(MAX_JSON_DEPTH)}}`);
      expect(deep.status).toBe(400);
      expectEnvelope(await deep.json(), 'JSON_TOO_DEEP');
      const ok = await post(path, `{"x": ${nest(MAX_JSON_DEPTH - 1)}}`);
      expect(ok.status).toBe(400);
      expectEnvelope(await ok.json(), 'VALIDATION_FAILED'); // parsed, then validated
    }
    // A free-form field (a graph's provenance) cannot smuggle depth in either.
    const graph = {
      ...EXAMPLE_CUSTOM_GRAPH,
      provenance: { source: 'x', deep: JSON.parse(nest(100)) as unknown },
    };
    const upload = await post('/v1/graphs', graph);
    expect(upload.status).toBe(400);
    expectEnvelope(await upload.json(), 'JSON_TOO_DEEP');
  });

  it('the depth scan skips strings and escapes', () => {
    expect(jsonDeeperThan('[[["]]]]]]"]]]', 3)).toBe(false);
    expect(jsonDeeperThan(String.raw`["\\", [["\"[[[["]]]]`, 3)).toBe(false); // brackets inside strings (with escapes) do not count
    expect(jsonDeeperThan(String.raw`["\\", [[["\"[[[["]]]]]`, 3)).toBe(true); // real nesting after them does
    expect(jsonDeeperThan('{"a":{"b":{"c":{}}}}', 3)).toBe(true);
    expect(jsonDeeperThan('{"a":{"b":{"c":1}}}', 3)).toBe(false);
  });

  it('within the caps, both are accepted', async () => {
    expect((await post('/v1/counterfactuals', { graph: withConcepts(2) })).status).toBe(200);
    expect((await post('/v1/graphs', withConcepts(2))).status).toBe(201);
    expect((await post('/v1/counterfactuals', { graph: EXAMPLE_GRAPH })).status).toBe(200);
  });
});

describe('timeouts', () => {
  function slow(url: string, chunks: string[], gapMs: number): Promise<string> {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    return new Promise((resolve, reject) => {
      let out = '';
      socket.on('data', (d) => (out += d.toString('utf8')));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
      let i = 0;
      const next = () => {
        if (socket.destroyed || i >= chunks.length) return;
        socket.write(chunks[i++]!);
        setTimeout(next, gapMs);
      };
      next();
    });
  }

  it('headers sent too slowly (slowloris) → 408 REQUEST_TIMEOUT after HEADERS_TIMEOUT_MS', async () => {
    const l = await live({ HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '10000' });
    const started = Date.now();
    const headerDrip = ['GET /healthz HTTP/1.1\r\n', 'Host: x\r\n', ...Array(40).fill('X-Drip: 1\r\n')];
    const out = await slow(l.url, headerDrip, 100);
    expect(out.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expectEnvelope(JSON.parse(out.slice(out.indexOf('\r\n\r\n') + 4)), 'REQUEST_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000); // not the 4 s the drip would take
  });

  it('a body sent too slowly → 408 after REQUEST_TIMEOUT_MS', async () => {
    const l = await live({ REQUEST_TIMEOUT_MS: '500' });
    const body = JSON.stringify({ graph: 'mini-values' });
    const out = await slow(
      l.url,
      [
        `POST /v1/counterfactuals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        ...body.split(''),
      ],
      150,
    );
    expect(out.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
  });

  it('an explicit HEADERS_TIMEOUT_MS above REQUEST_TIMEOUT_MS is refused; the default follows it', () => {
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' })).toThrow(
      /HEADERS_TIMEOUT_MS="6000": must be at most REQUEST_TIMEOUT_MS \(5000\)/,
    );
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '5000' }).headersTimeoutMs).toBe(5000);
    expect(loadConfig({ REQUEST_TIMEOUT_MS: '0' }).headersTimeoutMs).toBe(10000);
  });
});

describe('the security variables are validated', () => {
  it('reads every variable', () => {
    const c = loadConfig({
      RATE_LIMIT_WINDOW_MS: '2000',
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_KEY: '7',
      CORS_ORIGINS: 'https://a.example, http://localhost:3000',
      MAX_EVENT_LOOP_DELAY_MS: '0',
      MAX_HEAP_USED_MB: '512',
      HEADERS_TIMEOUT_MS: '2000',
      KEEP_ALIVE_TIMEOUT_MS: '5000',
      DATA_DIR: '/tmp/pluralign-x',
      MAX_GRAPH_EDGES: '10',
      MAX_EXPRESSION_LENGTH: '50',
      MAX_CUSTOM_GRAPHS: '3',
      MAX_GRAPH_VERSIONS: '2',
      ALLOW_UNAUTHENTICATED: 'yes',
    });
    expect(c).toMatchObject({
      rateLimitWindowMs: 2000,
      rateLimitPerIp: 0,
      rateLimitPerKey: 7,
      corsOrigins: ['https://a.example', 'http://localhost:3000'],
      maxEventLoopDelayMs: 0,
      maxHeapUsedBytes: 512 * 1024 * 1024,
      headersTimeoutMs: 2000,
      keepAliveTimeoutMs: 5000,
      dataDir: '/tmp/pluralign-x',
      maxGraphEdges: 10,
      maxExpressionLength: 50,
      maxCustomGraphs: 3,
      maxGraphVersions: 2,
      allowUnauthenticated: true,
    });
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
  });

  it.each([
    ['RATE_LIMIT_WINDOW_MS', '10'],
    ['RATE_LIMIT_PER_IP', '-1'],
    ['RATE_LIMIT_PER_KEY', 'many'],
    ['CORS_ORIGINS', 'https://a.example/path'],
    ['CORS_ORIGINS', 'a.example'],
    ['CORS_ORIGINS', '*, https://a.example'],
    ['MAX_EVENT_LOOP_DELAY_MS', '1.5'],
    ['MAX_HEAP_USED_MB', 'lots'],
    ['HEADERS_TIMEOUT_MS', '0'],
    ['KEEP_ALIVE_TIMEOUT_MS', 'x'],
    ['DATA_DIR', '   '],
    ['MAX_GRAPH_EDGES', '60000'],
    ['MAX_EXPRESSION_LENGTH', '0'],
    ['MAX_CUSTOM_GRAPHS', '-3'],
    ['MAX_GRAPH_VERSIONS', '0'],
    ['ALLOW_UNAUTHENTICATED', 'sure'],
  ])('%s=%s is refused with a message naming the variable', expectRefused);
});
