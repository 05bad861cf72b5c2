/**
 * The app on a real listening socket (127.0.0.1): one route of every family over HTTP, request ids,
 * logs, and graceful close with a request in flight.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_GRAPH } from '../../schemas/api.js';
import { expectEnvelope, LogCapture, startLive, type Live } from './helpers.js';

const FULL = { openness: 1, stimulation: 1, security: -0.25, adventure: 0.75 };

describe('every route family over a real socket', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive();
  });
  afterAll(() => live.close());

  it('GET /healthz and /readyz', async () => {
    const h = await fetch(`${live.url}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok' });
    const r = await fetch(`${live.url}/readyz`);
    expect(r.status).toBe(200);
    const body = (await r.json()) as { status: string; graphs: Array<{ id: string }> };
    expect(body.status).toBe('ready');
    expect(body.graphs.map((g) => g.id)).toEqual(['curve', 'mini-values']);
  });

  it('POST /v1/counterfactuals (bundled and inline graphs)', async () => {
    for (const graph of ['mini-values', EXAMPLE_GRAPH]) {
      const res = await fetch(`${live.url}/v1/counterfactuals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          graph,
          evidence: FULL,
          interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
        }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = (await res.json()) as { result: { counterfactual: Record<string, number> } };
      expect(body.result.counterfactual.adventure).toBeCloseTo(1.25, 12);
    }
  });

  it('GET /v1/graphs and /v1/graphs/{id} (with an ETag)', async () => {
    const list = (await (await fetch(`${live.url}/v1/graphs`)).json()) as {
      graphs: Array<{ id: string; hash: string }>;
    };
    expect(list.graphs.map((g) => g.id)).toEqual(['curve', 'mini-values']);
    const res = await fetch(`${live.url}/v1/graphs/mini-values`);
    expect(res.status).toBe(200);
    const g = (await res.json()) as { hash: string; definition: unknown; nodes: unknown; linear: boolean };
    expect(g.definition).toEqual(EXAMPLE_GRAPH);
    expect(g.nodes).toEqual({ latent: 1, value: 2, concept: 1 });
    expect(g.linear).toBe(true);
    expect(res.headers.get('etag')).toBe(`"${g.hash}"`);
    expect(g.hash).toBe(list.graphs.find((x) => x.id === 'mini-values')!.hash);
    const missing = await fetch(`${live.url}/v1/graphs/nope`);
    expect(missing.status).toBe(404);
    expectEnvelope(await missing.json(), 'UNKNOWN_GRAPH');
  });

  it('POST /v1/profiles/convert', async () => {
    const res = await fetch(`${live.url}/v1/profiles/convert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        profile: { format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } },
        to: 'ranking',
      }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      format: 'ranking',
      ranking: ['security', 'benevolence', 'stimulation'],
    });
  });

  it('GET /docs renders Swagger UI and /openapi.json is the document', async () => {
    const docs = await fetch(`${live.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const html = await docs.text();
    expect(html).toMatch(/swagger-ui/i);
    const init = await fetch(`${live.url}/docs/static/swagger-initializer.js`);
    expect(init.status).toBe(200);
    const spec = (await (await fetch(`${live.url}/docs/json`)).json()) as { openapi: string };
    expect(spec.openapi).toBe('3.1.0');
    const doc = (await (await fetch(`${live.url}/openapi.json`)).json()) as {
      openapi: string;
      paths: object;
    };
    expect(doc).toEqual(spec);
  });

  it('x-request-id: a well-formed one is echoed, anything else is replaced by a UUID', async () => {
    const mine = await fetch(`${live.url}/healthz`, { headers: { 'x-request-id': 'req-2024.abc:1' } });
    expect(mine.headers.get('x-request-id')).toBe('req-2024.abc:1');
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon']) {
      const res = await fetch(`${live.url}/v1/nothing`, { headers: { 'x-request-id': bad } });
      expect(res.status).toBe(404);
      expect(res.headers.get('x-request-id')).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
    const none = await fetch(`${live.url}/healthz`);
    expect(none.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('x-request-id: a generated one is new on every request, and once in the response', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const res = await fetch(`${live.url}/healthz`);
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // UUID v4
      ids.add(id);
      await res.arrayBuffer();
    }
    expect(ids.size).toBe(200);
  });
});

describe('DOCS_ENABLED=false', () => {
  it('turns Swagger UI off but keeps /openapi.json', async () => {
    const live = await startLive({ DOCS_ENABLED: 'false' });
    try {
      const docs = await fetch(`${live.url}/docs`);
      expect(docs.status).toBe(404);
      expectEnvelope(await docs.json(), 'NOT_FOUND');
      const doc = await fetch(`${live.url}/openapi.json`);
      expect(doc.status).toBe(200);
      await doc.arrayBuffer(); // read it all: an unread body can keep the connection, and close(), waiting
    } finally {
      await live.close();
    }
  });
});

describe('logs', () => {
  it('are JSON lines with the request id on every line of a request, and secrets redacted', async () => {
    const capture = new LogCapture();
    const live = await startLive({ LOG_LEVEL: 'info' }, { logger: true, logStream: capture });
    try {
      await fetch(`${live.url}/v1/counterfactuals`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: 'Bearer sk-very-secret-1',
          'x-api-key': 'sk-very-secret-2',
          cookie: 'session=sk-very-secret-3',
          'x-request-id': 'log-test-1',
        },
        body: JSON.stringify({ graph: 'nope' }),
      });
    } finally {
      await live.close();
    }
    const mine = capture.lines.filter((l) => l.requestId === 'log-test-1');
    expect(mine.length).toBeGreaterThanOrEqual(3); // incoming, the 4xx, completed
    const all = capture.raw.join('\n');
    expect(all).not.toContain('sk-very-secret');
    const incoming = mine.find((l) => l.msg === 'incoming request') as {
      req: { headers: Record<string, string> };
    };
    expect(incoming.req.headers.authorization).toBe('[redacted]');
    expect(incoming.req.headers['x-api-key']).toBe('[redacted]');
    expect(incoming.req.headers.cookie).toBe('[redacted]');
    expect(mine.find((l) => l.msg === 'request completed')).toMatchObject({ res: { statusCode: 404 } });
    // Every line written while handling a request carries its id.
    for (const line of capture.lines) {
      if ('req' in line || 'res' in line || 'code' in line) expect(line.requestId).toBeTruthy();
    }
  });
});

describe('graceful close', () => {
  function openRequest(url: string, body: string): { socket: Socket; response: Promise<string> } {
    const { port } = new URL(url);
    const socket = connect(Number(port), '127.0.0.1');
    const response = new Promise<string>((resolve, reject) => {
      let out = '';
      socket.on('data', (d) => (out += d.toString('utf8')));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    socket.write(
      `POST /v1/counterfactuals HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`,
    );
    return { socket, response };
  }

  it('finishes a request in flight, refuses new connections, then resolves', async () => {
    const live = await startLive();
    const body = JSON.stringify({
      graph: 'mini-values',
      evidence: FULL,
      interventions: [{ node: 'stimulation', type: 'do', value: 2 }],
    });
    const { socket, response } = openRequest(live.url, body);
    socket.write(body.slice(0, 10)); // the request is in flight: headers sent, body incomplete
    await new Promise((r) => setTimeout(r, 100));

    let closed = false;
    const closing = live.app.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(false);
    await expect(fetch(`${live.url}/healthz`)).rejects.toThrow();

    socket.end(body.slice(10));
    const text = await response;
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    const json = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as {
      result: { counterfactual: { adventure: number } };
    };
    expect(json.result.counterfactual.adventure).toBeCloseTo(1.25, 12);
    await closing;
    expect(closed).toBe(true);
  });

  it('a new request on a kept-alive connection while draining gets 503 SHUTTING_DOWN', async () => {
    const live = await startLive();
    const body = JSON.stringify({ graph: 'mini-values' });
    const socket = connect(Number(new URL(live.url).port), '127.0.0.1');
    let out = '';
    socket.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const ended = new Promise((r) => socket.on('close', r));
    socket.write(
      `POST /v1/counterfactuals HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 3)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const closing = live.app.close();
    await new Promise((r) => setTimeout(r, 100));
    // Finish the first request and pipeline a second one behind it.
    socket.write(`${body.slice(3)}GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n`);
    await ended;
    await closing;
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([200, 503]);
    const last = out.slice(out.lastIndexOf('\r\n\r\n') + 4);
    expectEnvelope(JSON.parse(last), 'SHUTTING_DOWN');
    const refused = out.slice(out.lastIndexOf('HTTP/1.1 503')).toLowerCase();
    expect(refused).toContain('connection: close');
    expect(refused).toContain('x-content-type-options: nosniff'); // the security headers too
    expect(refused).toContain("content-security-policy: default-src 'none'");
  });
});
