/**
 * Running evaluations end to end: offline (template generator, phrase attributor) and against the
 * fake OpenAI-compatible upstream over real HTTP (openai generator, LLM judge, model persona);
 * resumability (a second run skips what is done, failures are retried, other settings are refused).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attributeWithLlm, compareProfiles } from '../../src/attribution/index.js';
import {
  QUESTIONNAIRE_FORMAT,
  buildReport,
  loadItemSet,
  loadProfiles,
  loadQuestions,
  planTasks,
  readResults,
  runEval,
  writeReport,
  type AnswerRow,
  type EvalPlan,
  type QuestionnaireRow,
} from '../../src/eval/index.js';
import { OpenAIGenerator } from '../../src/generator/openai.js';
import { TemplateGenerator } from '../../src/generator/template.js';
import type { GenerateRequest, Generator, StreamEvent } from '../../src/generator/types.js';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';
import { runSettings as settings } from './fixtures/settings.js';

const root = process.cwd();
const s10 = loadGraphDir().get('schwartz-10')!;
const allQuestions = loadQuestions(join(root, 'eval/questions.json'));
const allProfiles = loadProfiles(join(root, 'eval/profiles.json'), 'schwartz-10');
const items = loadItemSet(join(root, 'eval/portraits.json'), 'schwartz-10');
const tmp = () => join(mkdtempSync(join(tmpdir(), 'pluralign-eval-')), 'results.jsonl');

const plan = (over: Partial<EvalPlan> = {}): EvalPlan => ({
  graph: s10,
  questions: allQuestions.slice(0, 3),
  profiles: allProfiles.filter((p) => ['human-cluster-2', 'archetype-power'].includes(p.id)),
  items,
  methods: ['raw', 'value-prompt', 'pluralign', 'pluralign+refine'],
  protocols: ['answers', 'questionnaire'],
  ...over,
});

/** The template generator, counting its calls, optionally failing on questions containing `failOn`. */
class CountingTemplate implements Generator {
  readonly name = 'template';
  readonly model = 'pluralign-template-1';
  calls = 0;
  private readonly inner = new TemplateGenerator();
  readonly capabilities = this.inner.capabilities;
  constructor(private readonly failOn?: string) {}
  generate(req: GenerateRequest) {
    this.calls++;
    return this.inner.generate(req);
  }
  async *stream(req: GenerateRequest): AsyncIterable<StreamEvent> {
    this.calls++;
    if (this.failOn && req.messages.some((m) => m.content.includes(this.failOn!)))
      throw Object.assign(new Error('scripted failure'), { code: 'UPSTREAM_ERROR' });
    yield* this.inner.stream(req);
  }
}

const lines = (path: string) => readFileSync(path, 'utf8').trim().split('\n');

