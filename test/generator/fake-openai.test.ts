/** The fake upstream itself speaks the wire format other tests rely on (raw fetch, no SDK). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleFor, startFakeOpenAI, wordChunks, type FakeOpenAI } from '../fixtures/fake-openai.js';

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(() => fake.close());

const post = (body: unknown, signal?: AbortSignal) =>
  fetch(`${fake.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-test': 'yes' },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

describe('fake OpenAI upstream', () => {
  it('streams real SSE: role chunk, word chunks, finish chunk, usage chunk, [DONE]', async () => {
    fake.reset();
    fake.script({ type: 'ok', text: 'a b', model: 'm-served' });
    const res = await post({
      model: 'm',
      stream: true,
      stream_options: { include_usage: true },
      messages: [],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const raw = await res.text();
    const events = raw.split('\n\n').filter(Boolean);
    expect(events.every((e) => e.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    type Chunk = {
      model: string;
      object: string;
      choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
      usage?: unknown;
    };
    const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)) as Chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? null)).toEqual(['', 'a', ' b', null, null]);
    expect(chunks[3]?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks[4]).toMatchObject({ choices: [], usage: { completion_tokens: 2, total_tokens: 2 } });
    expect(chunks.every((c) => c.model === 'm-served' && c.object === 'chat.completion.chunk')).toBe(true);
  });

  it('logs every request with time, headers and body, and serves /v1/models', async () => {
    fake.reset();
    const t0 = performance.now();
    await (await post({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).json();
    const models = (await (await fetch(`${fake.url}/models`)).json()) as { data: Array<{ id: string }> };
    expect(models.data[0]?.id).toBe('fake-model');
    expect(fake.log.map((e) => e.scenario)).toEqual(['ok', 'models']);
    expect(fake.chatRequests()).toHaveLength(1);
    const [first] = fake.log;
    expect(first?.at).toBeGreaterThanOrEqual(t0);
    expect(first?.headers['x-test']).toBe('yes');
    expect(first?.body).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(first?.clientAborted).toBe(false);
  });

  it('runs scripted scenarios in order, then the default', async () => {
    fake.reset();
    fake.script({ type: 'status', status: 418, headers: { 'retry-after': '7' } });
    expect(fake.pending()).toBe(1);
    const teapot = await post({ messages: [] });
    expect(teapot.status).toBe(418);
    expect(teapot.headers.get('retry-after')).toBe('7');
    expect((await post({ messages: [] })).status).toBe(200);
    expect(fake.pending()).toBe(0);
  });

  it('records a client abort on a request it never answers', async () => {
    fake.reset();
    fake.script({ type: 'never' });
    const ac = new AbortController();
    const pending = post({ messages: [] }, ac.signal).catch((e: unknown) => e);
    await fake.waitForChatRequests(1);
    ac.abort();
    expect(await pending).toMatchObject({ name: 'AbortError' });
    await expect.poll(() => fake.chatRequests()[0]?.clientAborted).toBe(true);
  });

  it('cuts a stream by destroying the socket (the client sees an error, not an end)', async () => {
    fake.reset();
    fake.script({ type: 'cut', afterChunks: 1 });
    const res = await post({ stream: true, messages: [] });
    await expect(res.text()).rejects.toThrow();
  });

  it('helpers: word chunks round-trip and schema examples validate', () => {
    for (const t of ['Hello from the fake upstream.', '  lead', 'trail  ', 'one', '']) {
      expect(wordChunks(t).join('')).toBe(t);
    }
    expect(
      exampleFor({
        type: 'object',
        properties: {
          tags: { type: 'array', items: { type: 'string', minLength: 10 }, minItems: 2 },
          n: { type: ['number', 'null'], minimum: 0.5 },
          c: { const: 3 },
          u: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
        },
      }),
    ).toEqual({ tags: ['examplexxx', 'examplexxx'], n: 0.5, c: 3, u: true });
  });
});
