/**
 * GET /metrics after real traffic on a live server (127.0.0.1) with the fake OpenAI-compatible upstream:
 * an align with the template generator, one with the upstream that needs a retry (503 then 200), a
 * streamed align, a counterfactual, a 404 on a route and a 404 outside every route. The scrape is
 * Prometheus text format and the numbers match the traffic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';
import { BUNDLED_GRAPHS, makeApp, startLive, type Live } from './helpers.js';

const TARGET = { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } };
const QUESTION = 'Should I lend money to my brother who keeps losing his jobs?';

/** The value of one sample (`name{labels} value`), labels in the order prom-client writes them. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const head = body ? `${name}{${body}} ` : `${name} `;
  const line = text.split('\n').find((l) => l.startsWith(head));
  return line === undefined ? undefined : Number(line.slice(head.length));
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('GET /metrics after real traffic', () => {
  let fake: FakeOpenAI;
  let live: Live;
  let text: string;
  let contentType: string | null;

  beforeAll(async () => {
    fake = await startFakeOpenAI();
    live = await startLive({
      GRAPHS_DIR: BUNDLED_GRAPHS,
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'fake-model',
      GENERATOR: 'template',
      UPSTREAM_BACKOFF_BASE_MS: '10',
      UPSTREAM_BACKOFF_MAX_MS: '20',
      UPSTREAM_BREAKER_THRESHOLD: '5',
    });
    const u = live.url;

    // 1. The template generator (the default here): no upstream call.
    expect((await post(`${u}/v1/align`, { question: QUESTION, target: TARGET })).status).toBe(200);
    // 2. The upstream answers 503, then 200: one call, two attempts, one retry.
    fake.script({ type: 'status', status: 503 }, { type: 'ok', text: 'Stance: yes\n\nFamily comes first.' });
    const retried = await post(`${u}/v1/align`, { question: QUESTION, target: TARGET, generator: 'openai' });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('x-upstream-attempts')).toBe('2');
    // 3. A streamed align through the upstream: one call, one attempt.
    fake.script({ type: 'ok', text: 'Stance: yes\n\nFamily comes first.' });
    const streamed = await post(`${u}/v1/align`, {
      question: QUESTION,
      target: TARGET,
      generator: 'openai',
      stream: true,
    });
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toMatch(/event: done/);
    // 4. A counterfactual, 5. a 404 on a route, 6. a 404 outside every route.
    const cf = await post(`${u}/v1/counterfactuals`, {
      graph: 'schwartz-10',
      evidence: { benevolence: 0.8 },
      interventions: [{ node: 'stimulation', type: 'do', value: 1 }],
    });
    expect(cf.status).toBe(200);
    expect((await fetch(`${u}/v1/graphs/nope`)).status).toBe(404);
    expect((await fetch(`${u}/no/such/route?x=1`)).status).toBe(404);

    const res = await fetch(`${u}/metrics`);
    expect(res.status).toBe(200);
    contentType = res.headers.get('content-type');
    text = await res.text();
  });
  afterAll(async () => {
    await live?.close();
    await fake?.close();
  });

  it('is Prometheus text format', () => {
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(text).toMatch(/^# HELP pluralign_http_requests_total /m);
    expect(text).toMatch(/^# TYPE pluralign_http_request_duration_seconds histogram$/m);
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? -?(\d|Nan|\+Inf|-Inf)/);
    }
  });

  it('counts requests by route pattern and status, not by raw URL', () => {
    const req = (method: string, route: string, status: string) =>
      sample(text, 'pluralign_http_requests_total', { method, route, status });
    expect(req('POST', '/v1/align', '200')).toBe(3);
    expect(req('POST', '/v1/counterfactuals', '200')).toBe(1);
    expect(req('GET', '/v1/graphs/:id', '404')).toBe(1);
    expect(req('GET', '(unmatched)', '404')).toBe(1);
    expect(text).not.toContain('/v1/graphs/nope');
    expect(text).not.toContain('/no/such/route');
    // The histogram has as many observations as the counter, and took some time.
    const labels = { method: 'POST', route: '/v1/align', status: '200' };
    expect(sample(text, 'pluralign_http_request_duration_seconds_count', labels)).toBe(3);
    expect(sample(text, 'pluralign_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
    expect(sample(text, 'pluralign_http_request_duration_seconds_bucket', { le: '+Inf', ...labels })).toBe(3);
  });

  it('counts upstream calls, attempts and retries per upstream, and shows the breaker state', () => {
    // The breaker's name: `openai:<host><path>` of the base URL.
    const upstream = `openai:${fake.url.replace(/^https?:\/\//, '').replace(/\/$/, '')}`;
    const openai = { generator: 'openai', upstream };
    expect(sample(text, 'pluralign_upstream_calls_total', { ...openai, outcome: 'ok' })).toBe(2);
    expect(sample(text, 'pluralign_upstream_attempts_total', openai)).toBe(3);
    expect(sample(text, 'pluralign_upstream_retries_total', openai)).toBe(1);
    expect(fake.chatRequests()).toHaveLength(3);
    const template = { generator: 'template', upstream: 'template' };
    expect(sample(text, 'pluralign_upstream_calls_total', { ...template, outcome: 'ok' })).toBe(1);
    expect(sample(text, 'pluralign_upstream_retries_total', template)).toBeUndefined();
    const breaker = (state: string) => sample(text, 'pluralign_upstream_breaker_state', { upstream, state });
    expect([breaker('closed'), breaker('open'), breaker('half_open')]).toEqual([1, 0, 0]);
  });

  it('measures counterfactual engine time and names the generators in use', () => {
    expect(sample(text, 'pluralign_counterfactual_query_duration_seconds_count', { mode: 'single' })).toBe(1);
    const seconds = sample(text, 'pluralign_counterfactual_query_duration_seconds_sum', { mode: 'single' })!;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(5);
    expect(
      sample(text, 'pluralign_generator_info', {
        generator: 'template',
        model: 'pluralign-template-1',
        default: 'true',
      }),
    ).toBe(1);
    expect(
      sample(text, 'pluralign_generator_info', {
        generator: 'openai',
        model: 'fake-model',
        default: 'false',
      }),
    ).toBe(1);
  });

  it('includes the default process metrics', () => {
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
  });
});

describe('GET /metrics: one registry per app, and the read scope', () => {
  it('keeps apps apart and needs a key with the read scope when keys are configured', async () => {
    const keys = JSON.stringify([
      { name: 'scraper', key: 'scrape-key-0123456789', scopes: ['read'] },
      { name: 'writer', key: 'align-key-0123456789', scopes: ['align'] },
    ]);
    const a = await makeApp({ API_KEYS: keys });
    const b = await makeApp();
    try {
      expect((await a.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const forbidden = await a.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer align-key-0123456789' },
      });
      expect(forbidden.statusCode).toBe(403);
      const ok = await a.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-key-0123456789' },
      });
      expect(ok.statusCode).toBe(200);
      expect(
        sample(ok.body, 'pluralign_http_requests_total', { method: 'GET', route: '/metrics', status: '401' }),
      ).toBe(1);
      // The other app saw none of it.
      const other = await b.inject({ method: 'GET', url: '/metrics' });
      expect(other.body).not.toMatch(/route="\/metrics",status="40[13]"/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
