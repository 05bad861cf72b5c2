/**
 * The fast path of POST /v1/align's body (src/http/routes/align-body.ts): whenever it accepts a body
 * it gives exactly what AlignRequest's zod parse gives (fields, defaults, key order), it accepts the
 * common bodies, and everything it does not accept is left to zod (so errors are zod's, unchanged).
 * Then over HTTP: well-formed and bad bodies answer as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlignRequest } from '../../schemas/align.js';
import { quickAlignBody } from '../../src/http/align-body-fast.js';
import { BUNDLED_GRAPHS, postJson as post, startLive, type Live } from './helpers.js';

const TARGET = { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } };
const QUESTION = 'Should I lend money to my brother who keeps losing his jobs?';

/** What zod gives for a body, as JSON text (key order included), or null when zod refuses it. */
const viaZod = (body: unknown) => {
  const r = AlignRequest.safeParse(body);
  return r.success ? JSON.stringify(r.data) : null;
};

/** Every field the fast path reads, with good and bad values (the schema's own enum options). */
const enumOptions = (key: 'mode' | 'action' | 'conditioning' | 'attributor') =>
  (AlignRequest.shape[key].unwrap() as unknown as { options: string[] }).options;
const VARIANTS: Record<string, unknown[]> = {
  question: [
    QUESTION,
    '  padded  ',
    '',
    '   ',
    'x',
    'x'.repeat(8000),
    'x'.repeat(8001),
    ` ${'y'.repeat(8000)} `,
    7,
    null,
  ],
  graph: ['schwartz-10', '', 'g'.repeat(64), 'g'.repeat(65), 3],
  generator: ['openai', '', 'o'.repeat(40), 'o'.repeat(41), false],
  model: ['gpt-4o-mini', '', 'm'.repeat(200), 'm'.repeat(201), {}],
  mode: [...enumOptions('mode'), 'Prompt', 1],
  action: [...enumOptions('action'), 'undo', null],
  conditioning: [...enumOptions('conditioning'), 'SCM'],
  attributor: [...enumOptions('attributor'), 'judge'],
  verify: [true, false, 'true', 0],
  stream: [true, false, 'yes', 1],
  refine: [0, 1, 3, 4],
  lambda: [0, 2.5, -1],
  temperature: [0.7, 3],
  maxTokens: [100, 1.5],
  factual: [{ preset: 'human:mean' }, { response: 'x' }, 'x'],
  explain: [{ chart: true }, {}, { chart: 1 }],
  extra: ['not a field'],
};
const TARGETS: unknown[] = [
  TARGET,
  { values: { benevolence: 5 } },
  { format: 'ranking', ranking: ['achievement', 'benevolence'] },
  { format: 'pvq6', values: { power: 2.5, security: 6 } },
  { format: 'centered', values: {} },
  { format: 'likert5', values: { benevolence: '5' } },
  { format: 'likert5', values: { benevolence: null } },
  { format: 'likert5', values: [5] },
  { format: 'stars', values: { benevolence: 5 } },
  { format: 'ranking', ranking: ['a', 3] },
  { format: 'ranking', ranking: 'a' },
  { values: { benevolence: 5 }, extra: 1 },
  {},
  [],
  null,
  'likert5',
];

