/**
 * `notes` on POST /v1/align and POST /v1/attributions: a target with no priorities (every value at one
 * level), opposite values of the value circle both at 5, and a non-English text read by an embedded
 * detector (a factual response, an answer read back by `verify`, a text to attribute). The real server
 * on 127.0.0.1 with the bundled graphs; the non-English answer comes from the fake OpenAI-compatible
 * upstream (real HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';
import { SCHWARTZ_10 } from '../fixtures/value-systems.js';
import { BUNDLED_GRAPHS, startLive, type Live } from './helpers.js';

const QUESTION = 'Should I take a well-paid job abroad, far from my family?';
const GERMAN =
  'Ich finde es sehr wichtig, anderen Menschen zu helfen und für meine Familie da zu sein. Vergebung und Ehrlichkeit sind für mich zentral.';
const FRENCH_ANSWER =
  'Stance: non\n1. La famille passe avant tout : rester proche des siens compte plus que le salaire.\n2. Aider ses proches au quotidien est une source de sens.\n3. Un poste bien payé ne remplace pas la présence auprès de ceux qu’on aime.';
const VALUES = SCHWARTZ_10.values.map((v) => v.id);

interface Body {
  notes?: string[];
  answer?: string;
  verification?: { mae?: number } | null;
}

describe('notes on /v1/align and /v1/attributions', () => {
  let fake: FakeOpenAI;
  let live: Live;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    const upstream = {
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'fake-model',
      UPSTREAM_BREAKER_THRESHOLD: '0',
    };
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS, ...upstream });
  });
  afterAll(async () => {
    await live?.close();
    await fake?.close();
  });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${live.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  };
  const align = (values: Record<string, number>, extra: Record<string, unknown> = {}) =>
    post('/v1/align', {
      question: QUESTION,
      graph: 'schwartz-10',
      generator: 'template',
      target: { format: 'likert5', values },
      ...extra,
    });

  it('warns when all ten values are at 5, and still answers', async () => {
    const { status, body } = await align(Object.fromEntries(VALUES.map((v) => [v, 5])));
    expect(status).toBe(200);
    expect(body.answer?.length).toBeGreaterThan(0);
    expect(body.notes).toEqual([
      expect.stringMatching(/^every value of schwartz-10 is set to 5: .*no priorities/),
    ]);
  });

  it('warns when power and universalism are both at 5 (opposites on self-transcendence ↔ self-enhancement)', async () => {
    const { status, body } = await align({ power: 5, universalism: 5 });
    expect(status).toBe(200);
    expect(body.notes).toEqual([
      expect.stringMatching(/^Universalism and Power are both set to 5, but they sit on opposite sides/),
    ]);
  });

  it('has no notes for an ordinary profile (the field is left out)', async () => {
    const { status, body } = await align({ benevolence: 5, universalism: 4, power: 2 });
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('notes');
  });

  it('streams the notes on the profile event and again on done', async () => {
    const res = await fetch(`${live.url}/v1/align`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        question: QUESTION,
        graph: 'schwartz-10',
        generator: 'template',
        target: { format: 'likert5', values: { achievement: 5, benevolence: 5 } },
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text())
      .trim()
      .split('\n\n')
      .map((block) => {
        const [event, data] = block.split('\n');
        return { event: event!.slice(7), data: JSON.parse(data!.slice(6)) as Body };
      });
    const profile = events.find((e) => e.event === 'profile')!.data;
    const done = events.find((e) => e.event === 'done')!.data;
    expect(profile.notes).toEqual([expect.stringMatching(/^Benevolence and Achievement are both set to 5/)]);
    expect(done.notes).toEqual(profile.notes);
  });

  it('says a German factual.response read by the embedded detector is not a reading of it', async () => {
    const { status, body } = await align({ benevolence: 5 }, { factual: { response: GERMAN } });
    expect(status).toBe(200);
    expect(body.notes).toEqual([
      expect.stringMatching(
        /^factual\.response looks like German \(deu\), not English: the embedded learned detector/,
      ),
    ]);
  });

  it('says a French answer read back by verify is not a reading of it (the answer is kept)', async () => {
    fake.reset();
    fake.setDefault({ type: 'ok', text: FRENCH_ANSWER });
    const { status, body } = await align(
      { benevolence: 5 },
      { generator: 'openai', verify: true, attributor: 'phrases' },
    );
    fake.setDefault({ type: 'ok' });
    expect(status).toBe(200);
    expect(body.answer).toBe(FRENCH_ANSWER);
    expect(body.verification?.mae).toBeTypeOf('number');
    expect(body.notes).toEqual([
      expect.stringMatching(
        /^the answer \(attempt 1\) looks like French \(fra\), not English: the embedded phrases detector reads English only/,
      ),
    ]);
  });

  it('/v1/attributions: a German text gets the note, an English one none', async () => {
    for (const detector of ['learned', 'phrases']) {
      const de = await post('/v1/attributions', { text: GERMAN, detector });
      expect(de.status).toBe(200);
      expect(de.body.notes).toEqual([
        expect.stringMatching(
          new RegExp(`^the text looks like German \\(deu\\).*embedded ${detector} detector`),
        ),
      ]);
    }
    const en = await post('/v1/attributions', {
      text: 'I care about forgiving people and being helpful to my family, whatever happens.',
    });
    expect(en.status).toBe(200);
    expect(en.body).not.toHaveProperty('notes');
  });
});
