/**
 * alignResponseJson writes exactly JSON.stringify(response), with the explanation's profile part
 * serialized once per cached profile; two questions from one profile share that part, not their
 * conditioning (which holds the question).
 */
import { describe, expect, it } from 'vitest';
import { TemplateGenerator } from '../../src/generator/template.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { align, alignResponseJson, type AlignRequest } from '../../src/pipeline/align.js';

const deps = {
  graphs: loadGraphDir(),
  generators: new Map([['template', new TemplateGenerator()]]),
  defaultGenerator: 'template',
};
const target = { format: 'likert5' as const, values: { benevolence: 5, security: 4, stimulation: 1 } };

describe('alignResponseJson', () => {
  it('is JSON.stringify of the response, first and later answers from a profile alike', async () => {
    const ask = (question: string, extra: Partial<AlignRequest> = {}) =>
      align(deps, { question, target, ...extra });
    const first = await ask('Should I lend money to my brother?');
    const second = await ask('Is it worth leaving a stable job to start a company?');
    const verified = await ask('Should I move abroad for work?', { verify: true });
    for (const r of [first, second, verified]) expect(alignResponseJson(r)).toBe(JSON.stringify(r));
    expect(second.explanation.values).toBe(first.explanation.values); // the shared profile part
    expect(second.explanation.conditioning.messages).not.toEqual(first.explanation.conditioning.messages);
    expect(JSON.stringify(second.explanation.conditioning)).toContain('start a company');
    expect(Object.isFrozen(second.explanation)).toBe(true);
  });

  it('an explanation not from the cache (own explain options) is serialized as it is', async () => {
    const r = { answer: 'x', nothing: undefined, n: 1, explanation: { plain: true } };
    expect(alignResponseJson(r)).toBe(JSON.stringify(r));
  });
});
