/**
 * The openai generator against a real HTTP fake upstream (test/fixtures/fake-openai.ts) through the real
 * SDK. Timeouts are tens of milliseconds; every test asserts the attempts the fake saw and their timing.
 */
import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../../src/generator/errors.js';
import { OpenAIGenerator, type OpenAIGeneratorConfig } from '../../src/generator/openai.js';
import type { GenerateRequest, StreamEvent } from '../../src/generator/types.js';
import { startBlackhole } from '../fixtures/blackhole.js';
import { closedPortUrl, DEFAULT_FAKE_TEXT } from '../fixtures/fake-openai.js';
import { useFakeOpenAI } from '../fixtures/use-fake-openai.js';

const API_KEY = 'sk-test-secret-key-123456';
const REQ: GenerateRequest = { messages: [{ role: 'user', content: 'Say hello.' }] };

const fake = useFakeOpenAI();

/** Small budgets; random 0.5 makes the backoff waits 10 ms then 20 ms. */
function gen(
  over: Partial<OpenAIGeneratorConfig> & { reliability?: OpenAIGeneratorConfig['reliability'] } = {},
) {
  return new OpenAIGenerator({
    model: 'fake-model',
    apiKey: API_KEY,
    baseURL: fake.url,
    random: () => 0.5,
    ...over,
    reliability: {
      deadlineMs: 2_000,
      connectTimeoutMs: 500,
      firstTokenTimeoutMs: 500,
      idleTimeoutMs: 500,
      maxAttempts: 3,
      backoff: { baseMs: 20, maxMs: 200 },
      ...over.reliability,
    },
  });
}

async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UpstreamError) return e;
    throw e;
  }
  throw new Error('expected an UpstreamError');
}

/** Consume a stream; return the events seen and the error that ended it, if any. */
async function drain(
  it: AsyncIterable<StreamEvent>,
): Promise<{ events: StreamEvent[]; error?: UpstreamError }> {
  const events: StreamEvent[] = [];
  try {
    for await (const e of it) events.push(e);
  } catch (e) {
    if (e instanceof UpstreamError) return { events, error: e };
    throw e;
  }
  return { events };
}

const deltas = (events: StreamEvent[]) => events.flatMap((e) => (e.type === 'delta' ? [e.text] : []));
const gaps = () => {
  const at = fake.chatRequests().map((r) => r.at);
  return at.slice(1).map((t, i) => t - (at[i] as number));
};

