/**
 * The rewrite mode's pieces (src/pipeline/rewrite.ts) and the mode through a batch line, offline with
 * the template generator: the draft's request is the bare question (or the caller's conversation as
 * sent), the rewrite is asked after the draft in the conversation, and a batch line with
 * `mode: "rewrite"` answers as POST /v1/align does.
 */
import { describe, expect, it } from 'vitest';
import { executeLine } from '../../src/batch/execute.js';
import { TemplateGenerator } from '../../src/generator/template.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { align } from '../../src/pipeline/align.js';
import { draftMessages, REWRITE_REQUEST, rewriteConversation } from '../../src/pipeline/rewrite.js';

const deps = {
  graphs: loadGraphDir(),
  generators: new Map([['template', new TemplateGenerator()]]),
  defaultGenerator: 'template',
};
const target = { format: 'likert5' as const, values: { benevolence: 5, security: 4, stimulation: 1 } };
const QUESTION = 'Should I lend money to my brother?';

describe('rewrite conversation', () => {
  it('drafts from the bare question, or the conversation as sent', () => {
    expect(draftMessages(QUESTION)).toEqual([{ role: 'user', content: QUESTION }]);
    const conversation = {
      system: ['Answer in French.'],
      turns: [{ role: 'user' as const, content: QUESTION }],
    };
    expect(draftMessages(QUESTION, conversation)).toEqual([
      { role: 'system', content: 'Answer in French.' },
      { role: 'user', content: QUESTION },
    ]);
  });

  it('asks for the rewrite after the draft, keeping the caller’s system messages', () => {
    const plain = rewriteConversation(QUESTION, 'the draft');
    expect(plain).toEqual({
      system: [],
      turns: [
        { role: 'user', content: QUESTION },
        { role: 'assistant', content: 'the draft' },
        { role: 'user', content: REWRITE_REQUEST },
      ],
    });
    const chat = rewriteConversation(QUESTION, 'd', {
      system: ['Be brief.'],
      turns: [{ role: 'user', content: QUESTION }],
    });
    expect(chat.system).toEqual(['Be brief.']);
    expect(chat.turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user']);
  });
});

describe('mode rewrite offline', () => {
  it('the factual is the draft’s attribution, not the default preset', async () => {
    const prompt = await align(deps, { question: QUESTION, target });
    const rewrite = await align(deps, { question: QUESTION, target, mode: 'rewrite' });
    expect(prompt.factual.kind).toBe('preset');
    expect(rewrite.factual.kind).toBe('draft');
    const byValue = (r: typeof prompt) =>
      Object.fromEntries(r.explanation.values.map((v) => [v.value, v.factual]));
    expect(byValue(rewrite)).not.toEqual(byValue(prompt));
    // Every value of the graph was read from the draft.
    expect(rewrite.rewrite?.attributed.map((a) => a.value).sort()).toEqual(
      prompt.explanation.values.map((v) => v.value).sort(),
    );
  });

  it('a batch line with mode rewrite answers like the route', async () => {
    const body = { question: QUESTION, target, mode: 'rewrite' };
    const line = await executeLine(deps, '/v1/align', body, 'b1_0');
    expect(line.status_code).toBe(200);
    const direct = await align(deps, { question: QUESTION, target, mode: 'rewrite', requestId: 'b1_0' });
    const got = line.body as typeof direct;
    expect(got.answer).toBe(direct.answer);
    expect(got.rewrite).toEqual(direct.rewrite);
    const refused = await executeLine(
      deps,
      '/v1/align',
      { ...body, factual: { preset: 'human:mean' } },
      'b1_1',
    );
    expect(refused.status_code).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/factual\.preset/);
  });
});
