/**
 * Request metrics recorded by per-route hooks: every response counted once, under its route pattern
 * (HEAD routes fastify adds for GET ones too), requests outside every route under "(unmatched)", and
 * the counts start again after the registry is reset.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppMetrics } from '../../src/http/prometheus.js';
import { makeApp } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp();
});
afterAll(() => app.close());

async function count(method: string, route: string, status: number): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const head = `pluralign_http_requests_total{method="${method}",route="${route}",status="${status}"} `;
  const line = text.split('\n').find((l) => l.startsWith(head));
  return line === undefined ? 0 : Number(line.slice(head.length));
}

async function durationCount(method: string, route: string, status: number): Promise<number> {
  const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const head = `pluralign_http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"} `;
  const line = text.split('\n').find((l) => l.startsWith(head));
  return line === undefined ? 0 : Number(line.slice(head.length));
}

describe('request metrics by route', () => {
  it('counts each response once, by method, route pattern and status', async () => {
    for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'HEAD', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/healthz?x=1' }); // 400 on the same route
    await app.inject({ method: 'GET', url: '/v1/graphs/no-such-graph' }); // 404 from a route
    await app.inject({ method: 'GET', url: '/v1/nothing/here' }); // 404 outside every route
    expect(await count('GET', '/healthz', 200)).toBe(3);
    expect(await durationCount('GET', '/healthz', 200)).toBe(3);
    expect(await count('HEAD', '/healthz', 200)).toBe(1);
    expect(await count('GET', '/healthz', 400)).toBe(1);
    expect(await count('GET', '/v1/graphs/:id', 404)).toBe(1);
    expect(await count('GET', '(unmatched)', 404)).toBe(1);
    expect(await durationCount('GET', '(unmatched)', 404)).toBe(1);
  });

  it('starts again from zero after the registry is reset, and keeps counting', async () => {
    const metrics = new AppMetrics();
    const small = Fastify({ logger: false });
    metrics.install(small);
    small.get('/ping', async () => 'pong');
    const line = async () => {
      const { body } = await metrics.scrape();
      const head = 'pluralign_http_requests_total{method="GET",route="/ping",status="200"} ';
      const found = body.split('\n').find((l) => l.startsWith(head));
      return found === undefined ? 0 : Number(found.slice(head.length));
    };
    try {
      for (let i = 0; i < 2; i++) await small.inject({ method: 'GET', url: '/ping' });
      expect(await line()).toBe(2);
      metrics.registry.resetMetrics();
      expect(await line()).toBe(0);
      await small.inject({ method: 'GET', url: '/ping' });
      expect(await line()).toBe(1); // recorded in the new series, not in the one kept before the reset
    } finally {
      await small.close();
    }
  });
});
