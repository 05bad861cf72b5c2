/**
 * POST /v1/counterfactuals in the caller's units: `scale` converts value scores to the graph's
 * (centered) units, `notes` warn about numbers far outside the population's range, and
 * `interventions` also takes the CLI's `{"node": value}` shape.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertScore } from '../../src/values/scales.js';
import { BUNDLED_GRAPHS, expectEnvelope, makeApp } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS });
});
afterAll(() => app.close());

async function post(payload: object) {
  const res = await app.inject({ method: 'POST', url: '/v1/counterfactuals', payload });
  return { status: res.statusCode, body: res.json() };
}

describe('counterfactual units', () => {
  it('warns when centered evidence is far outside the population (the likert number on the wrong scale)', async () => {
    const r = await post({ graph: 'schwartz-10', evidence: { benevolence: 5 }, interventions: [] });
    expect(r.status).toBe(200);
    expect(r.body.result.notes).toHaveLength(1);
    expect(r.body.result.notes[0]).toMatch(
      /^evidence\.benevolence: 5 is \d+(\.\d)? sd above the population mean of benevolence; .*"scale": "likert5"/,
    );
    const plain = await post({ graph: 'schwartz-10', evidence: { benevolence: 0.5 } });
    expect(plain.body.result.notes).toBeUndefined();
  });

  it('"scale": "likert5" converts evidence and do() targets to centered units', async () => {
    const likert = await post({
      graph: 'schwartz-10',
      scale: 'likert5',
      evidence: { benevolence: 5 },
      interventions: [{ node: 'power', type: 'do', value: 1 }],
    });
    const centered = await post({
      graph: 'schwartz-10',
      evidence: { benevolence: convertScore(5, 'likert5', 'centered').value },
      interventions: [{ node: 'power', type: 'do', value: convertScore(1, 'likert5', 'centered').value }],
    });
    expect(likert.status).toBe(200);
    expect(likert.body.result.counterfactual).toEqual(centered.body.result.counterfactual);
    expect(likert.body.result.notes).toBeUndefined();
    const out = await post({ graph: 'schwartz-10', scale: 'likert5', evidence: { benevolence: 7 } });
    expect(out.status).toBe(400);
    expect(expectEnvelope(out.body, 'INVALID_QUERY').message).toBe(
      'evidence.benevolence: 7 is outside the likert5 range 1–5',
    );
  });

  it('a shift is converted as a difference', async () => {
    const slope = convertScore(2, 'likert5', 'centered').value - convertScore(1, 'likert5', 'centered').value;
    const a = await post({
      graph: 'schwartz-10',
      scale: 'likert5',
      interventions: [{ node: 'power', type: 'shift', value: 1 }],
    });
    const b = await post({
      graph: 'schwartz-10',
      interventions: [{ node: 'power', type: 'shift', value: slope }],
    });
    expect(a.body.result.counterfactual).toEqual(b.body.result.counterfactual);
  });

  it('takes the CLI’s {"node": value} interventions as do(), like the array form', async () => {
    const short = await post({ graph: 'schwartz-10', interventions: { benevolence: 1 } });
    const long = await post({
      graph: 'schwartz-10',
      interventions: [{ node: 'benevolence', type: 'do', value: 1 }],
    });
    expect(short.status).toBe(200);
    expect(short.body.result).toEqual(long.body.result);
  });

  it('a batch converts and warns per query', async () => {
    const r = await post({
      graph: 'schwartz-10',
      queries: [{ evidence: { power: 4 } }, { scale: 'likert5', evidence: { power: 4 } }],
    });
    expect(r.status).toBe(200);
    expect(r.body.results[0].result.notes[0]).toMatch(/^queries\.0\.evidence\.power: 4 is/);
    expect(r.body.results[1].result.notes).toBeUndefined();
  });
});
