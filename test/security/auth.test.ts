/**
 * API keys and scopes: parsing and hashing, the constant-time comparison, the scope of every documented
 * operation enforced on a live server (no key → 401, unknown key → 401, wrong scope → 403, right scope →
 * through), open routes, keys never in logs or error messages, and the loopback-only rule without keys
 * (a real process).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_CUSTOM_GRAPH } from '../../schemas/api.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { bearerToken, KeyRing, parseApiKeys, routeScope, type Scope } from '../../src/http/auth.js';
import { buildApp } from '../../src/http/app.js';
import { isLoopback } from '../../src/config/security.js';
import { expectEnvelope, LogCapture, startLive, testConfig, type Live } from '../http/helpers.js';
import { spawnServer as spawnServerProcess, waitForExit } from '../fixtures/server-process.js';
import { API_KEYS, bearer, KEY_ENTRIES, KEYS, sha256 } from './keys.js';

describe('parsing keys', () => {
  it('hashes plain-text keys and keeps sha256: entries, never the key', () => {
    const r = parseApiKeys(API_KEYS);
    if (!('keys' in r)) throw new Error(r.errors.join('\n'));
    expect(r.keys.map((k) => k.name)).toEqual(['reader', 'aligner', 'admin', 'all', 'hashed']);
    expect(r.keys[0]).toEqual({
      name: 'reader',
      sha256: sha256(KEYS.reader),
      scopes: ['read'],
      rateLimit: null,
    });
    expect(r.keys[4]!.sha256).toBe(sha256(KEYS.hashed));
    const json = JSON.stringify(r.keys);
    for (const key of Object.values(KEYS)) expect(json).not.toContain(key);
  });

  it('says what is wrong without quoting a key or the JSON', () => {
    const secret = 'short-secret';
    const cases: Array<[string, RegExp]> = [
      [`[{"name":"a","key":"${secret}","scopes":["read"]}]`, /at least 16 characters/],
      [`[{"name":"a","key":"${secret}","scopes":[]}]`, /at least one scope/],
      [`[{"name":"a","key":"${secret}xxxxxxxxxx","scopes":["root"]}]`, /one of read, align, admin/],
      [`[{"name":"a","key":"sha256:${secret}","scopes":["read"]}]`, /64 hex digits/],
      [`[{"name":"a b","key":"${secret}xxxxxxxxxx","scopes":["read"]}]`, /letters, digits/],
      [`{"key":"${secret}"`, /not valid JSON/],
      [`{"key":"${secret}xxxxxxx"}`, /JSON list/],
      [`[{"name":"a","key":"${secret}xxxxxxx","scopes":["read"],"extra":1}]`, /extra/],
    ];
    for (const [text, message] of cases) {
      const r = parseApiKeys(text);
      expect('errors' in r, text).toBe(true);
      const errors = (r as { errors: string[] }).errors.join('\n');
      expect(errors).toMatch(message);
      expect(errors).not.toContain(secret);
    }
  });

  it('refuses duplicate names and duplicate keys across API_KEYS and API_KEYS_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pluralign-keys-'));
    try {
      const file = join(dir, 'keys.json');
      writeFileSync(file, JSON.stringify([{ name: 'other', key: KEYS.reader, scopes: ['read'] }]));
      let error: unknown;
      try {
        loadConfig({ API_KEYS, API_KEYS_FILE: file });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/keys "reader" and "other" are the same key/);
      expect((error as Error).message).not.toContain(KEYS.reader);
      // A file alone works, and its keys are added to API_KEYS'.
      writeFileSync(file, JSON.stringify([{ name: 'extra', key: 'x'.repeat(20), scopes: ['admin'] }]));
      const c = loadConfig({ API_KEYS, API_KEYS_FILE: file });
      expect(c.apiKeys.map((k) => k.name)).toEqual(['reader', 'aligner', 'admin', 'all', 'hashed', 'extra']);
      expect(JSON.stringify(c)).not.toContain('x'.repeat(20));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an invalid API_KEYS is refused with its value redacted', () => {
    const leaked = `[{"name":"a","key":"${KEYS.admin}","scopes":["sudo"]}]`;
    let error: unknown;
    try {
      loadConfig({ API_KEYS: leaked });
    } catch (err) {
      error = err;
    }
    expect((error as ConfigError).variables).toEqual(['API_KEYS']);
    expect((error as Error).message).toContain('API_KEYS=(redacted)');
    expect((error as Error).message).not.toContain(KEYS.admin);
    expect(() => loadConfig({ API_KEYS_FILE: '/no/such/keys.json' })).toThrow(/API_KEYS_FILE=.*ENOENT/);
  });

  it('bearer tokens: only `Bearer <token68>`', () => {
    expect(bearerToken(undefined)).toEqual({ problem: 'missing' });
    expect(bearerToken('')).toEqual({ problem: 'missing' });
    expect(bearerToken(`Bearer ${KEYS.admin}`)).toEqual({ token: KEYS.admin });
    expect(bearerToken(`bearer   ${KEYS.admin}`)).toEqual({ token: KEYS.admin });
    for (const bad of [
      'Basic dXNlcjpwYXNz',
      'Bearer',
      'Bearer ',
      'Bearer a b',
      'Bearer a,b',
      `Bearer ${'a'.repeat(5000)}`,
    ])
      expect(bearerToken(bad), bad).toEqual({ problem: 'malformed' });
    expect(bearerToken(['Bearer a', 'Bearer b'])).toEqual({ problem: 'malformed' });
  });
});

describe('the key ring compares in constant time', () => {
  const parsed = parseApiKeys(API_KEYS);
  const records = 'keys' in parsed ? parsed.keys : [];

  it('hashes the token, then compares 32-byte hashes with every key, whatever matches', () => {
    const calls: Array<[number, number]> = [];
    const ring = new KeyRing(records, (a, b) => {
      calls.push([a.byteLength, b.byteLength]);
      return timingSafeEqual(a, b);
    });
    for (const token of [KEYS.reader, KEYS.all, KEYS.hashed, 'not-a-key', 'x'.repeat(3000), '']) {
      calls.length = 0;
      const found = ring.authenticate(token);
      expect(calls, token).toEqual(records.map(() => [32, 32]));
      const expected = KEY_ENTRIES.find((k) => k.key === token || k.key === `sha256:${sha256(token)}`);
      expect(found?.name).toBe(expected?.name);
    }
    expect(ring.authenticate(KEYS.all)?.scopes).toEqual(new Set(['read', 'align', 'admin']));
    // A hashed entry matches its key, not the hash text.
    expect(ring.authenticate(`sha256:${sha256(KEYS.hashed)}`)).toBeNull();
  });
});

describe('loopback only without keys', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (h) => expect(isLoopback(h)).toBe(true),
  );
  it.each(['0.0.0.0', '::', '10.0.0.1', '192.168.1.10', 'example.com', '::ffff:10.0.0.1'])('%s is not', (h) =>
    expect(isLoopback(h)).toBe(false),
  );

  it('a non-loopback HOST without keys is refused, naming the variables; keys or the opt-in allow it', () => {
    let error: unknown;
    try {
      loadConfig({ HOST: '0.0.0.0' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(['HOST']);
    for (const name of ['HOST', 'API_KEYS', 'API_KEYS_FILE', 'ALLOW_UNAUTHENTICATED'])
      expect((error as Error).message).toContain(name);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' }).allowUnauthenticated).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0', API_KEYS }).apiKeys).toHaveLength(5);
  });

  function spawnServer(env: Record<string, string>) {
    const dataDir = mkdtempSync(join(tmpdir(), 'pluralign-auth-'));
    const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
    return { ...spawnServerProcess({ DATA_DIR: dataDir, ...env }), cleanup };
  }

  async function until(cond: () => boolean, ms = 15000) {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    return cond();
  }

  it('the server process: HOST=0.0.0.0 without keys exits 1 naming the variables', async () => {
    const s = spawnServer({ HOST: '0.0.0.0' });
    try {
      expect(await waitForExit(s.child)).toBe(1);
      expect(s.err()).toMatch(/HOST="0\.0\.0\.0".*API_KEYS.*API_KEYS_FILE.*ALLOW_UNAUTHENTICATED=true/s);
    } finally {
      s.cleanup();
    }
  });

  it('the server process: HOST=0.0.0.0 with ALLOW_UNAUTHENTICATED=true starts and warns', async () => {
    const s = spawnServer({ HOST: '0.0.0.0', ALLOW_UNAUTHENTICATED: 'true' });
    try {
      expect(await until(() => s.out().includes('Server listening'))).toBe(true);
      const warning = s
        .out()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string })
        .find((l) => l.msg.includes('no API keys configured'));
      expect(warning?.level).toBe(40);
      expect(warning?.msg).toMatch(/ALLOW_UNAUTHENTICATED=true.*graph writes included/);
    } finally {
      s.child.kill('SIGKILL');
      await waitForExit(s.child);
      s.cleanup();
    }
  });
});

/** Every documented operation with the scope it declares, as a request that reaches the route. */
interface Operation {
  method: string;
  path: string;
  url: string;
  scope: Scope | 'public';
}

