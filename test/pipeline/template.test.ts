/** The embedded template generator: deterministic, offline, writes from the plan with its concepts' phrases. */
import { describe, expect, it } from 'vitest';
import { TemplateGenerator, writeFromPlan, type AnswerPlan } from '../../src/generator/template.js';

const plan: AnswerPlan = {
  priorities: [
    {
      value: 'benevolence',
      label: 'Benevolence',
      level: 5,
      description: 'Caring for the people close to you.',
    },
    { value: 'security', label: 'Security', level: 4, description: 'Safety and stability.' },
    { value: 'conformity', label: 'Conformity', level: 3, description: 'Restraint.' },
    { value: 'power', label: 'Power', level: 1, description: 'Control over others.' },
  ],
  express: [
    {
      label: 'Be helpful',
      description: 'Helping the people around one.',
      phrases: ['help', 'helpful'],
      values: ['benevolence'],
    },
    {
      label: 'Have a safe home',
      description: 'A secure place to live.',
      phrases: ['safe home', 'secure'],
      values: ['security'],
    },
  ],
};

describe('template generator', () => {
  it('writes a stance and numbered key points from the plan, using the concepts’ phrases', () => {
    const text = writeFromPlan(plan);
    expect(text).toBe(
      'Stance: neutral\n\n' +
        '1. Benevolence comes first for me here: I want to be helpful (helping the people around one), which means help and helpful.\n' +
        '2. Security also shapes how I see it: I want to have a safe home (a secure place to live), which means safe home and secure.\n' +
        '3. Conformity: worth a passing thought, but not what decides it for me.\n',
    );
    expect(text).not.toMatch(/Power/); // a contradicted value is not brought up
  });

  it('is deterministic, labelled, and streams deltas that add up to the text', async () => {
    const g = new TemplateGenerator();
    const a = await g.generate({ messages: [], plan });
    const b = await g.generate({ messages: [], plan });
    expect(a).toEqual(b);
    expect(a).toMatchObject({ model: 'pluralign-template-1', attempts: 0, finishReason: 'stop' });
    let text = '';
    let deltas = 0;
    let end: unknown;
    for await (const ev of g.stream({ messages: [], plan })) {
      if (ev.type === 'delta') {
        text += ev.text;
        deltas++;
      } else end = ev.result;
    }
    expect(deltas).toBeGreaterThan(3);
    expect(text).toBe(a.text);
    expect(end).toEqual(a);
  });

  it('refuses a request without a plan', async () => {
    await expect(new TemplateGenerator().generate({ messages: [] })).rejects.toThrow(/answer plan/);
  });
});