describe('offline: template generator, phrase attributor', () => {
  it('runs every task, writes one JSON line per task, and a report', async () => {
    const path = tmp();
    const p = plan();
    const seen: number[] = [];
    const out = await runEval(p, {
      generator: new TemplateGenerator(),
      settings: settings(),
      resultsPath: path,
      concurrency: 3,
      onProgress: (x) => seen.push(x.done),
    });
    // 3 questions × 2 profiles × 4 methods + 2 profiles × 3 questionnaire methods.
    expect(out).toMatchObject({ total: 30, ran: 30, skipped: 0, failed: 0, interrupted: false });
    expect(seen.at(-1)).toBe(30);
    expect(lines(path)).toHaveLength(31); // + the meta line
    expect(JSON.parse(lines(path)[0]!)).toMatchObject({ kind: 'meta', settings: settings() });
    expect(out.cost.generator.calls).toBe(0); // the template makes no upstream call

    const answers = out.rows.filter((r): r is AnswerRow => r.kind === 'answer');
    for (const r of answers) {
      expect(r.answer).toMatch(/^Stance: /);
      expect(r.attributor).toBe('phrases');
      expect(r.mae).toBeGreaterThanOrEqual(0);
      expect(r.dimensions.length).toBe(
        Object.keys(allProfiles.find((p) => p.id === r.profile)!.likert5).length,
      );
      // The row's metrics are the attributor's comparison of its own dimensions.
      const mae =
        r.dimensions.reduce((s, d) => s + Math.abs(d.attributed - d.target), 0) / r.dimensions.length;
      expect(r.mae).toBeCloseTo(mae, 12);
    }
    // raw never sees the target: the same answer for both profiles; pluralign differs by profile.
    const answerOf = (m: string, prof: string) =>
      answers.find((r) => r.method === m && r.profile === prof && r.question === 'q01')!.answer;
    expect(answerOf('raw', 'human-cluster-2')).toBe(answerOf('raw', 'archetype-power'));
    expect(answerOf('pluralign', 'human-cluster-2')).not.toBe(answerOf('pluralign', 'archetype-power'));
    // Steering helps on the power archetype, even offline.
    const maeOf = (m: string) =>
      answers.find((r) => r.method === m && r.profile === 'archetype-power' && r.question === 'q01')!.mae!;
    expect(maeOf('pluralign')).toBeLessThan(maeOf('raw'));

    const q = out.rows.filter((r): r is QuestionnaireRow => r.kind === 'questionnaire');
    expect(q).toHaveLength(6);
    for (const r of q) {
      expect(r.respondent).toBe('derived');
      expect(Object.keys(r.ratings)).toHaveLength(30);
      expect(Object.values(r.centered).reduce((s, x) => s + x, 0)).toBeCloseTo(0, 9); // 3 items per value: MRAT-centered sums to 0
    }

    const report = buildReport({
      title: 't',
      settings: settings(),
      methods: p.methods,
      questionnaireMethods: ['raw', 'value-prompt', 'pluralign'],
      profiles: p.profiles,
      questions: p.questions.length,
      items: items.id,
      rows: out.rows,
      totalTasks: out.total,
      thisRun: out.cost,
      stats: { resamples: 200, level: 0.95, seed: 7 },
    });
    expect(report.tasks).toEqual({ total: 30, succeeded: 30, failed: 0, missing: 0 });
    expect(report.answers!.overall.pluralign!.n).toBe(6);
    // The overall MAE is the mean of the rows.
    const pl = answers.filter((r) => r.method === 'pluralign');
    expect(report.answers!.overall.pluralign!.mae.estimate).toBeCloseTo(
      pl.reduce((s, r) => s + r.mae!, 0) / pl.length,
      12,
    );
    expect(report.answers!.paired!.reference).toBe('value-prompt');
    const dir = join(path, '..', 'report');
    const written = writeReport(dir, report, ['raw', 'value-prompt', 'pluralign']);
    expect(written.map((w) => w.slice(dir.length + 1))).toEqual([
      'report.json',
      'report.md',
      'answers-mae.svg',
      'answers-spearman.svg',
      'questionnaire-mae.svg',
      'questionnaire-spearman.svg',
    ]);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/\| pluralign \| 6 \| \d\.\d{3}/);
    expect(md).toMatch(/no upstream calls/);
  });
});

