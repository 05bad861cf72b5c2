/**
 * prom-lite's counter and histogram expose exactly what prom-client's Counter and Histogram expose
 * for the same observations (same lines, same label order, cumulative buckets, +Inf, sum, count).
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LiteCounter, LiteHistogram } from '../../src/http/prom-lite.js';

const BUCKETS = [0.001, 0.01, 0.1, 1, 10];

describe('prom-lite', () => {
  it('scrapes as prom-client does', async () => {
    const ref = new Registry();
    const lite = new Registry();
    const c = new Counter({
      name: 't_requests_total',
      help: 'Requests.',
      labelNames: ['method', 'status'],
      registers: [ref],
    });
    const h = new Histogram({
      name: 't_seconds',
      help: 'Seconds.',
      labelNames: ['route'],
      buckets: BUCKETS,
      registers: [ref],
    });
    const lc = new LiteCounter('t_requests_total', 'Requests.', ['method', 'status'], lite);
    const lh = new LiteHistogram('t_seconds', 'Seconds.', ['route'], BUCKETS, lite);
    const seen: Array<[string, string, string, number]> = [
      ['GET', '200', '/a', 0.0004],
      ['GET', '200', '/a', 0.05],
      ['POST', '404', '/b "x"', 3],
      ['GET', '200', '/a', 1],
      ['POST', '500', '/b "x"', 42],
    ];
    for (const [method, status, route, x] of seen) {
      c.inc({ method, status });
      lc.inc([method, status]);
      h.observe({ route }, x);
      lh.observe([route], x);
    }
    c.inc({ method: 'GET', status: '200' }, 5);
    lc.inc(['GET', '200'], 5);
    const text = await lite.metrics();
    expect(text).toBe(await ref.metrics());
    expect(text).toContain('t_seconds_bucket{le="0.1",route="/a"} 2');
    expect(text).toContain('t_seconds_bucket{le="+Inf",route="/b \\"x\\""} 2');
    expect(text).toContain('t_requests_total{method="GET",status="200"} 8');
    lc.reset();
    lh.reset();
    expect(await lite.metrics()).not.toContain('t_requests_total{');
  });
});
