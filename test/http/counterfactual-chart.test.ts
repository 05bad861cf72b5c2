/** `chart: true` on POST /v1/counterfactuals: an SVG radar chart of the value nodes in each result. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { BUNDLED_GRAPHS, makeApp } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS });
});
afterAll(() => app.close());

const query = {
  graph: 'schwartz-10',
  evidence: { benevolence: 0.5, power: -0.6 },
  interventions: [{ node: 'benevolence', type: 'structured', value: 2.5 }],
};

describe('counterfactual charts', () => {
  it('adds an accessible, deterministic radar chart of the ten values, with the target', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: { ...query, chart: true },
    });
    expect(res.statusCode).toBe(200);
    const chart = res.json().result.chart as string;
    expect(chart).toMatch(/^<svg[^>]*role="img"/);
    expect(chart).toContain('Counterfactual on schwartz-10');
    for (const label of ['Self-direction', 'Benevolence', 'Universalism', 'Power', 'Security'])
      expect(chart).toContain(label);
    // Benevolence's target 2.5 (centered) is drawn at 5 on the 1–5 scale, and named in the description.
    expect(chart).toMatch(/Benevolence[^<]*5\.00/);
    const again = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: { ...query, chart: true },
    });
    expect(again.json().result.chart).toBe(chart);
  });

  it('is absent without chart, and present per item in a batch', async () => {
    const plain = await app.inject({ method: 'POST', url: '/v1/counterfactuals', payload: query });
    expect(plain.json().result.chart).toBeUndefined();
    const batch = await app.inject({
      method: 'POST',
      url: '/v1/counterfactuals',
      payload: {
        graph: 'schwartz-10',
        chart: true,
        queries: [
          { evidence: { benevolence: 0.5 }, interventions: [{ node: 'power', type: 'do', value: 1 }] },
          { evidence: { nope: 1 } },
        ],
      },
    });
    const items = batch.json().results;
    expect(items[0].result.chart).toMatch(/^<svg/);
    expect(items[1].ok).toBe(false);
  });
});