describe('resumability', () => {
  it('a second run skips every task already done and calls nothing', async () => {
    const path = tmp();
    const g1 = new CountingTemplate();
    const first = await runEval(plan({ protocols: ['answers'] }), {
      generator: g1,
      settings: settings(),
      resultsPath: path,
    });
    expect(first.ran).toBe(24);
    // One answer per task, up to 1 + 2 for pluralign+refine (regenerated while a dimension misses by ≥ 1).
    expect(g1.calls).toBeGreaterThanOrEqual(24);
    expect(g1.calls).toBeLessThanOrEqual(18 + 6 * 3);
    const before = lines(path).length;
    const g2 = new CountingTemplate();
    const second = await runEval(plan({ protocols: ['answers'] }), {
      generator: g2,
      settings: settings(),
      resultsPath: path,
    });
    expect(second).toMatchObject({ total: 24, skipped: 24, ran: 0, failed: 0 });
    expect(g2.calls).toBe(0);
    expect(lines(path)).toHaveLength(before);
    expect(second.rows.map((r) => r.key)).toEqual(first.rows.map((r) => r.key));
    // Adding a question runs only its tasks.
    const third = await runEval(plan({ protocols: ['answers'], questions: allQuestions.slice(0, 4) }), {
      generator: g2,
      settings: settings(),
      resultsPath: path,
    });
    expect(third).toMatchObject({ total: 32, skipped: 24, ran: 8 });
  });

  it('failed tasks are recorded, reported and retried on the next run; an edited question re-runs', async () => {
    const path = tmp();
    const q2 = allQuestions[1]!.text;
    const p = plan({ protocols: ['answers'], methods: ['pluralign'] });
    const first = await runEval(p, {
      generator: new CountingTemplate(q2),
      settings: settings(),
      resultsPath: path,
    });
    expect(first).toMatchObject({ total: 6, ran: 6, failed: 2 });
    const failed = first.rows.filter((r) => r.error);
    expect(failed.map((r) => (r as AnswerRow).question)).toEqual(['q02', 'q02']);
    expect(failed[0]!.error).toEqual({ code: 'UPSTREAM_ERROR', message: 'scripted failure' });
    const g = new CountingTemplate();
    const second = await runEval(p, { generator: g, settings: settings(), resultsPath: path });
    expect(second).toMatchObject({ skipped: 4, ran: 2, failed: 0 });
    expect(second.rows.every((r) => !r.error)).toBe(true);
    // A later failure never hides an earlier success of the same task.
    writeFileSync(
      path,
      `${readFileSync(path, 'utf8')}${JSON.stringify({ ...second.rows[0], error: { code: 'X', message: 'x' } })}\n`,
    );
    expect(readResults(path).rows.get(second.rows[0]!.key)!.error).toBeUndefined();
    // Edit a question's text: its tasks have a new key and run again.
    const edited = {
      ...p,
      questions: p.questions.map((q, i) => (i === 0 ? { ...q, text: `${q.text} Explain.` } : q)),
    };
    expect(planTasks(edited)[0]!.key).not.toBe(planTasks(p)[0]!.key);
    const third = await runEval(edited, { generator: g, settings: settings(), resultsPath: path });
    expect(third).toMatchObject({ skipped: 4, ran: 2 });
  });

  it('refuses to resume with other settings, and skips a line cut by a crash', async () => {
    const path = tmp();
    const p = plan({ protocols: ['answers'], methods: ['raw'], questions: allQuestions.slice(0, 1) });
    await runEval(p, { generator: new TemplateGenerator(), settings: settings(), resultsPath: path });
    await expect(
      runEval(p, {
        generator: new TemplateGenerator(),
        settings: settings({ refine: 3 }),
        resultsPath: path,
      }),
    ).rejects.toThrow(/other settings \(refine: 2 in the file, 3 now\)/);
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"kind":"answer","key":"answers|raw|trunc`);
    const again = await runEval(p, {
      generator: new TemplateGenerator(),
      settings: settings(),
      resultsPath: path,
    });
    expect(again).toMatchObject({ skipped: 2, ran: 0, badLines: 1 });
  });

  it('an interrupted run records only finished tasks', async () => {
    const path = tmp();
    const controller = new AbortController();
    const out = await runEval(plan({ protocols: ['answers'] }), {
      generator: new TemplateGenerator(),
      settings: settings(),
      resultsPath: path,
      concurrency: 1,
      signal: controller.signal,
      onProgress: (x) => {
        if (x.done === 5) controller.abort();
      },
    });
    expect(out).toMatchObject({ ran: 5, interrupted: true, failed: 0 });
    expect(lines(path)).toHaveLength(6);
  });
});