/** The response with its body read into memory (same status, headers and body). */
async function buffered(res: Response): Promise<Response> {
  const body = res.status === 204 || res.status === 304 ? null : await res.arrayBuffer();
  return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
}

describe('scopes on a live server', () => {
  let live: Live;
  let operations: Operation[];
  beforeAll(async () => {
    live = await startLive({ API_KEYS });
    const doc = (await (await fetch(`${live.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        url: path.replace('{id}', 'mini-values'),
        scope: (op.security?.[0]?.bearerAuth?.[0] ?? 'public') as Scope | 'public',
      })),
    );
  });
  afterAll(() => live.close());

  // Every response body is read in full: an unread body can hold its connection open (the server
  // still writing it), and close() then waits for it.
  const send = async (op: Operation, headers: Record<string, string> = {}) =>
    buffered(
      await fetch(`${live.url}${op.url}`, {
        method: op.method,
        headers: {
          ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(op.method === 'GET' || op.method === 'DELETE' ? {} : { body: '{}' }),
      }),
    );

  it('the documented scopes are the ones of the brief', () => {
    const scopeOf = (m: string, p: string) => operations.find((o) => o.method === m && o.path === p)?.scope;
    expect(scopeOf('GET', '/healthz')).toBe('public');
    expect(scopeOf('GET', '/readyz')).toBe('public');
    expect(scopeOf('GET', '/openapi.json')).toBe('public');
    for (const [m, p] of [
      ['GET', '/v1/graphs'],
      ['GET', '/v1/graphs/{id}'],
      ['GET', '/v1/graphs/{id}/versions'],
      ['GET', '/v1/presets'],
      ['POST', '/v1/counterfactuals'],
      ['POST', '/v1/profiles/convert'],
    ])
      expect(scopeOf(m!, p!), `${m} ${p}`).toBe('read');
    for (const [m, p] of [
      ['POST', '/v1/graphs'],
      ['PUT', '/v1/graphs/{id}'],
      ['DELETE', '/v1/graphs/{id}'],
    ])
      expect(scopeOf(m!, p!), `${m} ${p}`).toBe('admin');
    // Every other GET reads; nothing is left without a scope.
    for (const o of operations) expect(['public', 'read', 'align', 'admin']).toContain(o.scope);
  });

  it('no key → 401 AUTH_REQUIRED with WWW-Authenticate: Bearer, on every protected operation', async () => {
    for (const op of operations.filter((o) => o.scope !== 'public')) {
      const res = await send(op);
      expect(res.status, `${op.method} ${op.path}`).toBe(401);
      expectEnvelope(await res.json(), 'AUTH_REQUIRED');
      expect(res.headers.get('www-authenticate')).toBe(`Bearer realm="pluralign", scope="${op.scope}"`);
    }
  });

  it('an unknown or malformed key → 401 INVALID_API_KEY', async () => {
    const op = operations.find((o) => o.path === '/v1/graphs' && o.method === 'GET')!;
    for (const authorization of [
      'Bearer rk_test_reader_0123456789abcdefghiX',
      `Bearer ${KEYS.reader.slice(0, -1)}`,
      `Bearer sha256:${sha256(KEYS.hashed)}`,
      `Basic ${Buffer.from(`u:${KEYS.reader}`).toString('base64')}`,
      'Bearer',
      `Token ${KEYS.reader}`,
    ]) {
      const res = await send(op, { authorization });
      expect(res.status, authorization).toBe(401);
      expectEnvelope(await res.json(), 'INVALID_API_KEY');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="pluralign", error="invalid_token"/);
    }
  });

  it('a key without the scope → 403 INSUFFICIENT_SCOPE; with it → the route answers', async () => {
    const holders: Record<Scope, Array<keyof typeof KEYS>> = {
      read: ['reader', 'hashed', 'all'],
      align: ['aligner', 'all'],
      admin: ['admin', 'all'],
    };
    for (const op of operations.filter((o) => o.scope !== 'public')) {
      const scope = op.scope as Scope;
      for (const name of Object.keys(KEYS) as Array<keyof typeof KEYS>) {
        const res = await send(op, bearer(KEYS[name]));
        const label = `${op.method} ${op.path} with ${name}`;
        if (holders[scope].includes(name)) {
          expect([401, 403], label).not.toContain(res.status);
          expect(res.status, label).toBeLessThan(500);
        } else {
          expect(res.status, label).toBe(403);
          const e = expectEnvelope(await res.json(), 'INSUFFICIENT_SCOPE');
          expect(e.message).toContain(`"${scope}"`);
          expect(res.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
        }
      }
    }
  });

  it('a right-scoped key gets the real answer (reads, and an admin write)', async () => {
    const list = await buffered(await fetch(`${live.url}/v1/graphs`, { headers: bearer(KEYS.hashed) }));
    expect(list.status).toBe(200);
    const created = await buffered(
      await fetch(`${live.url}/v1/graphs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer(KEYS.admin) },
        body: JSON.stringify(EXAMPLE_CUSTOM_GRAPH),
      }),
    );
    expect(created.status).toBe(201);
    const head = await fetch(`${live.url}/v1/graphs/my-values`, { method: 'HEAD' });
    expect(head.status).toBe(401); // HEAD is a read too
    const read = await fetch(`${live.url}/v1/graphs/my-values`, {
      method: 'HEAD',
      headers: bearer(KEYS.reader),
    });
    expect(read.status).toBe(200);
  });

  it('health, the OpenAPI document, Swagger UI and unknown routes need no key', async () => {
    for (const path of [
      '/healthz',
      '/readyz',
      '/openapi.json',
      '/docs',
      '/docs/static/swagger-initializer.js',
    ]) {
      const res = await buffered(await fetch(`${live.url}${path}`));
      expect(res.status, path).toBe(200);
    }
    const missing = await fetch(`${live.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expectEnvelope(await missing.json(), 'NOT_FOUND');
  });
});

describe('the constant-time comparison is what the server uses', () => {
  it('every request with a bearer token compares 32-byte hashes with every key', async () => {
    const calls: number[] = [];
    const app = await buildApp(testConfig({ API_KEYS }), {
      logger: false,
      security: {
        compare: (a, b) => {
          calls.push(a.byteLength + b.byteLength);
          return timingSafeEqual(a, b);
        },
      },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    try {
      for (const token of [KEYS.reader, KEYS.all, 'wrong-key-but-long-enough']) {
        calls.length = 0;
        await fetch(`${url}/v1/presets`, { headers: bearer(token) });
        expect(calls, token).toEqual(KEY_ENTRIES.map(() => 64));
      }
      calls.length = 0;
      await fetch(`${url}/v1/presets`);
      expect(calls).toEqual([]); // no token, nothing to compare
    } finally {
      await app.close();
    }
  });
});

describe('routes mark their scope with routeScope', () => {
  it('`align` routes need the align scope; a route without a scope needs admin', async () => {
    const app = await buildApp(testConfig({ API_KEYS }), { logger: false });
    app.post('/v1/test-align', { config: routeScope('align') }, async () => ({ ok: true }));
    app.post('/v1/test-unmarked', async () => ({ ok: true }));
    await app.ready();
    try {
      const call = (url: string, key: string) => app.inject({ method: 'POST', url, headers: bearer(key) });
      expect((await call('/v1/test-align', KEYS.aligner)).statusCode).toBe(200);
      expect((await call('/v1/test-align', KEYS.all)).statusCode).toBe(200);
      expect((await call('/v1/test-align', KEYS.reader)).statusCode).toBe(403);
      expect((await call('/v1/test-align', KEYS.admin)).statusCode).toBe(403);
      expect((await call('/v1/test-unmarked', KEYS.admin)).statusCode).toBe(200);
      expect((await call('/v1/test-unmarked', KEYS.aligner)).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: '/v1/test-unmarked' })).statusCode).toBe(401);
    } finally {
      await app.close();
    }
  });
});

describe('keys never reach the logs', () => {
  it('neither keys, their hashes nor Authorization headers are logged; key names are', async () => {
    const capture = new LogCapture();
    const live = await startLive({ API_KEYS, LOG_LEVEL: 'trace' }, { logger: true, logStream: capture });
    try {
      for (const key of [...Object.values(KEYS), 'guessed-key-0123456789abcdef']) {
        await fetch(`${live.url}/v1/graphs`, { headers: { ...bearer(key), 'x-request-id': 'log-key' } });
        await fetch(`${live.url}/v1/graphs`, {
          method: 'POST',
          headers: { ...bearer(key), 'content-type': 'application/json' },
          body: '{"id": 1}',
        });
      }
    } finally {
      await live.close();
    }
    const all = capture.raw.join('\n');
    for (const key of [...Object.values(KEYS), 'guessed-key-0123456789abcdef']) {
      expect(all).not.toContain(key);
      expect(all).not.toContain(sha256(key));
    }
    expect(all).not.toMatch(/Bearer [^<]/); // the messages say "Bearer <key>", nothing more
    const boot = capture.lines.find((l) => l.msg === 'API keys loaded') as { keys: Array<{ name: string }> };
    expect(boot.keys.map((k) => k.name)).toEqual(['reader', 'aligner', 'admin', 'all', 'hashed']);
    const incoming = capture.lines.filter(
      (l) => l.msg === 'incoming request' && (l as { requestId?: string }).requestId === 'log-key',
    ) as Array<{ req: { headers: Record<string, string> } }>;
    expect(incoming.length).toBeGreaterThan(0);
    for (const l of incoming) expect(l.req.headers.authorization).toBe('[redacted]');
  });
});

describe('without keys', () => {
  it('the service is open (the Authorization header is ignored) and warns at boot', async () => {
    const capture = new LogCapture();
    const live = await startLive({ LOG_LEVEL: 'warn' }, { logger: true, logStream: capture });
    try {
      expect((await fetch(`${live.url}/v1/graphs`)).status).toBe(200);
      expect((await fetch(`${live.url}/v1/graphs`, { headers: bearer('anything-at-all-here') })).status).toBe(
        200,
      );
      const res = await fetch(`${live.url}/v1/graphs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(EXAMPLE_CUSTOM_GRAPH),
      });
      expect(res.status).toBe(201);
    } finally {
      await live.close();
    }
    const warning = capture.lines.find((l) => String(l.msg).startsWith('no API keys configured'));
    expect(warning).toMatchObject({ level: 40 });
    expect(String(warning!.msg)).toContain('127.0.0.1');
  });
});
