/**
 * Decision lines in a batch (url `/v1/decisions`), on the embedded queue of a real server on 127.0.0.1:
 * each line's body is what POST /v1/decisions answers for the same request; a line that breaks the
 * schema (one action) fails alone with the route's validation error.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_GRAPHS, startLive, type Live } from '../http/helpers.js';
import { output, pollStatus, submit, type BatchStatus } from './helpers.js';

const BODY = {
  scenario: 'One bottle of lemonade is left in the fridge you share with your flatmate.',
  actions: ['Drink it all without asking', 'Pour two glasses and share it equally', 'Buy another bottle'],
  target: { values: { fairness: 5, happiness: 2 } },
  graph: 'valuepilot-6',
};

describe('batch lines for /v1/decisions', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  });
  afterAll(() => live.close());

  it('run the decision use case line by line; a bad line fails alone', async () => {
    const lines = [
      JSON.stringify({ custom_id: 'ok', url: '/v1/decisions', body: BODY }),
      JSON.stringify({
        custom_id: 'one-action',
        url: '/v1/decisions',
        body: { ...BODY, actions: ['Drink it'] },
      }),
      JSON.stringify({ custom_id: 'topsis', url: '/v1/decisions', body: { ...BODY, method: 'topsis' } }),
    ];
    const created = await submit(live.url, lines);
    expect(created.status).toBe(200);
    const done = await pollStatus(
      live.url,
      created.json.id,
      (s: BatchStatus) => s.status === 'completed',
      60_000,
    );
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    const out = await output(live.url, created.json.id);
    const byId = new Map(out.map((l) => [l.custom_id, l]));
    const direct = await fetch(`${live.url}/v1/decisions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(BODY),
    });
    expect(byId.get('ok')!.response!.status_code).toBe(200);
    expect(byId.get('ok')!.response!.body).toEqual(await direct.json());
    expect((byId.get('topsis')!.response!.body as { method: string }).method).toBe('topsis');
    const bad = byId.get('one-action')!;
    expect(bad.response!.status_code).toBe(400);
    expect(bad.error!.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(bad.response!.body)).toMatch(/body\.actions.*at least 2 actions/);
  });
});
