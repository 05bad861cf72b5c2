/* eslint-disable @typescript-eslint/no-explicit-any -- JSON bodies are read loosely in these tests */
/**
 * The text of POST /v1/align's event stream: every event's data is exactly JSON.stringify of its
 * object, in the documented key order (the profile event's explanation comes from the serialized
 * explanation cache, the deltas are written without building an object per chunk), the same on the
 * first stream of a question and on the next ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHWARTZ_10 } from '../fixtures/value-systems.js';
import { BUNDLED_GRAPHS, postJson as post, startLive, type Live } from './helpers.js';

const TARGET = { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } };
const QUESTION = 'Should I lend money to my brother who keeps losing his jobs? He "promises" <to> pay.';

/** Each event's name and its data line as sent. */
const rawEvents = (text: string) =>
  text
    .split('\n\n')
    .filter((b) => b.trim())
    .map((block) => {
      const [event, data, ...rest] = block.split('\n');
      expect(rest).toEqual([]);
      return { event: event!.slice('event: '.length), data: data!.slice('data: '.length) };
    });

describe('POST /v1/align stream text', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  });
  afterAll(async () => live.close());

  it('writes each event as JSON.stringify of its object, the first stream and the next alike', async () => {
    const texts: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { res, text } = await post(`${live.url}/v1/align`, {
        question: QUESTION,
        target: TARGET,
        stream: true,
      });
      expect(res.status).toBe(200);
      texts.push(text);
    }
    expect(texts[1]).toBe(texts[0]);
    expect(texts[2]).toBe(texts[0]);
    const events = rawEvents(texts[0]!);
    for (const { data } of events) expect(data).toBe(JSON.stringify(JSON.parse(data)));
    const profile = JSON.parse(events[0]!.data);
    expect(events[0]!.event).toBe('profile');
    expect(Object.keys(profile)).toEqual(['graph', 'generator', 'factual', 'explanation']);
    expect(profile.explanation.conditioning.messages[1].content).toContain('‹to›');
    const deltas = events.filter((e) => e.event === 'delta').map((e) => JSON.parse(e.data));
    expect(deltas.length).toBeGreaterThan(3);
    for (const d of deltas) expect(Object.keys(d)).toEqual(['text', 'attempt']);
    const done = JSON.parse(events.at(-1)!.data);
    expect(deltas.map((d: any) => d.text).join('')).toBe(done.answer);
  });

  it('puts notes and the chart last in the profile event', async () => {
    const { text } = await post(`${live.url}/v1/align`, {
      question: QUESTION,
      // Every value at one level: a target with a note.
      target: {
        format: 'likert5',
        values: Object.fromEntries(SCHWARTZ_10.values.map((v) => [v.id, 5])),
      },
      explain: { chart: true },
      stream: true,
    });
    const [first] = rawEvents(text);
    const profile = JSON.parse(first!.data);
    expect(first!.data).toBe(JSON.stringify(profile));
    expect(Object.keys(profile)).toEqual(['graph', 'generator', 'factual', 'explanation', 'notes', 'chart']);
    expect(profile.notes[0]).toContain('every value of schwartz-10 is set to 5');
    expect(profile.chart).toMatch(/^<svg/);
  });
});
