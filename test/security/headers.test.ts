/**
 * Security headers on every kind of response, Swagger UI still working under its Content-Security-Policy
 * (in a real Chromium), and CORS: off by default, on for the configured origins only.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_CSP } from '../../src/http/security.js';
import { startFakeOpenAI } from '../fixtures/fake-openai.js';
import { BUNDLED_GRAPHS, expectEnvelope, startLive, type Live } from '../http/helpers.js';
import { API_KEYS, bearer, KEYS } from './keys.js';

const CHROMIUM = '/usr/bin/chromium';

function expectSecurityHeaders(h: Headers, what: string) {
  const csp = h.get('content-security-policy') ?? '';
  expect(csp, what).toContain("default-src 'none'");
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("base-uri 'none'");
  expect(h.get('x-content-type-options'), what).toBe('nosniff');
  expect(h.get('x-frame-options'), what).toBe('SAMEORIGIN');
  expect(h.get('referrer-policy'), what).toBe('no-referrer');
  expect(h.get('strict-transport-security'), what).toMatch(/^max-age=\d+; includeSubDomains$/);
  expect(h.get('cross-origin-opener-policy'), what).toBe('same-origin');
  expect(h.get('x-dns-prefetch-control'), what).toBe('off');
  expect(h.get('x-powered-by'), what).toBeNull();
}

describe('security headers', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive({ API_KEYS });
  });
  afterAll(() => live.close(), 30_000);

  it('on successes and on every kind of error', async () => {
    const cases: Array<[string, RequestInit & { url: string }, number]> = [
      ['200', { url: '/v1/presets', headers: bearer(KEYS.reader) }, 200],
      ['public 200', { url: '/healthz' }, 200],
      ['401', { url: '/v1/presets' }, 401],
      ['403', { url: '/v1/graphs/mini-values', method: 'DELETE', headers: bearer(KEYS.reader) }, 403],
      ['404', { url: '/v1/nothing' }, 404],
      [
        '400',
        {
          url: '/v1/counterfactuals',
          method: 'POST',
          headers: { ...bearer(KEYS.reader), 'content-type': 'application/json' },
          body: '{',
        },
        400,
      ],
    ];
    for (const [what, { url, ...init }, status] of cases) {
      const res = await fetch(`${live.url}${url}`, init);
      expect(res.status, what).toBe(status);
      expectSecurityHeaders(res.headers, what);
      expect(res.headers.get('cross-origin-resource-policy'), what).toBe('same-origin');
    }
  });

  it('Swagger UI gets its own policy: scripts and styles from the server only, no inline script', async () => {
    const res = await fetch(`${live.url}/docs/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("script-src 'self'");
    expect(DOCS_CSP).not.toMatch(/script-src[^;]*unsafe/);
    const html = await res.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\.\/static\//); // same origin
      expect(body!.trim()).toBe(''); // nothing inline
    }
    const asset = await fetch(`${live.url}/docs/static/swagger-ui-bundle.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-security-policy')).toBe(DOCS_CSP);
    await asset.arrayBuffer(); // read it all: an unread 1 MB body keeps the connection, and close(), waiting
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'Swagger UI renders in Chromium under that policy, with no violation',
    async () => {
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      try {
        const page = await browser.newPage();
        const problems: string[] = [];
        page.on('console', (m) => {
          if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
        });
        page.on('pageerror', (e) => problems.push(e.message));
        await page.addInitScript({
          content: `document.addEventListener('securitypolicyviolation', (e) =>
            console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
        });
        const response = await page.goto(`${live.url}/docs/`);
        expect(response?.headers()['content-security-policy']).toBe(DOCS_CSP);
        await page.waitForSelector('.swagger-ui .info .title', { timeout: 15000 });
        expect(await page.textContent('.swagger-ui .info .title')).toContain('pluralign');
        await page.waitForSelector('.opblock', { timeout: 15000 });
        expect(await page.locator('.opblock').count()).toBeGreaterThanOrEqual(10);
        // The lock icons of the operations that need a key.
        expect(await page.locator('.authorization__btn').count()).toBeGreaterThan(0);
        expect(problems).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

describe('security headers on responses a route writes itself (streams)', () => {
  it('the align event stream and the chat pass-through carry them and the request id, once each', async () => {
    const fake = await startFakeOpenAI();
    const live = await startLive({
      GRAPHS_DIR: BUNDLED_GRAPHS,
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'm',
    });
    try {
      const json = { 'content-type': 'application/json', 'x-request-id': 'stream-1' };
      const sse = await fetch(`${live.url}/v1/align`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({
          question: 'Should I lend money to my brother?',
          target: { format: 'likert5', values: { benevolence: 5 } },
          generator: 'template',
          stream: true,
        }),
      });
      expect(sse.status).toBe(200);
      expect(sse.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      expectSecurityHeaders(sse.headers, 'align stream');
      expect(sse.headers.get('content-security-policy')).not.toContain(','); // not sent twice
      expect(sse.headers.get('x-request-id')).toBe('stream-1');
      expect(await sse.text()).toContain('event: done');

      fake.script({ type: 'ok', text: 'Plain answer.' });
      const passed = await fetch(`${live.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { ...json, 'x-request-id': 'pass-1' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }),
      });
      expect(passed.status).toBe(200);
      expectSecurityHeaders(passed.headers, 'chat pass-through');
      expect(passed.headers.get('x-request-id')).toBe('pass-1');
      expect(passed.headers.get('content-type')).toMatch(/^application\/json/); // the upstream's
      expect(
        ((await passed.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message
          .content,
      ).toBe('Plain answer.');
    } finally {
      await live.close();
      await fake.close();
    }
  });
});

describe('CORS', () => {
  it('is off by default: no CORS headers, preflight is an unknown route', async () => {
    const live = await startLive();
    try {
      const res = await fetch(`${live.url}/v1/presets`, { headers: { origin: 'https://app.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
      const preflight = await fetch(`${live.url}/v1/presets`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' },
      });
      expect(preflight.status).toBe(404);
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expectEnvelope(await preflight.json(), 'NOT_FOUND');
    } finally {
      await live.close();
    }
  });

  describe('with CORS_ORIGINS', () => {
    let live: Live;
    beforeAll(async () => {
      live = await startLive({ API_KEYS, CORS_ORIGINS: 'https://app.example,http://localhost:5173' });
    });
    afterAll(() => live.close());

    it('allowed origins get the CORS headers, on answers and on errors', async () => {
      for (const origin of ['https://app.example', 'http://localhost:5173']) {
        const ok = await fetch(`${live.url}/v1/presets`, { headers: { origin, ...bearer(KEYS.reader) } });
        expect(ok.status).toBe(200);
        expect(ok.headers.get('access-control-allow-origin')).toBe(origin);
        expect(ok.headers.get('vary')).toMatch(/origin/i);
        expect(ok.headers.get('access-control-expose-headers')).toContain('retry-after');
        expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
        expect(ok.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
        // A 401 is readable by the page too (so it can ask for a key).
        const denied = await fetch(`${live.url}/v1/presets`, { headers: { origin } });
        expect(denied.status).toBe(401);
        expect(denied.headers.get('access-control-allow-origin')).toBe(origin);
      }
    });

    it('other origins get none', async () => {
      const res = await fetch(`${live.url}/v1/presets`, {
        headers: { origin: 'https://evil.example', ...bearer(KEYS.reader) },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('preflight: 204 without a key, with the allowed methods and headers', async () => {
      const res = await fetch(`${live.url}/v1/graphs`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example');
      expect(res.headers.get('access-control-allow-methods')).toBe('GET, HEAD, POST, PUT, DELETE');
      expect(res.headers.get('access-control-allow-headers')).toBe(
        'authorization, content-type, x-request-id',
      );
      expect(res.headers.get('access-control-max-age')).toBe('600');
    });
  });

  it('CORS_ORIGINS=* allows any origin', async () => {
    const live = await startLive({ CORS_ORIGINS: '*' });
    try {
      const res = await fetch(`${live.url}/v1/presets`, { headers: { origin: 'https://anywhere.example' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    } finally {
      await live.close();
    }
  });
});
