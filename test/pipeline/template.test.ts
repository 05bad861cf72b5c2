/** The embedded template generator: deterministic, offline, writes from the plan with its concepts' phrases. */
import { describe, expect, it } from 'vitest';
import {
  TemplateGenerator,
  gerund,
  stanceFor,
  writeFromPlan,
  type AnswerPlan,
} from '../../src/generator/template.js';

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
        '1. Benevolence comes first for me here: I care about being helpful (helping the people around one), so help and helpful weigh in my answer.\n' +
        '2. Security also shapes how I see it: I care about having a safe home (a secure place to live), so safe home and secure weigh in my answer.\n' +
        '3. Conformity: worth a passing thought, but not what decides it for me.\n',
    );
    expect(text).not.toMatch(/Power/); // a contradicted value is not brought up
  });

  it('turns concept labels into grammatical noun phrases', () => {
    expect(gerund('Be respecting traditions')).toBe('respecting traditions');
    expect(gerund('Be creative')).toBe('being creative');
    expect(gerund('Have a varied life')).toBe('having a varied life');
    expect(gerund('Holding religious faith')).toBe('holding religious faith');
  });

  it('names the question and keeps to 3–5 points', () => {
    const q = 'Should I help my neighbour move house?';
    const text = writeFromPlan({ ...plan, question: q });
    expect(text).toContain(`Asked “${q}”, I answer from what I value.`);
    const points = text.split('\n').filter((l) => /^\d\. /.test(l));
    expect(points.length).toBeGreaterThanOrEqual(3);
    expect(points.length).toBeLessThanOrEqual(5);
    const sparse = writeFromPlan({ priorities: [], express: [] });
    expect(sparse.split('\n').filter((l) => /^\d\. /.test(l))).toHaveLength(3);
    const rich = writeFromPlan({
      priorities: plan.priorities.map((p) => ({ ...p, level: 5 })),
      express: Array.from({ length: 8 }, (_, i) => ({ ...plan.express[0]!, label: `Be kind ${i}` })),
    });
    expect(rich.split('\n').filter((l) => /^\d\. /.test(l))).toHaveLength(5);
  });

  it('takes its stance from the profile and the values the question touches', () => {
    expect(stanceFor({ ...plan, question: 'Should I help my brother?' })).toBe('yes'); // benevolence 5
    expect(stanceFor({ ...plan, question: 'Should I seek more power at work?' })).toBe('no'); // power 1
    expect(stanceFor({ ...plan, question: 'Should I paint the fence blue?' })).toBe('neutral'); // untouched
    expect(stanceFor({ ...plan, question: 'What do you think about help?' })).toBe('neutral'); // not yes/no
    expect(
      stanceFor({
        ...plan,
        question: 'Should I take the promotion?',
        avoid: [{ phrases: ['promotion'], values: ['power'] }],
      }),
    ).toBe('no');
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