describe('openai generator: requests and answers', () => {
  it('sends a plain chat completion once and returns text, served model, usage and attempts', async () => {
    fake.script({ type: 'ok', text: 'Plain answer.', model: 'served-model-v2' });
    const r = await gen().generate({ ...REQ, temperature: 0.2, maxTokens: 50, requestId: 'req-42' });
    expect(r).toEqual({
      text: 'Plain answer.',
      model: 'served-model-v2',
      attempts: 1,
      finishReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 2 },
    });
    const [sent] = fake.chatRequests();
    expect(fake.chatRequests()).toHaveLength(1);
    expect(sent?.body).toEqual({
      model: 'fake-model',
      messages: [{ role: 'user', content: 'Say hello.' }],
      temperature: 0.2,
      max_tokens: 50,
    });
    expect(sent?.headers['authorization']).toBe(`Bearer ${API_KEY}`);
    expect(sent?.headers['x-client-request-id']).toMatch(/^req-42\.[0-9a-z]+\.1$/);
    expect(sent?.headers['x-stainless-retry-count']).toBe('0');
  });

  it('asks for JSON-schema output and gets a document that matches it (plain and streamed)', async () => {
    const schema = {
      type: 'object',
      properties: {
        stance: { type: 'string', enum: ['for', 'against'] },
        score: { type: 'integer', minimum: 1 },
      },
      required: ['stance', 'score'],
      additionalProperties: false,
    };
    const g = gen();
    const r = await g.generate({ ...REQ, jsonSchema: { name: 'judge', schema } });
    expect(JSON.parse(r.text)).toEqual({ stance: 'for', score: 1 });
    expect((fake.chatRequests()[0]?.body as Record<string, unknown>)['response_format']).toEqual({
      type: 'json_schema',
      json_schema: { name: 'judge', schema, strict: true },
    });
    const { events, error } = await drain(
      g.stream({ ...REQ, jsonSchema: { name: 'judge', schema, strict: false } }),
    );
    expect(error).toBeUndefined();
    expect(JSON.parse(deltas(events).join(''))).toEqual({ stance: 'for', score: 1 });
  });

  it('streams deltas then one end with usage, asking for include_usage', async () => {
    fake.script({ type: 'ok', text: 'one two three', model: 'served-stream' });
    const { events, error } = await drain(gen().stream(REQ));
    expect(error).toBeUndefined();
    expect(deltas(events)).toEqual(['one', ' two', ' three']);
    expect(events.at(-1)).toEqual({
      type: 'end',
      result: {
        text: 'one two three',
        model: 'served-stream',
        attempts: 1,
        finishReason: 'stop',
        usage: { promptTokens: 3, completionTokens: 3 },
      },
    });
    expect(fake.chatRequests()[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });
});

describe('openai generator: retries', () => {
  it('429 with Retry-After: 1 then success: waits the full second, 2 attempts', async () => {
    fake.script({ type: 'status', status: 429, headers: { 'retry-after': '1' } }, { type: 'ok' });
    const r = await gen().generate(REQ);
    expect(r.attempts).toBe(2);
    expect(r.text).toBe(DEFAULT_FAKE_TEXT);
    expect(fake.chatRequests()).toHaveLength(2);
    const [gap] = gaps();
    expect(gap).toBeGreaterThanOrEqual(1_000);
    expect(gap).toBeLessThan(1_400);
    expect(fake.chatRequests()[1]?.headers['x-stainless-retry-count']).toBe('1');
  });

  it('retry-after-ms wins over retry-after', async () => {
    fake.script(
      { type: 'status', status: 503, headers: { 'retry-after-ms': '120', 'retry-after': '30' } },
      { type: 'ok' },
    );
    const r = await gen().generate(REQ);
    expect(r.attempts).toBe(2);
    const [gap] = gaps();
    expect(gap).toBeGreaterThanOrEqual(120);
    expect(gap).toBeLessThan(600);
  });

  it('429 whose Retry-After exceeds the deadline fails at once as UPSTREAM_RATE_LIMITED (503)', async () => {
    fake.script({ type: 'status', status: 429, headers: { 'retry-after': '30' } });
    const t0 = performance.now();
    const err = await failure(gen().generate(REQ));
    expect(performance.now() - t0).toBeLessThan(500);
    expect(err).toMatchObject({
      code: 'UPSTREAM_RATE_LIMITED',
      attempts: 1,
      upstreamStatus: 429,
      retryAfterMs: 30_000,
    });
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('500 then success: 2 attempts after a jittered backoff', async () => {
    fake.script({ type: 'status', status: 500 }, { type: 'ok' });
    const r = await gen().generate(REQ);
    expect(r.attempts).toBe(2);
    const [gap] = gaps();
    expect(gap).toBeGreaterThanOrEqual(10); // 0.5 × 20 ms
    expect(gap).toBeLessThan(300);
  });

  it('persistent 500: exactly maxAttempts requests (the SDK does not retry on its own), then 502', async () => {
    fake.setDefault({ type: 'status', status: 500 });
    const err = await failure(gen().generate(REQ));
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', attempts: 3, upstreamStatus: 500 });
    expect(fake.chatRequests()).toHaveLength(3);
    expect(fake.chatRequests().map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
    const [g1, g2] = gaps();
    expect(g1).toBeGreaterThanOrEqual(10);
    expect(g2).toBeGreaterThanOrEqual(20);
  });

  it('400 is not retried; the message carries a short excerpt with secrets redacted', async () => {
    fake.script({
      type: 'status',
      status: 400,
      body: {
        error: {
          message: `This model's maximum context length is 8192 tokens. Key ${API_KEY} ${'x'.repeat(500)}`,
        },
      },
    });
    const err = await failure(gen().generate(REQ));
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', attempts: 1, upstreamStatus: 400 });
    expect(fake.chatRequests()).toHaveLength(1);
    expect(err.message).toMatch(/HTTP 400: This model's maximum context length is 8192 tokens/);
    expect(err.message).not.toContain(API_KEY);
    expect(err.message.length).toBeLessThan(260);
  });

  it('a socket reset before the headers is a connection error: retried', async () => {
    fake.script({ type: 'reset' }, { type: 'ok' });
    const r = await gen().generate(REQ);
    expect(r.attempts).toBe(2);
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('a non-streaming answer cut mid-body is retried (nothing reached the caller)', async () => {
    fake.script({ type: 'cut' }, { type: 'ok', text: 'whole' });
    const r = await gen().generate(REQ);
    expect(r).toMatchObject({ text: 'whole', attempts: 2 });
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('connection refused: retried, then UPSTREAM_UNAVAILABLE (503) after the backoff waits', async () => {
    const g = gen({ baseURL: await closedPortUrl() });
    const t0 = performance.now();
    const err = await failure(g.generate(REQ));
    const took = performance.now() - t0;
    expect(err).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      kind: 'connection',
      attempts: 3,
    });
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(took).toBeGreaterThanOrEqual(30); // 10 + 20 ms of backoff
    expect(took).toBeLessThan(1_000);
  });
});

describe('openai generator: timeouts', () => {
  it('an upstream that never answers: the deadline fires, UPSTREAM_TIMEOUT (504), the connection is dropped', async () => {
    fake.setDefault({ type: 'never' });
    const t0 = performance.now();
    const err = await failure(gen({ reliability: { deadlineMs: 150 } }).generate(REQ));
    const took = performance.now() - t0;
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT', kind: 'deadline', attempts: 1 });
    expect(took).toBeGreaterThanOrEqual(145);
    expect(took).toBeLessThan(1_000);
    await expect.poll(() => fake.chatRequests()[0]?.clientAborted).toBe(true);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('the connect timeout covers the connect only: a slow (non-streaming) answer on a live socket is fine', async () => {
    fake.script({ type: 'ok', headersDelayMs: 200 });
    const r = await gen({ reliability: { connectTimeoutMs: 40 } }).generate(REQ);
    expect(r.attempts).toBe(1);
  });

  it('a TCP connect that never completes: connect timeout per attempt, retried, then UPSTREAM_UNAVAILABLE', async (ctx) => {
    const hole = await startBlackhole();
    try {
      if (!hole.verified) ctx.skip();
      const g = gen({ baseURL: hole.url, reliability: { connectTimeoutMs: 60, maxAttempts: 2 } });
      const t0 = performance.now();
      const err = await failure(g.generate(REQ));
      const took = performance.now() - t0;
      expect(err).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', kind: 'connect_timeout', attempts: 2 });
      expect(took).toBeGreaterThanOrEqual(2 * 60 + 10);
      expect(took).toBeLessThan(1_000);
    } finally {
      await hole.close();
    }
  });

  it('slow first token beyond the budget: the attempt is abandoned and retried (nothing was emitted)', async () => {
    fake.script({ type: 'ok', text: 'too late', firstTokenDelayMs: 400 }, { type: 'ok', text: 'in time' });
    const { events, error } = await drain(gen({ reliability: { firstTokenTimeoutMs: 100 } }).stream(REQ));
    expect(error).toBeUndefined();
    expect(deltas(events)).toEqual(['in', ' time']);
    expect(events.at(-1)).toMatchObject({ type: 'end', result: { attempts: 2, text: 'in time' } });
    expect(fake.chatRequests()).toHaveLength(2);
    const [gap] = gaps();
    expect(gap).toBeGreaterThanOrEqual(80); // 100 ms budget + 10 ms backoff, minus connection-setup noise
    expect(gap).toBeLessThan(400);
    expect(fake.chatRequests()[0]?.clientAborted).toBe(true);
  });

  it('slow first token within the budget: one attempt', async () => {
    fake.script({ type: 'ok', firstTokenDelayMs: 60 });
    const { events, error } = await drain(gen({ reliability: { firstTokenTimeoutMs: 300 } }).stream(REQ));
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'end', result: { attempts: 1, text: DEFAULT_FAKE_TEXT } });
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('reasoning tokens count as the first token: the idle timeout then guards the gap to the text', async () => {
    fake.script({
      type: 'ok',
      text: 'answer',
      reasoning: ['think', 'ing', 'more', 'still'],
      firstTokenDelayMs: 20,
      chunkDelayMs: 50,
    });
    const g = gen({ reliability: { firstTokenTimeoutMs: 100, idleTimeoutMs: 150 } });
    const { events, error } = await drain(g.stream(REQ));
    expect(error).toBeUndefined(); // text only after ~220 ms, past the first-token budget
    expect(deltas(events)).toEqual(['answer']);
    expect(events.at(-1)).toMatchObject({ type: 'end', result: { attempts: 1, text: 'answer' } });
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('a stream that hangs before its first token on every attempt: UPSTREAM_TIMEOUT after maxAttempts', async () => {
    fake.setDefault({ type: 'stall', afterChunks: 0 });
    const t0 = performance.now();
    const { events, error } = await drain(gen({ reliability: { firstTokenTimeoutMs: 60 } }).stream(REQ));
    const took = performance.now() - t0;
    expect(events).toEqual([]);
    expect(error).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      kind: 'first_token_timeout',
      attempts: 3,
    });
    expect(fake.chatRequests()).toHaveLength(3);
    // Each attempt's timer starts before its request reaches the fake, so arrival gaps carry some
    // connection-setup noise; the client-side total is exact: 3 × 60 ms plus 10 + 20 ms of backoff.
    expect(gaps().every((g) => g >= 40)).toBe(true);
    await expect.poll(() => fake.chatRequests().every((r) => r.clientAborted)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(3 * 60 + 30);
    expect(took).toBeLessThan(1_500);
  });

  it('a stream that stalls after its first deltas: idle timeout, error after the deltas, no end, no retry', async () => {
    fake.script({ type: 'stall', afterChunks: 2 });
    const { events, error } = await drain(gen({ reliability: { idleTimeoutMs: 80 } }).stream(REQ));
    expect(deltas(events)).toEqual(['Hello', ' from']);
    expect(events.some((e) => e.type === 'end')).toBe(false);
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', kind: 'idle_timeout', attempts: 1 });
    expect(error?.message).toMatch(/after 2 text deltas/);
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('the caller aborting cancels the call and drops the upstream connection', async () => {
    fake.setDefault({ type: 'never' });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const err = await failure(gen().generate({ ...REQ, signal: ac.signal }));
    expect(err).toMatchObject({ code: 'UPSTREAM_CANCELLED', kind: 'cancelled', attempts: 1 });
    await expect.poll(() => fake.chatRequests()[0]?.clientAborted).toBe(true);
  });

  it("a caller's AbortSignal.timeout() is a timeout, not a cancellation", async () => {
    fake.setDefault({ type: 'never' });
    const err = await failure(gen().generate({ ...REQ, signal: AbortSignal.timeout(50) }));
    expect(err).toMatchObject({ code: 'UPSTREAM_TIMEOUT', kind: 'deadline', attempts: 1 });
  });
});

describe('openai generator: broken streams never end normally', () => {
  it('a stream cut midway (socket destroyed): the deltas, then an UpstreamError; no end event, not retried', async () => {
    fake.script({ type: 'cut', afterChunks: 2 });
    const { events, error } = await drain(gen().stream(REQ));
    expect(deltas(events)).toEqual(['Hello', ' from']);
    expect(events.some((e) => e.type === 'end')).toBe(false);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', kind: 'stream_cut', attempts: 1 });
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('a stream that ends cleanly without a finish_reason is an error too', async () => {
    fake.script({ type: 'truncated', afterChunks: 3 });
    const { events, error } = await drain(gen().stream(REQ));
    expect(deltas(events)).toEqual(['Hello', ' from', ' the']);
    expect(events.some((e) => e.type === 'end')).toBe(false);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', kind: 'stream_cut' });
    expect(error?.message).toMatch(/finish_reason/);
  });

  it('a finish_reason without [DONE] is a complete answer', async () => {
    fake.script({ type: 'ok', text: 'done here', omitDone: true });
    const { events, error } = await drain(gen().stream(REQ));
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'end', result: { text: 'done here', finishReason: 'stop' } });
  });

  it('a cut before the first delta is retried (nothing reached the caller)', async () => {
    fake.script({ type: 'cut', afterChunks: 0 }, { type: 'ok', text: 'second try' });
    const { events, error } = await drain(gen().stream(REQ));
    expect(error).toBeUndefined();
    expect(deltas(events)).toEqual(['second', ' try']);
    expect(events.at(-1)).toMatchObject({ type: 'end', result: { attempts: 2 } });
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('an in-band error event mid-stream becomes an UpstreamError with a redacted excerpt', async () => {
    fake.script({ type: 'stream-error', afterChunks: 1, message: `overloaded (key ${API_KEY})` });
    const { events, error } = await drain(gen().stream(REQ));
    expect(deltas(events)).toEqual(['Hello']);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', kind: 'stream_error', attempts: 1 });
    expect(error?.message).toMatch(/overloaded/);
    expect(error?.message).not.toContain(API_KEY);
  });

  it('breaking out of the loop early closes the upstream connection', async () => {
    fake.script({ type: 'ok', text: 'a b c d e f g h', chunkDelayMs: 30 });
    for await (const e of gen().stream(REQ)) {
      if (e.type === 'delta') break;
    }
    await expect.poll(() => fake.chatRequests()[0]?.clientAborted).toBe(true);
  });
});

describe('openai generator: malformed answers', () => {
  it('malformed JSON in a 200: UPSTREAM_ERROR (502), not retried', async () => {
    fake.script({ type: 'malformed' });
    const err = await failure(gen().generate(REQ));
    expect(err).toMatchObject({
      code: 'UPSTREAM_ERROR',
      kind: 'malformed_response',
      attempts: 1,
    });
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('a 200 that is not JSON at all (a proxy page) is malformed too', async () => {
    fake.script({ type: 'status', status: 200, body: '<html>gateway</html>' });
    const err = await failure(gen().generate(REQ));
    expect(err).toMatchObject({ code: 'UPSTREAM_ERROR', kind: 'malformed_response', attempts: 1 });
  });

  it('JSON without choices is malformed', async () => {
    fake.script({ type: 'status', status: 200, body: { id: 'x', object: 'chat.completion' } });
    const err = await failure(gen().generate(REQ));
    expect(err).toMatchObject({ kind: 'malformed_response' });
    expect(err.message).toMatch(/no choices/);
  });

  it('a malformed chunk mid-stream ends the stream with an error', async () => {
    fake.script({ type: 'malformed', afterChunks: 1 });
    const { events, error } = await drain(gen().stream(REQ));
    expect(deltas(events)).toEqual(['Hello']);
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', kind: 'malformed_response' });
  });
});

describe('openai generator: circuit breaker', () => {
  it('opens after consecutive failures, rejects fast while open, half-opens after the cool-down, closes on success', async () => {
    const g = gen({
      reliability: { maxAttempts: 1 },
      breaker: { failureThreshold: 2, cooldownMs: 150, maxCooldownMs: 150 },
    });
    const seen: string[] = [];
    g.breaker.onStateChange((to) => seen.push(to));
    fake.script({ type: 'status', status: 500 }, { type: 'status', status: 503 });
    await failure(g.generate(REQ));
    expect(g.breaker.state).toBe('closed');
    await failure(g.generate(REQ));
    expect(g.breaker.state).toBe('open');
    expect(fake.chatRequests()).toHaveLength(2);

    const t0 = performance.now();
    const rejected = await failure(g.generate(REQ));
    expect(performance.now() - t0).toBeLessThan(20);
    expect(rejected).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      kind: 'breaker_open',
      attempts: 0,
    });
    expect(rejected.retryAfterMs).toBeGreaterThan(0);
    expect(rejected.retryAfterMs).toBeLessThanOrEqual(150);
    const streamed = await drain(g.stream(REQ));
    expect(streamed.error).toMatchObject({ kind: 'breaker_open' });
    expect(fake.chatRequests()).toHaveLength(2); // nothing reached the upstream

    await new Promise((r) => setTimeout(r, 160));
    expect(g.breaker.state).toBe('half_open');
    const r = await g.generate(REQ);
    expect(r.attempts).toBe(1);
    expect(g.breaker.state).toBe('closed');
    expect(seen).toEqual(['open', 'half_open', 'closed']);
    expect(fake.chatRequests()).toHaveLength(3);
    expect(fake.chatRequests()[2]!.at - fake.chatRequests()[1]!.at).toBeGreaterThanOrEqual(150);
  });

  it('a breaker shared by two generators on the same upstream trips for both', async () => {
    const a = gen({ reliability: { maxAttempts: 1 }, breaker: { failureThreshold: 1, cooldownMs: 10_000 } });
    const b = gen({ breaker: a.breaker });
    fake.script({ type: 'status', status: 502 });
    await failure(a.generate(REQ));
    const err = await failure(b.generate(REQ));
    expect(err.kind).toBe('breaker_open');
    expect(fake.chatRequests()).toHaveLength(1);
  });

  it('a stream broken after its first delta counts as a breaker failure', async () => {
    const g = gen({ breaker: { failureThreshold: 1, cooldownMs: 10_000 } });
    fake.script({ type: 'cut', afterChunks: 1 });
    await drain(g.stream(REQ));
    expect(g.breaker.state).toBe('open');
  });
});

describe('openai generator: collect (a streamed answer, read whole)', () => {
  it('returns what the stream ends with, from one streamed request', async () => {
    fake.script({ type: 'ok', text: 'one two three', model: 'served-stream' });
    const result = await gen().collect(REQ);
    expect(result).toEqual({
      text: 'one two three',
      model: 'served-stream',
      attempts: 1,
      finishReason: 'stop',
      usage: { promptTokens: 3, completionTokens: 3 },
    });
    expect(fake.chatRequests()).toHaveLength(1);
    expect(fake.chatRequests()[0]?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('retries before the first token (a 500, a slow first token), then answers', async () => {
    fake.script(
      { type: 'status', status: 500 },
      { type: 'ok', text: 'too late', firstTokenDelayMs: 400 },
      { type: 'ok', text: 'in time' },
    );
    const result = await gen({ reliability: { firstTokenTimeoutMs: 100 } }).collect(REQ);
    expect(result).toMatchObject({ text: 'in time', attempts: 3 });
    expect(fake.chatRequests()).toHaveLength(3);
    expect(fake.chatRequests()[1]?.clientAborted).toBe(true);
  });

  it('a stall or a cut after the first deltas is final: an UpstreamError naming the deltas, no retry', async () => {
    fake.script({ type: 'stall', afterChunks: 2 });
    const stalled = await failure(gen({ reliability: { idleTimeoutMs: 80 } }).collect(REQ));
    expect(stalled).toMatchObject({ code: 'UPSTREAM_TIMEOUT', kind: 'idle_timeout', attempts: 1 });
    expect(stalled.message).toMatch(/after 2 text deltas/);
    fake.script({ type: 'cut', afterChunks: 3 });
    const cut = await failure(gen().collect(REQ));
    expect(cut).toMatchObject({ code: 'UPSTREAM_ERROR', kind: 'stream_cut', attempts: 1 });
    expect(cut.message).toMatch(/after 3 text deltas/);
    expect(fake.chatRequests()).toHaveLength(2);
  });

  it('the caller aborting cancels the call and drops the upstream connection', async () => {
    fake.script({ type: 'stall', afterChunks: 1 });
    const controller = new AbortController();
    const pending = failure(gen().collect({ ...REQ, signal: controller.signal }));
    await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    expect(await pending).toMatchObject({ kind: 'cancelled' });
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.chatRequests()[0]?.clientAborted).toBe(true);
  });
});