describe('against the fake OpenAI-compatible upstream (real HTTP)', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake.close());
  beforeEach(() => {
    fake.reset();
    fake.setDefault({ type: 'ok' });
  });
  const generator = () =>
    new OpenAIGenerator({
      model: 'fake-model',
      baseURL: fake.url,
      apiKey: 'sk-test-key-000000',
      random: () => 0.5,
      reliability: { maxAttempts: 1, deadlineMs: 5_000 },
    });

  it('answers: one streamed answer and one judge call per task, the scripted ratings read back', async () => {
    const concepts = s10.file.nodes.filter((n) => n.kind === 'concept').map((n) => n.id);
    const ratings = Object.fromEntries(concepts.map((c, i) => [c, i % 7 === 0 ? 3 : i % 5 === 0 ? -1 : 0]));
    const judgeReply = JSON.stringify(ratings);
    const answer = 'Stance: no\n\n1. Power and control matter most to me here.';
    fake.script({ type: 'ok', text: answer }, { type: 'ok', text: judgeReply });
    const g = generator();
    const p = plan({
      protocols: ['answers'],
      methods: ['pluralign'],
      questions: allQuestions.slice(0, 1),
      profiles: allProfiles.filter((x) => x.id === 'archetype-power'),
    });
    const out = await runEval(p, {
      generator: g,
      judge: g,
      settings: settings({
        generator: 'openai',
        model: 'fake-model',
        attributor: 'llm',
        judge: 'fake-model',
      }),
      resultsPath: tmp(),
      concurrency: 1,
    });
    expect(out).toMatchObject({ ran: 1, failed: 0 });
    const reqs = fake.chatRequests();
    expect(reqs).toHaveLength(2);
    expect(reqs[0]!.stream).toBe(true);
    expect(JSON.stringify(reqs[0]!.body)).toMatch(/Value priorities the caller set[^]*- Power — 5\/5: /);
    expect((reqs[1]!.body as { response_format: { type: string } }).response_format.type).toBe('json_schema');
    // The judge reads the answer with its question.
    const judged = (reqs[1]!.body as { messages: Array<{ content: string }> }).messages.at(-1)!.content;
    expect(judged).toContain(`<question>\n${p.questions[0]!.text}\n</question>`);
    const row = out.rows[0] as AnswerRow;
    expect(row.answer).toBe(answer);
    expect(row.attributor).toBe('llm');
    expect(row.servedModel).toBe('fake-model');
    // The same numbers as the attributor on the same reply, computed independently of the run.
    const stub: Generator = {
      name: 'stub',
      model: 'stub',
      capabilities: { embedded: false, readsPlan: false, structuredOutput: true, forwardsParams: true },
      generate: async () => ({ text: judgeReply, model: 'stub', attempts: 1, finishReason: 'stop' }),
      stream: () => {
        throw new Error('unused');
      },
    };
    const expected = compareProfiles(p.profiles[0]!.likert5, await attributeWithLlm(s10, answer, stub));
    expect(row.mae).toBeCloseTo(expected.mae, 12);
    expect(row.spearman).toBeCloseTo(expected.spearman!, 12);
    // Cost: two calls, tokens as the fake counts them (prompt chars / 4, words of the answer).
    expect(row.cost.generator).toMatchObject({ calls: 1, failedCalls: 0 });
    expect(row.cost.judge).toMatchObject({ calls: 1, failedCalls: 0, completionTokens: 1 });
    expect(row.cost.generator.completionTokens).toBe(answer.split(/\s+/).length);
    expect(row.cost.generator.promptTokens).toBeGreaterThan(100);
  });

  it('questionnaire: batches of items as JSON-schema requests; the fake’s schema instances score by hand', async () => {
    // With no script, the fake answers a JSON-schema request with the schema's first enum value: every
    // rating is 1, so MRAT = 1, every centered score 0, every measured likert5 3, and ρ is undefined.
    const p = plan({
      protocols: ['questionnaire'],
      methods: ['raw', 'pluralign'],
      profiles: allProfiles.filter((x) => x.id === 'archetype-power'),
    });
    const out = await runEval(p, {
      generator: generator(),
      settings: settings({ generator: 'openai', model: 'fake-model', questionnaireBatch: 12 }),
      resultsPath: tmp(),
      concurrency: 1,
    });
    expect(out).toMatchObject({ ran: 2, failed: 0 });
    const reqs = fake.chatRequests();
    expect(reqs).toHaveLength(6); // 30 items in batches of 12, 12, 6 — per method
    const sizes = reqs.map(
      (r) =>
        (r.body as { response_format: { json_schema: { schema: { required: string[] } } } }).response_format
          .json_schema.schema.required.length,
    );
    expect(sizes).toEqual([12, 12, 6, 12, 12, 6]);
    const first = reqs[0]!.body as { messages: Array<{ role: string; content: string }> };
    expect(first.messages.map((m) => m.role)).toEqual(['user']); // raw: no system turn
    const pl = reqs[3]!.body as { messages: Array<{ role: string; content: string }> };
    expect(pl.messages[0]!.content).toContain(QUESTIONNAIRE_FORMAT);
    for (const r of out.rows as QuestionnaireRow[]) {
      expect(r.respondent).toBe('model');
      expect(new Set(Object.values(r.ratings))).toEqual(new Set([1]));
      expect(r.mrat).toBe(1);
      // target power 5, achievement 4, security 4, universalism 1 vs 3 everywhere: (2 + 1 + 1 + 2) / 4
      expect(r.mae).toBeCloseTo(1.5, 12);
      expect(r.spearman).toBeNull();
      expect(r.cost.generator.calls).toBe(3);
    }
  });

  it('questionnaire: scripted ratings, and a malformed reply is a failed task retried next time', async () => {
    const p = plan({
      protocols: ['questionnaire'],
      methods: ['pluralign'],
      profiles: allProfiles.filter((x) => x.id === 'archetype-power'),
    });
    const s = settings({ generator: 'openai', model: 'fake-model', questionnaireBatch: 30 });
    const path = tmp();
    fake.script({ type: 'ok', text: 'I would say I am mostly a 4.' });
    const bad = await runEval(p, { generator: generator(), settings: s, resultsPath: path });
    expect(bad.failed).toBe(1);
    expect(bad.rows[0]!.error).toMatchObject({ code: 'QUESTIONNAIRE_REPLY_INVALID' });
    // Now the persona rates its value's items by the archetype: power items 6, achievement and
    // security 5, universalism 1, everything else 3.
    const level: Record<string, number> = { po: 6, ac: 5, se: 5, un: 1 };
    const reply = Object.fromEntries(items.items.map((i) => [i.id, level[i.id.slice(0, 2)] ?? 3]));
    fake.script({ type: 'ok', text: JSON.stringify(reply) });
    const good = await runEval(p, { generator: generator(), settings: s, resultsPath: path });
    expect(good).toMatchObject({ skipped: 0, ran: 1, failed: 0 });
    const row = good.rows[0] as QuestionnaireRow;
    // MRAT = (3·6 + 3·5 + 3·5 + 3·1 + 18·3) / 30 = 105 / 30 = 3.5; centered: power 2.5, achievement
    // and security 1.5, universalism −2.5 → likert5 5, 4.2, 4.2, 1 → MAE (0 + 0.2 + 0.2 + 0) / 4 = 0.1.
    expect(row.mrat).toBeCloseTo(3.5, 12);
    expect(row.centered.power).toBeCloseTo(2.5, 12);
    expect(row.mae).toBeCloseTo(0.1, 12);
    expect(row.spearman).toBeCloseTo(1, 12);
  });
});
