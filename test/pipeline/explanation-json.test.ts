/**
 * alignResponseBytes writes exactly JSON.stringify(response) as UTF-8, with the explanation's profile
 * part encoded once per cached profile (and a shared explanation's whole once); two questions from one
 * profile share that part, not their conditioning (which holds the question).
 */
import { describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../../src/generator/template.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { align, alignResponseBytes, type AlignRequest } from '../../src/pipeline/align.js';
import {
  explanationChunks,
  jsonBytesWithExplanation,
  shareExplanationJson,
} from '../../src/pipeline/explanation.js';

const text = (bytes: Buffer) => bytes.toString('utf8');

const deps = {
  graphs: loadGraphDir(),
  generators: new Map([['template', new TemplateGenerator()]]),
  defaultGenerator: 'template',
};
const target = { format: 'likert5' as const, values: { benevolence: 5, security: 4, stimulation: 1 } };

describe('alignResponseBytes', () => {
  it('is JSON.stringify of the response, first and later answers from a profile alike', async () => {
    const ask = (question: string, extra: Partial<AlignRequest> = {}) =>
      align(deps, { question, target, ...extra });
    const first = await ask('Should I lend money to my brother?');
    const second = await ask('Is it worth leaving a stable job to start a company?');
    const verified = await ask('Should I move abroad for work?', { verify: true });
    for (const r of [first, second, verified]) expect(text(alignResponseBytes(r))).toBe(JSON.stringify(r));
    expect(second.explanation.values).toBe(first.explanation.values); // the shared profile part
    expect(second.explanation.conditioning.messages).not.toEqual(first.explanation.conditioning.messages);
    expect(JSON.stringify(second.explanation.conditioning)).toContain('start a company');
    expect(Object.isFrozen(second.explanation)).toBe(true);
  });

  it('an explanation not from the cache (own explain options) is serialized as it is', async () => {
    const r = { answer: 'x', nothing: undefined, n: 1, explanation: { plain: true } };
    expect(text(alignResponseBytes(r))).toBe(JSON.stringify(r));
  });
});

describe('explanationChunks', () => {
  it('encodes a shared explanation once, and gives the same bytes before and after sharing it', async () => {
    const r = await align(deps, { question: 'Should I tell my friend the truth about her plan?', target });
    const expected = Buffer.from(JSON.stringify(r.explanation));
    const before = explanationChunks(r.explanation);
    expect(before).toHaveLength(2); // the profile's part (cached) and the question's
    expect(Buffer.concat(before).equals(expected)).toBe(true);
    shareExplanationJson(r.explanation);
    const [whole] = explanationChunks(r.explanation);
    expect(whole!.equals(expected)).toBe(true);
    expect(explanationChunks(r.explanation)[0]).toBe(whole); // kept, not encoded again
  });

  it('writes non-ASCII text (←, ↔, —, emoji) byte for byte as JSON.stringify and UTF-8 do', async () => {
    const r = await align(deps, { question: 'Tu dois choisir — 家族か仕事か? 🙂 "quoted" \\ back', target });
    expect(JSON.stringify(r.explanation)).toMatch(/[\u0100-\uffff]/);
    const withFields = { before: 'é ← x', explanation: r.explanation, after: ['↔', null, 1.5] };
    const bytes = jsonBytesWithExplanation(withFields, 'event: x\ndata: ', '\n\n');
    expect(bytes.equals(Buffer.from(`event: x\ndata: ${JSON.stringify(withFields)}\n\n`))).toBe(true);
  });

  it('leaves out undefined fields and functions as JSON.stringify does', () => {
    const o = { a: undefined, b: () => 1, c: 'x', explanation: undefined, d: [undefined] };
    expect(text(jsonBytesWithExplanation(o))).toBe(JSON.stringify(o));
    expect(text(jsonBytesWithExplanation({}))).toBe('{}');
  });
});