describe('quickAlignBody', () => {
  it('accepts the common bodies, with the value zod gives (same fields, defaults and key order)', () => {
    const bodies = [
      { question: QUESTION, target: TARGET },
      { target: TARGET, question: QUESTION }, // keys in another order
      { question: QUESTION, target: TARGET, stream: true, verify: true, generator: 'openai', model: 'm' },
      { question: QUESTION, target: TARGET, mode: 'rewrite', action: 'do', conditioning: 'none' },
      { question: QUESTION, target: { format: 'ranking', ranking: ['power', 'security'] }, graph: 'g' },
    ];
    for (const body of bodies) {
      const quick = quickAlignBody(structuredClone(body));
      expect(quick).toBeDefined();
      expect(JSON.stringify(quick)).toBe(viaZod(structuredClone(body)));
    }
  });

  it('agrees with zod on every variant of every field it reads, or leaves the body to zod', () => {
    let taken = 0;
    let cases = 0;
    const check = (body: Record<string, unknown>) => {
      cases++;
      const quick = quickAlignBody(structuredClone(body));
      const zod = viaZod(structuredClone(body));
      if (quick === undefined) return;
      taken++;
      expect(JSON.stringify(quick), JSON.stringify(body)).toBe(zod);
    };
    for (const target of TARGETS) {
      check({ question: QUESTION, target });
      for (const [key, values] of Object.entries(VARIANTS))
        for (const value of values) check({ question: QUESTION, target, [key]: value });
    }
    // Pairs of fields, on the plain target.
    const keys = Object.keys(VARIANTS);
    for (const a of keys)
      for (const b of keys)
        if (a < b)
          for (const va of VARIANTS[a]!)
            for (const vb of VARIANTS[b]!) check({ question: QUESTION, target: TARGET, [a]: va, [b]: vb });
    expect(cases).toBeGreaterThan(2000);
    expect(taken).toBeGreaterThan(200); // the fast path is really taken
  });

  it('leaves to zod what zod refuses and what it does not read', () => {
    for (const body of [
      { question: QUESTION }, // no target
      { target: TARGET },
      { question: QUESTION, target: TARGET, factual: { preset: 'human:mean' } },
      { question: QUESTION, target: TARGET, refine: 1 },
      { question: QUESTION, target: TARGET, explain: { chart: true } },
      { question: QUESTION, target: TARGET, unknown: 1 },
      { question: '   ', target: TARGET },
      [QUESTION],
      'text',
      null,
      Object.assign(Object.create({ inherited: true }) as object, { question: QUESTION, target: TARGET }),
    ])
      expect(quickAlignBody(body)).toBeUndefined();
  });

  it('copies the target: the parsed body shares no object with the request', () => {
    const body = { question: QUESTION, target: structuredClone(TARGET) };
    const quick = quickAlignBody(body)!;
    expect(quick.target).not.toBe(body.target);
    expect(quick.target.values).not.toBe(body.target.values);
  });
});

describe('POST /v1/align body validation over HTTP', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  });
  afterAll(() => live.close());

  it('answers a well-formed body (fast path), with the defaults applied', async () => {
    const { res, json } = await post(`${live.url}/v1/align`, { question: `  ${QUESTION}  `, target: TARGET });
    expect(res.status).toBe(200);
    const body = json();
    expect(body.explanation.action).toBe('structured'); // the default action
    expect(body.explanation.conditioning.mode).toBe('scm'); // the default conditioning
    expect(body.explanation.conditioning.messages.at(-1).content).toContain(QUESTION);
    expect(body.verification).toBeNull(); // verify defaults to false
  });

  it('refuses bad bodies with zod’s messages, naming the field', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ question: '   ', target: TARGET }, 'question', /must not be empty/],
      [
        { question: QUESTION, target: { values: { benevolence: '5' } } },
        'target.values.benevolence',
        /number/,
      ],
      [{ question: QUESTION, target: TARGET, stream: 'yes' }, 'stream', /boolean/],
      [{ question: QUESTION, target: TARGET, mode: 'Prompt' }, 'mode', /prompt|rewrite/],
      [{ question: QUESTION, target: TARGET, colour: 'red' }, 'colour', /.+/],
    ];
    for (const [body, path, message] of cases) {
      const { res, json } = await post(`${live.url}/v1/align`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const err = json().error;
      expect(err.code).toBe('VALIDATION_FAILED');
      const detail = err.details.find((d: { path: string }) => d.path === path);
      expect(detail, JSON.stringify(err.details)).toBeDefined();
      expect(detail.message).toMatch(message);
    }
  });
});
