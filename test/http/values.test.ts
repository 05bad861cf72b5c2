import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertProfile, listPresets } from '../../src/values/index.js';
import { BUNDLED_GRAPHS, expectEnvelope, makeApp } from './helpers.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await makeApp({ GRAPHS_DIR: BUNDLED_GRAPHS });
});
afterAll(() => app.close());

const convert = async (payload: unknown) => {
  const res = await app.inject({ method: 'POST', url: '/v1/profiles/convert', payload: payload as object });
  return { status: res.statusCode, body: res.json() as { ranking?: string[] } & Record<string, unknown> };
};

describe('GET /v1/presets', () => {
  it('lists every preset of the values module', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/presets' });
    expect(res.statusCode).toBe(200);
    expect(res.json().presets).toEqual(listPresets());
    expect(res.json().presets.length).toBeGreaterThan(0);
  });

  it('filters by value system', async () => {
    const all = listPresets();
    const res = await app.inject({ method: 'GET', url: '/v1/presets?system=schwartz-10' });
    expect(res.json().presets).toEqual(all.filter((p) => p.system === 'schwartz-10'));
    // An unknown system is a 404 naming the known ones, not an empty list (test/http/hints.test.ts).
    const none = await app.inject({ method: 'GET', url: '/v1/presets?system=nothing' });
    expect(none.statusCode).toBe(404);
  });
});

describe('POST /v1/profiles/convert', () => {
  it.each([
    [{ format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } }, 'centered'],
    [{ format: 'likert5', values: { security: 5, benevolence: 4, stimulation: 1 } }, 'ranking'],
    [{ format: 'pvq6', values: { 'Self-Direction': 6, power: 2 } }, 'likert5'],
    [{ format: 'ranking', ranking: ['universalism', 'benevolence', 'power'] }, 'centered'],
  ] as const)('%o → %s is what the values module answers', async (profile, to) => {
    const { status, body } = await convert({ profile, to });
    expect(status).toBe(200);
    expect(body).toEqual(convertProfile(structuredClone(profile) as never, to));
  });

  it('converts on another value system', async () => {
    const { status, body } = await convert({
      profile: { format: 'likert5', values: { care: 5, loyalty: 1 } },
      to: 'ranking',
      system: 'mft-6',
    });
    expect(status).toBe(200);
    expect(body.ranking).toEqual(['care', 'loyalty']);
  });

  it.each([
    [
      'an unknown value',
      { profile: { format: 'likert5', values: { securty: 5 } }, to: 'centered' },
      'UNKNOWN_VALUE',
      'profile.values.securty',
    ],
    [
      'a score off the scale',
      { profile: { format: 'likert5', values: { security: 9 } }, to: 'centered' },
      'INVALID_PROFILE',
      'profile.values.security',
    ],
    [
      'an unknown value system',
      { profile: { format: 'likert5', values: { security: 5 } }, to: 'centered', system: 'nope' },
      'INVALID_PROFILE',
      'system',
    ],
    [
      'an unknown format',
      { profile: { format: 'likert7', values: { security: 5 } }, to: 'centered' },
      'VALIDATION_FAILED',
      'profile.format',
    ],
    [
      'an unknown target',
      { profile: { format: 'likert5', values: { security: 5 } }, to: 'stars' },
      'VALIDATION_FAILED',
      'to',
    ],
    [
      'a value of the wrong type',
      { profile: { format: 'likert5', values: { security: 'high' } }, to: 'centered' },
      'VALIDATION_FAILED',
      'profile.values.security',
    ],
    [
      'an unknown field',
      { profile: { format: 'likert5', values: { security: 5 }, weights: {} }, to: 'centered' },
      'VALIDATION_FAILED',
      'profile.weights',
    ],
    ['no profile', { to: 'centered' }, 'VALIDATION_FAILED', 'profile'],
  ])('%s → 400 %s at %s', async (_name, payload, code, path) => {
    const { status, body } = await convert(payload);
    expect(status).toBe(400);
    const e = expectEnvelope(body, code);
    expect(e.details.map((d) => d.path)).toContain(path);
  });
});
