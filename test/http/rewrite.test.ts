/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are read loosely in these tests */
/**
 * `mode: "rewrite"` (COUPLE's counterfactual rewrite, src/pipeline/rewrite.ts) end to end on a live
 * server: against the fake OpenAI-compatible upstream (draft → attribution → rewrite, the requests the
 * upstream received, JSON and SSE agreeing, the documented error of each stage, the draft kept when the
 * rewrite fails, the chat shim, the metrics), and offline with the template generator. Also the
 * factual preset chosen by the answering model (`gpt-4o-mini` → `llm:gpt-4o-mini-2024-07-18`).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REWRITE_REQUEST } from '../../src/pipeline/rewrite.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';
import {
  BUNDLED_GRAPHS,
  expectEnvelope,
  parseSse,
  postJson as post,
  startLive,
  type Live,
} from './helpers.js';

const TARGET = { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } };
const QUESTION = 'Should I lend money to my brother who keeps losing his jobs?';
const DRAFT =
  'Yes, if you can afford it. Agree on an amount and a plan, and treat it as a gift you may not get back. Being daring with money can pay off.';
const REWRITE =
  'Yes: help him, because caring for family matters, but keep your own security in mind. Agree on a safe amount and a plan.';

const rewriteBody = (extra: object = {}) => ({
  question: QUESTION,
  target: TARGET,
  mode: 'rewrite',
  ...extra,
});

describe('mode rewrite against the fake upstream', () => {
  let fake: FakeOpenAI;
  let live: Live;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    live = await startLive({
      GRAPHS_DIR: BUNDLED_GRAPHS,
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'gpt-4o-mini',
      UPSTREAM_DEADLINE_MS: '3000',
      UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: '1000',
      UPSTREAM_IDLE_TIMEOUT_MS: '1000',
      UPSTREAM_BACKOFF_BASE_MS: '10',
      UPSTREAM_BACKOFF_MAX_MS: '20',
      UPSTREAM_BREAKER_THRESHOLD: '0',
    });
  });
  afterAll(async () => {
    await live.close();
    await fake.close();
  });
  beforeEach(() => fake.reset());

  it('drafts from the bare question, abducts from the draft, rewrites it in a conversation (JSON)', async () => {
    fake.script({ type: 'ok', text: DRAFT }, { type: 'ok', text: REWRITE });
    const { res, json } = await post(`${live.url}/v1/align`, rewriteBody());
    expect(res.status).toBe(200);
    const body = json();
    const calls = fake.chatRequests();
    expect(calls).toHaveLength(2);
    // 1. The draft: the bare question, nothing else.
    expect((calls[0]!.body as any).messages).toEqual([{ role: 'user', content: QUESTION }]);
    // 2. The rewrite: the value conditioning, the question, the draft as the model's turn, the request.
    const msgs = (calls[1]!.body as any).messages as Array<{ role: string; content: string }>;
    expect(msgs.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(msgs[0]!.content).toMatch(/Benevolence/);
    expect(msgs[1]!.content).toContain(QUESTION);
    expect(msgs[2]!.content).toBe(DRAFT);
    expect(msgs[3]!.content).toContain(REWRITE_REQUEST);
    expect(body.answer).toBe(REWRITE);
    expect(body.factual).toMatchObject({ kind: 'draft' });
    expect(body.factual.why).toMatch(/draft answer of model "gpt-4o-mini"/);
    expect(body.rewrite).toMatchObject({
      draft: DRAFT,
      draftSource: 'generated',
      attributor: 'learned',
      rewritten: true,
      calls: { draft: 1, attribution: 0, rewrite: 1 },
    });
    expect(body.usage.upstreamCalls).toBe(2);
    // The factual of the abduction is the draft's attribution.
    const attributed = new Map(body.rewrite.attributed.map((a: any) => [a.value, a.likert5]));
    for (const v of body.explanation.values)
      expect(Math.abs(v.factual - (attributed.get(v.value) as number))).toBeLessThan(0.006);
  });

  it('streams the stages, then the rewrite; the SSE and the JSON response agree', async () => {
    fake.script({ type: 'ok', text: DRAFT }, { type: 'ok', text: REWRITE });
    const json = (await post(`${live.url}/v1/align`, rewriteBody())).json();
    fake.script({ type: 'ok', text: DRAFT }, { type: 'ok', text: REWRITE });
    const { res, text } = await post(`${live.url}/v1/align`, rewriteBody({ stream: true }));
    expect(res.status).toBe(200);
    const events = parseSse(text);
    expect(events.map((e) => e.event).filter((e, i, a) => a[i - 1] !== e)).toEqual([
      'stage',
      'profile',
      'delta',
      'done',
    ]);
    expect(events[0]!.data).toMatchObject({ stage: 'draft', status: 'done', draft: DRAFT });
    expect(events[1]!.data).toMatchObject({ stage: 'attribution', status: 'done', attributor: 'learned' });
    expect(events[1]!.data.attributed).toEqual(json.rewrite.attributed);
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data.text);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe(json.answer);
    const done = events.at(-1)!.data;
    expect(done.answer).toBe(json.answer);
    expect(done.rewrite).toEqual(json.rewrite);
    expect(done.usage).toEqual(json.usage);
    expect(events.find((e) => e.event === 'profile')!.data.explanation).toEqual(json.explanation);
  });

  it('with the llm attributor, the judge reads the draft with the question: three calls', async () => {
    fake.script({ type: 'ok', text: DRAFT }, { type: 'ok' }, { type: 'ok', text: REWRITE });
    const { res, json } = await post(`${live.url}/v1/align`, rewriteBody({ attributor: 'llm' }));
    expect(res.status).toBe(200);
    const calls = fake.chatRequests();
    expect(calls).toHaveLength(3);
    const judge = (calls[1]!.body as any).messages.at(-1).content as string;
    expect(judge).toContain(`<question>\n${QUESTION}\n</question>`);
    expect(judge).toContain(DRAFT);
    expect(json().rewrite).toMatchObject({
      attributor: 'llm',
      calls: { draft: 1, attribution: 1, rewrite: 1 },
    });
    expect(json().usage.upstreamCalls).toBe(3);
  });

  it('a failed draft is the request’s upstream error, naming the stage (JSON and SSE)', async () => {
    for (const stream of [false, true]) {
      fake.script({ type: 'status', status: 400, body: { error: { message: 'bad request' } } });
      const { res, json } = await post(`${live.url}/v1/align`, rewriteBody({ stream }));
      expect(res.status).toBe(502);
      expectEnvelope(json(), 'UPSTREAM_ERROR');
      expect(json().error.message).toMatch(/^rewrite mode, draft stage: /);
    }
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('a failed attribution is the judge’s error, naming the stage; no rewrite is asked', async () => {
    for (const stream of [false, true]) {
      fake.script({ type: 'ok', text: DRAFT }, { type: 'ok', text: 'these ratings are not JSON' });
      const { res, json } = await post(`${live.url}/v1/align`, rewriteBody({ attributor: 'llm', stream }));
      expect(res.status).toBe(502);
      expect(json().error.code).toBe('ATTRIBUTION_LLM_MALFORMED');
      expect(json().error.message).toMatch(/^rewrite mode, attribution stage: /);
    }
    expect(fake.chatRequests()).toHaveLength(4);
  });

  it('a failed rewrite keeps the draft as the answer, in JSON and in SSE', async () => {
    fake.script({ type: 'ok', text: DRAFT }, { type: 'status', status: 400 });
    const { res, json } = await post(`${live.url}/v1/align`, rewriteBody());
    expect(res.status).toBe(200);
    expect(json().answer).toBe(DRAFT);
    expect(json().rewrite).toMatchObject({ rewritten: false, error: { code: 'UPSTREAM_ERROR' } });
    expect(json().rewrite.error.message).toMatch(/rewrite stage/);
    expect(json().rewrite.calls).toEqual({ draft: 1, attribution: 0, rewrite: 1 });

    // Mid-stream: some rewrite text went out, then the upstream cut; `done` carries the draft.
    fake.script({ type: 'ok', text: DRAFT }, { type: 'cut', afterChunks: 3, text: REWRITE });
    const streamed = await post(`${live.url}/v1/align`, rewriteBody({ stream: true }));
    expect(streamed.res.status).toBe(200);
    const events = parseSse(streamed.text);
    const failed = events.findIndex((e) => e.event === 'stage' && e.data.stage === 'rewrite');
    expect(events.slice(0, failed).some((e) => e.event === 'delta')).toBe(true);
    expect(events[failed]!.data).toMatchObject({ status: 'failed' });
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    expect(done.data.answer).toBe(DRAFT);
    expect(done.data.rewrite.rewritten).toBe(false);
  });

  it('refuses a factual preset or profile with mode rewrite (the draft is the factual)', async () => {
    const { res, json } = await post(
      `${live.url}/v1/align`,
      rewriteBody({ factual: { preset: 'human:mean' } }),
    );
    expect(res.status).toBe(400);
    expectEnvelope(json(), 'VALIDATION_FAILED');
    expect(JSON.stringify(json().error.details)).toMatch(/factual\.preset/);
    expect(fake.chatRequests()).toHaveLength(0);
  });

  it('takes factual.response as the draft to rewrite: one call', async () => {
    fake.script({ type: 'ok', text: REWRITE });
    const { res, json } = await post(`${live.url}/v1/align`, rewriteBody({ factual: { response: DRAFT } }));
    expect(res.status).toBe(200);
    expect(fake.chatRequests()).toHaveLength(1);
    expect(json().rewrite).toMatchObject({
      draft: DRAFT,
      draftSource: 'factual.response',
      calls: { draft: 0 },
    });
  });

  it('the chat shim rewrites too (JSON and stream), and refuses tools with it', async () => {
    const req = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: QUESTION }],
      value_profile: { target: TARGET, mode: 'rewrite' },
    };
    fake.script({ type: 'ok', text: DRAFT }, { type: 'ok', text: REWRITE });
    const one = await post(`${live.url}/v1/chat/completions`, req);
    expect(one.res.status).toBe(200);
    expect(one.json().choices[0].message.content).toBe(REWRITE);
    expect(one.json().pluralign.rewrite).toMatchObject({ draft: DRAFT, rewritten: true });
    expect(one.json().pluralign.factual.kind).toBe('draft');
    expect(one.json().usage).toBeDefined();

    fake.script({ type: 'ok', text: DRAFT }, { type: 'ok', text: REWRITE });
    const streamed = await post(`${live.url}/v1/chat/completions`, { ...req, stream: true });
    const chunks = parseSse(streamed.text).filter((e) => e.data !== '[DONE]');
    const content = chunks.map((c) => c.data.choices?.[0]?.delta?.content ?? '').join('');
    expect(content).toBe(REWRITE);
    expect(chunks.at(-1)!.data.pluralign.rewrite.draft).toBe(DRAFT);

    // A rewrite that fails before any text: the draft is the streamed content.
    fake.script({ type: 'ok', text: DRAFT }, { type: 'status', status: 400 });
    const kept = await post(`${live.url}/v1/chat/completions`, { ...req, stream: true });
    const keptChunks = parseSse(kept.text).filter((e) => e.data !== '[DONE]');
    expect(keptChunks.map((c) => c.data.choices?.[0]?.delta?.content ?? '').join('')).toBe(DRAFT);
    expect(keptChunks.at(-1)!.data.pluralign.rewrite.rewritten).toBe(false);

    // After some rewrite text went out, the stream ends with the error; the draft is in its details.
    fake.script({ type: 'ok', text: DRAFT }, { type: 'cut', afterChunks: 3, text: REWRITE });
    const cut = parseSse((await post(`${live.url}/v1/chat/completions`, { ...req, stream: true })).text);
    expect(cut.some((e) => e.data?.choices?.[0]?.delta?.content)).toBe(true);
    expect(cut.at(-1)!.data.error.details[0]).toEqual({ path: 'draft', message: DRAFT });
    expect(cut.some((e) => e.data === '[DONE]')).toBe(false);

    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    const refused = await post(`${live.url}/v1/chat/completions`, { ...req, tools });
    expect(refused.res.status).toBe(400);
    expectEnvelope(refused.json(), 'VALIDATION_FAILED');
    expect(refused.json().error.message).toMatch(/tools/);
  });

  it('counts the rewrite’s calls in the metrics', async () => {
    const scrape = async () => {
      const text = await (await fetch(`${live.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('pluralign_upstream_calls_total{generator="openai"') && l.includes('outcome="ok"'),
        );
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const before = await scrape();
    fake.script({ type: 'ok', text: DRAFT }, { type: 'ok', text: REWRITE });
    expect((await post(`${live.url}/v1/align`, rewriteBody())).res.status).toBe(200);
    expect((await scrape()) - before).toBe(2);
  });

  it('the answering model picks its factual preset, and the response says why', async () => {
    const ask = async (extra: object) => {
      fake.script({ type: 'ok', text: REWRITE });
      return (await post(`${live.url}/v1/align`, { question: QUESTION, target: TARGET, ...extra })).json();
    };
    expect((await ask({})).factual).toMatchObject({
      kind: 'preset',
      preset: 'llm:gpt-4o-mini-2024-07-18',
      match: 'alias',
    });
    expect((await ask({})).factual.why).toMatch(/model "gpt-4o-mini".*newest dated snapshot/);
    expect((await ask({ model: 'gpt-4o-2024-08-06' })).factual).toMatchObject({
      preset: 'llm:gpt-4o-2024-08-06',
      match: 'exact',
    });
    const unknown = (await ask({ model: 'my-local-model' })).factual;
    expect(unknown).toMatchObject({ kind: 'preset', preset: 'human:mean' });
    expect(unknown.why).toMatch(/no Value Portrait profile is known for model "my-local-model"/);
    expect((await ask({ factual: { preset: 'human:cluster-1' } })).factual.why).toMatch(/named/);
  });
});

describe('mode rewrite offline (template generator)', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  });
  afterAll(() => live.close());

  it('drafts, attributes and rewrites with no upstream call; SSE and JSON agree', async () => {
    const { res, json } = await post(`${live.url}/v1/align`, rewriteBody());
    expect(res.status).toBe(200);
    const body = json();
    expect(body.factual.kind).toBe('draft');
    expect(body.rewrite).toMatchObject({ rewritten: true, calls: { draft: 0, attribution: 0, rewrite: 0 } });
    expect(body.usage.upstreamCalls).toBe(0);
    // The draft is the template's own (unsteered) answer; the rewrite expresses the target.
    expect(body.answer).not.toBe(body.rewrite.draft);
    expect(body.rewrite.draft).toMatch(/^Stance: /);
    const streamed = parseSse((await post(`${live.url}/v1/align`, rewriteBody({ stream: true }))).text);
    const done = streamed.at(-1)!.data;
    expect(done.answer).toBe(body.answer);
    expect(done.rewrite).toEqual(body.rewrite);
    expect(
      streamed
        .filter((e) => e.event === 'delta')
        .map((e) => e.data.text)
        .join(''),
    ).toBe(body.answer);
  });

  it('the template has no model profile: the default factual says so', async () => {
    const body = (await post(`${live.url}/v1/align`, { question: QUESTION, target: TARGET })).json();
    expect(body.factual).toMatchObject({ kind: 'preset', preset: 'human:mean' });
    expect(body.factual.why).toMatch(/template generator is not a language model/);
  });
});
