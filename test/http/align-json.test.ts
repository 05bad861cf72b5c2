/**
 * The text of POST /v1/align's JSON response, written as bytes from the explanation's bytes encoded
 * once per cached profile (and a shared question's whole explanation once): exactly JSON.stringify of
 * the response, with a content-length of its UTF-8 bytes, the same on the first asking of a question
 * (built), the second (its head kept) and the later ones (the kept bytes), with the openai generator
 * on the fake upstream and with the template generator. RESPONSE_VALIDATION is on (helpers.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';
import { BUNDLED_GRAPHS, postJson as post, startLive, type Live } from './helpers.js';

const TARGET = { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } };
// Non-ASCII in the question too: the conditioning carries it into the explanation.
const QUESTION = 'Should I lend money to my brother — again? He “promises” ← to pay 🙂';

async function askThrice(url: string, body: object) {
  const out: Array<{ text: string; length: string | null; type: string | null }> = [];
  for (let i = 0; i < 3; i++) {
    const { res, text } = await post(`${url}/v1/align`, body);
    expect(res.status, text).toBe(200);
    out.push({ text, length: res.headers.get('content-length'), type: res.headers.get('content-type') });
  }
  return out;
}

function expectExactJson(answers: Array<{ text: string; length: string | null; type: string | null }>) {
  for (const { text, length, type } of answers) {
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    expect(Number(length)).toBe(Buffer.byteLength(text));
    expect(type).toBe('application/json; charset=utf-8');
    const body = JSON.parse(text);
    expect(Object.keys(body)).toEqual([
      'graph',
      'generator',
      'factual',
      'answer',
      'attempt',
      'explanation',
      'verification',
      'usage',
      'servedModel',
    ]);
    expect(body.explanation.conditioning.messages.at(-1).content).toContain('“promises” ← to pay 🙂');
    expect(text).toMatch(/[←↔]/);
  }
}

describe('POST /v1/align JSON text', () => {
  let upstream: FakeOpenAI;
  let live: Live;
  beforeAll(async () => {
    upstream = await startFakeOpenAI({
      defaultScenario: { type: 'ok', text: 'Stance: neutral\n\nHelp him — but write it down ✍.' },
    });
    live = await startLive({
      GRAPHS_DIR: BUNDLED_GRAPHS,
      GENERATOR: 'openai',
      OPENAI_BASE_URL: upstream.url,
      OPENAI_MODEL: 'fake-model',
    });
  });
  afterAll(async () => {
    await live.close();
    await upstream.close();
  });

  it('is JSON.stringify of the response, first, second and later askings alike (openai generator)', async () => {
    const answers = await askThrice(live.url, { question: QUESTION, target: TARGET });
    expectExactJson(answers);
    expect(answers[1]!.text).toBe(answers[0]!.text);
    expect(answers[2]!.text).toBe(answers[0]!.text);
    expect(JSON.parse(answers[0]!.text).answer).toBe('Stance: neutral\n\nHelp him — but write it down ✍.');
  });

  it('is the same with the template generator, and with verify (a verification object)', async () => {
    const plain = await askThrice(live.url, { question: QUESTION, target: TARGET, generator: 'template' });
    expectExactJson(plain);
    expect(plain[2]!.text).toBe(plain[0]!.text);
    const verified = await askThrice(live.url, {
      question: QUESTION,
      target: TARGET,
      generator: 'template',
      verify: true,
    });
    for (const { text } of verified) {
      expect(text).toBe(JSON.stringify(JSON.parse(text)));
      expect(JSON.parse(text).verification.attributor).toBe('learned');
    }
    // The same question from the same profile: the same explanation bytes as without verify.
    const explanation = (t: string) => JSON.stringify(JSON.parse(t).explanation);
    expect(explanation(verified[2]!.text)).toBe(explanation(plain[0]!.text));
  });
});
