import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ERROR_CATALOGUE, ERROR_CODES } from '../../src/errors.js';
import { buildApp } from '../../src/http/app.js';
import { expectEnvelope, makeApp, ROOT, startLive, testConfig, type Live } from './helpers.js';

describe('the error catalogue and docs/errors.md agree', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const rows = [...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)].map(
    (m) => [m[1]!, Number(m[2])] as const,
  );

  it('every catalogued code is documented with its status, and nothing else is', () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map(([c]) => c)).size).toBe(rows.length);
    expect(Object.fromEntries(rows)).toEqual(
      Object.fromEntries(Object.entries(ERROR_CATALOGUE).map(([code, v]) => [code, v.status])),
    );
  });

  it('codes are upper snake case and statuses are 4xx/5xx', () => {
    for (const code of ERROR_CODES) {
      expect(code).toMatch(/^[A-Z][A-Z_]*[A-Z]$/);
      expect(ERROR_CATALOGUE[code].status).toBeGreaterThanOrEqual(400);
      expect(ERROR_CATALOGUE[code].status).toBeLessThan(600);
    }
  });
});

describe("fastify's own errors use the envelope", () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await makeApp({ BODY_LIMIT: '2048' });
  });
  afterAll(() => app.close());

  const send = (opts: InjectOptions) => app.inject(opts);

  it('malformed JSON → 400 MALFORMED_JSON', async () => {
    const res = await send({
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': 'application/json' },
      payload: '{"graph": "mini-values",',
    });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'MALFORMED_JSON');
  });

  it('an empty body declared as JSON → 400 MALFORMED_JSON', async () => {
    const res = await send({
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'MALFORMED_JSON');
  });

  it('no body at all → 400 VALIDATION_FAILED', async () => {
    const res = await send({ method: 'POST', url: '/v1/profiles/convert' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'VALIDATION_FAILED');
  });

  it('a prototype-poisoning key → 400, never 5xx', async () => {
    const res = await send({
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': 'application/json' },
      payload: '{"graph": "mini-values", "__proto__": {"polluted": true}}',
    });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'MALFORMED_JSON');
  });

  it('a body over BODY_LIMIT → 413 BODY_TOO_LARGE', async () => {
    const res = await send({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: { graph: 'mini-values', evidence: { openness: 1 }, pad: 'x'.repeat(4000) },
    });
    expect(res.statusCode).toBe(413);
    expect(expectEnvelope(res.json(), 'BODY_TOO_LARGE').message).toMatch(/2048 bytes/);
  });

  it.each([
    ['text/plain', 'graph=mini-values'],
    ['application/x-www-form-urlencoded', 'graph=mini-values'],
    ['application/xml', '<graph>mini-values</graph>'],
  ])('Content-Type %s → 415 UNSUPPORTED_MEDIA_TYPE', async (type, payload) => {
    const res = await send({
      method: 'POST',
      url: '/v1/counterfactuals',
      headers: { 'content-type': type },
      payload,
    });
    expect(res.statusCode).toBe(415);
    expectEnvelope(res.json(), 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('an unknown route, or a known path with the wrong method → 404 NOT_FOUND', async () => {
    for (const [method, url] of [
      ['GET', '/v1/nothing'],
      ['GET', '/v1/counterfactuals'],
      ['PATCH', '/v1/graphs/mini-values'],
    ] as const) {
      const res = await send({ method, url });
      expect(res.statusCode).toBe(404);
      expect(expectEnvelope(res.json(), 'NOT_FOUND').message).toContain(url);
      expect(res.headers['x-request-id']).toBeTruthy();
    }
  });

  it('a malformed URL → 400 BAD_REQUEST', async () => {
    const res = await send({ method: 'GET', url: '/v1/graphs/%E0%A4%A' });
    expect(res.statusCode).toBe(400);
    expectEnvelope(res.json(), 'BAD_REQUEST');
  });

  it('path and query parameters are validated: unknown or bad ones are listed with their path', async () => {
    const long = await send({ method: 'GET', url: `/v1/graphs/${'a'.repeat(65)}` });
    expect(long.statusCode).toBe(400);
    expect(expectEnvelope(long.json(), 'VALIDATION_FAILED').details[0]!.path).toBe('params.id');
    const unknown = await send({ method: 'GET', url: '/v1/presets?systme=schwartz-10' });
    expect(unknown.statusCode).toBe(400);
    expect(expectEnvelope(unknown.json(), 'VALIDATION_FAILED').details[0]!.path).toBe('query.systme');
  });
});

describe('5xx responses hide internals', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(testConfig(), { logger: false });
    app.get('/boom', async () => {
      throw new Error('connection string postgres://admin:hunter2@db/secret failed');
    });
    app.get('/boom-typed', async () => {
      const e = new Error('ENOENT: /srv/private/key.pem') as Error & { statusCode: number };
      e.statusCode = 503;
      throw e;
    });
    app.register(async (child) => {
      child.setSerializerCompiler(serializerCompiler);
      child.get(
        '/bad-response',
        { schema: { response: { 200: z.object({ n: z.number() }) } } },
        async () => ({ n: 'x' }),
      );
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it.each(['/boom', '/boom-typed', '/bad-response'])(
    '%s → 500 INTERNAL with only the request id',
    async (url) => {
      const res = await app.inject({ method: 'GET', url, headers: { 'x-request-id': 'trace-42' } });
      expect(res.statusCode).toBe(500);
      const e = expectEnvelope(res.json(), 'INTERNAL');
      expect(e.message).toBe('internal server error; quote request id trace-42 when reporting it');
      expect(e.details).toEqual([]);
      expect(res.body).not.toMatch(/hunter2|postgres|ENOENT|pem|stack|Error/);
      expect(res.headers['x-request-id']).toBe('trace-42');
    },
  );
});

describe('errors raised before fastify sees a request (raw HTTP, live server)', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive();
  });
  afterAll(() => live.close());

  function raw(text: string): Promise<string> {
    const { port } = new URL(live.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1');
      let out = '';
      socket.on('data', (d) => (out += d.toString('utf8')));
      socket.on('end', () => resolve(out));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
      socket.write(text);
    });
  }

  function parse(response: string) {
    const [head, body] = response.split('\r\n\r\n');
    return { status: Number(head!.split(' ')[1]), head: head!, body: JSON.parse(body!) as unknown };
  }

  it('a malformed request line → 400 BAD_REQUEST envelope', async () => {
    const r = parse(await raw('GARBAGE\r\n\r\n'));
    expect(r.status).toBe(400);
    expectEnvelope(r.body, 'BAD_REQUEST');
    expect(r.head.toLowerCase()).toMatch(/x-request-id: [0-9a-f-]{36}/);
  });

  it('oversized headers → 431 HEADERS_TOO_LARGE envelope', async () => {
    const r = parse(await raw(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`));
    expect(r.status).toBe(431);
    expectEnvelope(r.body, 'HEADERS_TOO_LARGE');
  });
});
