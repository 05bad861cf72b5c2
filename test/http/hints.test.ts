/** The 400/404 messages that say what to fix for a new user's usual mistakes (issue 17, item 4). */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_GRAPHS, expectEnvelope, makeApp } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS });
});
afterAll(() => app.close());

async function send(method: 'GET' | 'POST', url: string, payload?: object) {
  const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
}

describe('error hints', () => {
  it('scores directly under target: move them under target.values', async () => {
    const r = await send('POST', '/v1/align', { question: 'q', target: { benevolence: 5 } });
    expect(r.status).toBe(400);
    const e = expectEnvelope(r.body, 'VALIDATION_FAILED');
    expect(e.details[0]).toMatchObject({ path: 'target.benevolence' });
    expect(e.message).toContain('value scores go under target.values, e.g. {"values": {"benevolence": 5}}');
  });

  it('a missing target, or "profile" in its place, gets an example of a valid target', async () => {
    const missing = await send('POST', '/v1/align', { question: 'q' });
    expect(expectEnvelope(missing.body, 'VALIDATION_FAILED').message).toContain(
      'give the value profile, e.g. "target": {"format": "likert5", "values": {"benevolence": 5, "security": 4}}',
    );
    const wrong = await send('POST', '/v1/align', { question: 'q', profile: { values: { benevolence: 5 } } });
    const messages = expectEnvelope(wrong.body, 'VALIDATION_FAILED').details.map(
      (d: { message: string }) => d.message,
    );
    expect(messages).toContain(
      'unknown field "profile"; the value profile goes in "target", e.g. "target": {"format": "likert5", "values": {"benevolence": 5, "security": 4}}',
    );
  });

  it('a misspelt node in a counterfactual query: did you mean', async () => {
    const r = await send('POST', '/v1/counterfactuals', {
      graph: 'schwartz-10',
      evidence: { benevolense: 1 },
    });
    expect(r.status).toBe(400);
    const e = expectEnvelope(r.body, 'UNKNOWN_NODE');
    expect(e.message).toMatch(/did you mean "benevolence"\?$/);
    expect(e.details[0].message).toMatch(/did you mean "benevolence"\?$/);
  });

  it('0–1 and 0–100 scores: names the scale and the nearest conversion', async () => {
    const unit = await send('POST', '/v1/align', {
      question: 'q',
      target: { values: { benevolence: 0.8, power: 0.1 } },
    });
    expect(expectEnvelope(unit.body, 'INVALID_PROFILE').message).toContain(
      'these look like 0–1 scores: on 1–5 that is 1 + 4·x (0.8 → 4.2)',
    );
    const pct = await send('POST', '/v1/align', {
      question: 'q',
      target: { values: { benevolence: 80, power: 10 } },
    });
    expect(expectEnvelope(pct.body, 'INVALID_PROFILE').message).toContain(
      'these look like 0–100 scores: on 1–5 that is 1 + 4·x/100 (80 → 4.2)',
    );
  });

  it('?system=nope is a 404 naming the systems, not an empty list', async () => {
    const r = await send('GET', '/v1/presets?system=nope');
    expect(r.status).toBe(404);
    expect(expectEnvelope(r.body, 'UNKNOWN_GRAPH').message).toMatch(
      /^no presets for system "nope"; systems with presets: .*schwartz-10/,
    );
    expect((await send('GET', '/v1/presets?system=schwartz-10')).status).toBe(200);
  });
});
