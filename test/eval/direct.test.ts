/**
 * Evaluation that cannot grade itself: direct per-value scoring (src/eval/direct.ts) reads each value
 * only from the answer's own concepts of it, where the SCM posterior imputes untouched values through
 * the graph; the report of an embedded-generator run calls itself a pipeline self-check and flags
 * zero-width intervals; `rewrite` runs as a method.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  attributeLearned,
  attributeText,
  type Attribution,
  type ConceptHit,
} from '../../src/attribution/index.js';
import {
  buildReport,
  directReadings,
  renderMarkdown,
  runEval,
  SELF_CHECK_NOTE,
  type AnswerRow,
  type EvalProfile,
} from '../../src/eval/index.js';
import { TemplateGenerator } from '../../src/generator/template.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { runSettings } from './fixtures/settings.js';

const s10 = loadGraphDir().get('schwartz-10')!;

const hit = (value: string, status: ConceptHit['status'], level: number | null): ConceptHit => ({
  concept: `${value}-${level}`,
  label: '',
  value,
  values: [value],
  matches: 0,
  negated: 0,
  phrases: [],
  spans: [],
  negatedSpans: [],
  status,
  evidence: level,
  level,
});

const values = ['benevolence', 'power', 'security', 'universalism'].map((value) => ({
  value,
  label: value,
  mean: 0,
  sd: 1,
  likert5: 3.3,
  likert5Sd: 0.8,
  interval: [2, 4] as [number, number],
  basis: 'prior' as const,
}));

describe('directReadings', () => {
  it('reads each value from its own observed concepts only, 2 (absent) when untouched', () => {
    const a: Pick<Attribution, 'values' | 'concepts'> = {
      values,
      concepts: [
        hit('benevolence', 'present', 4),
        hit('benevolence', 'present', 5.5),
        hit('power', 'contradicted', 0.5),
        hit('security', 'absent', null),
        hit('security', 'negated', null),
      ],
    };
    expect(directReadings(a)).toEqual([
      { value: 'benevolence', likert5: 4.75, concepts: 2 },
      { value: 'power', likert5: 1, concepts: 1 },
      { value: 'security', likert5: 2, concepts: 0 },
      { value: 'universalism', likert5: 2, concepts: 0 },
    ]);
  });

  it('does not impute an untouched value through the graph, as the SCM posterior does', () => {
    // Only benevolence concepts, in a text long enough for absence readings.
    const text =
      'I would help him and be loyal to my brother, forgiving and honest with him, because caring for family is what matters. ' +
      'It is a matter of being a responsible and helpful sibling who stands by the people closest to him when times are hard. ' +
      'I would listen first and then lend what I can.';
    const a = attributeText(s10, text);
    const direct = new Map(directReadings(a).map((r) => [r.value, r]));
    const scm = new Map(a.values.map((v) => [v.value, v.likert5]));
    expect(direct.get('benevolence')!.concepts).toBeGreaterThan(0);
    // Universalism shares benevolence's latent: the SCM posterior moves it off "absent"; direct does not.
    expect(direct.get('universalism')).toEqual({ value: 'universalism', likert5: 2, concepts: 0 });
    expect(Math.abs(scm.get('universalism')! - 2)).toBeGreaterThan(0.05);
  });
});

const settings = runSettings({ attributor: 'learned', scoring: 'direct' });

const profile: EvalProfile = {
  id: 'p1',
  label: 'P1',
  target: { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } },
  likert5: { benevolence: 5, security: 4, stimulation: 1 },
  centered: { benevolence: 2.5, security: 1.25, stimulation: -2.5 },
};

describe('pluralign eval offline: rewrite, direct scoring, a self-check report', () => {
  it('runs rewrite beside the other methods, scores directly, and the report says what it is', async () => {
    const questions = [
      { id: 'q1', text: 'Should I lend money to my brother?' },
      // The same question under three ids: the template (question-aware since its concepts are chosen
      // for the question) then writes one answer three times, a zero-width interval to flag.
      { id: 'q2', text: 'Should I lend money to my brother?' },
      { id: 'q3', text: 'Should I lend money to my brother?' },
    ];
    const out = await runEval(
      {
        graph: s10,
        questions,
        profiles: [profile],
        methods: ['value-prompt', 'pluralign', 'rewrite'],
        protocols: ['answers'],
      },
      {
        generator: new TemplateGenerator(),
        settings,
        resultsPath: join(mkdtempSync(join(tmpdir(), 'pluralign-eval-')), 'results.jsonl'),
        concurrency: 1,
      },
    );
    expect(out.failed).toBe(0);
    const rows = out.rows as AnswerRow[];
    expect(rows.filter((r) => r.method === 'rewrite')).toHaveLength(3);
    // The rows are scored directly: the learned detector's readings of the answer, recomputed here.
    for (const r of rows) {
      const direct = new Map(
        directReadings(attributeLearned(s10, r.answer)).map((d) => [d.value, d.likert5]),
      );
      for (const d of r.dimensions) expect(d.attributed).toBeCloseTo(direct.get(d.value)!, 12);
    }
    // The rewrite's draft is attributed: its answers differ from the one-call mode's.
    const answers = (m: string) => rows.filter((r) => r.method === m).map((r) => r.answer);
    expect(answers('rewrite')).not.toEqual(answers('pluralign'));
    const report = buildReport({
      title: 'offline',
      settings,
      methods: ['value-prompt', 'pluralign', 'rewrite'],
      questionnaireMethods: [],
      profiles: [profile],
      questions: 3,
      items: null,
      rows,
      totalTasks: out.total,
      thisRun: out.cost,
      stats: { resamples: 200, level: 0.95, seed: 7 },
      selfCheck: true,
    });
    expect(report.kind).toBe('pipeline self-check');
    expect(report.title).toMatch(/^Pipeline self-check/);
    expect(report.notes[0]).toBe(SELF_CHECK_NOTE);
    // The template writes the same answer to the three copies: every interval has zero width.
    expect(new Set(rows.filter((r) => r.method === 'pluralign').map((r) => r.mae)).size).toBe(1);
    expect(report.degenerateIntervals).toContain('answers overall pluralign mae');
    expect(report.answers!.overall['pluralign']!.degenerate).toContain('mae');
    const md = renderMarkdown(report, []);
    expect(md).toContain('# Pipeline self-check — offline');
    expect(md).toMatch(/⚠ \d+ intervals have zero width/);
    expect(md).toMatch(/\| pluralign \| 3 \| [\d.]+ \[[\d.]+, [\d.]+\] ⚠ zero width/);
    expect(md).toContain('scoring: direct per-value readings');
  });

  it('a measurement with varying answers is not flagged', () => {
    const row = (question: string, mae: number): AnswerRow => ({
      kind: 'answer',
      key: `answers|pluralign|p1|${question}`,
      method: 'pluralign',
      profile: 'p1',
      question,
      mae,
      spearman: mae > 0.5 ? 0.5 : 1,
      dimensions: [],
      cost: {
        generator: { calls: 1, failedCalls: 0, promptTokens: 0, completionTokens: 0 },
        judge: { calls: 0, failedCalls: 0, promptTokens: 0, completionTokens: 0 },
      },
      ms: 1,
      at: 'x',
      answer: '',
      attempt: 1,
      servedModel: 'm',
      attributor: 'learned',
    });
    const report = buildReport({
      title: 'model',
      settings: { ...settings, generator: 'openai', model: 'm' },
      methods: ['pluralign'],
      questionnaireMethods: [],
      profiles: [profile],
      questions: 3,
      items: null,
      rows: [row('q1', 0.2), row('q2', 0.9), row('q3', 0.5)],
      totalTasks: 3,
      thisRun: null,
      stats: { resamples: 200, level: 0.95, seed: 7 },
    });
    expect(report.kind).toBe('measurement');
    expect(report.answers!.overall['pluralign']!.degenerate).toEqual([]);
    expect(renderMarkdown(report, [])).not.toContain('zero width');
  });
});
