/** `pluralign eval` end to end through the CLI: offline, resume, report-only, the fake upstream, usage errors. */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/commands/eval.js';
import { main } from '../../src/cli/index.js';
import { startFakeOpenAI, type FakeOpenAI } from '../fixtures/fake-openai.js';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const SMALL = [
  '--max-questions',
  '2',
  '--only-profiles',
  'human-cluster-1,archetype-power',
  '--bootstrap',
  '200',
];
const dir = () => mkdtempSync(join(tmpdir(), 'pluralign-eval-cli-'));

describe('pluralign eval (offline)', () => {
  it('runs, writes the report, and a rerun resumes with nothing left to do', async () => {
    const o = dir();
    expect(await main(['eval', ...SMALL, '--generator', 'template', '--out', o])).toBe(0);
    for (const f of [
      'results.jsonl',
      'report.json',
      'report.md',
      'answers-mae.svg',
      'answers-spearman.svg',
      'questionnaire-mae.svg',
      'questionnaire-spearman.svg',
    ])
      expect(existsSync(join(o, f)), f).toBe(true);
    const text = out.join('\n');
    expect(text).toMatch(/answers:\n\s+method/);
    expect(text).toMatch(/pluralign\+refine\s+4\s/);
    expect(text).toMatch(/tasks: 26 run now, 0 already done, 0 failed, 0 left \(of 26\)/);
    expect(text).toMatch(/cost of this run: no upstream calls/);
    expect(err.join('')).toMatch(/eval: 26\/26 \(100%\)/); // plain progress lines (not a TTY)
    const report = JSON.parse(readFileSync(join(o, 'report.json'), 'utf8'));
    expect(report.tasks).toEqual({ total: 26, succeeded: 26, failed: 0, missing: 0 });
    // Offline: a self-check, scored without the SCM by default.
    expect(report.kind).toBe('pipeline self-check');
    expect(report.settings.scoring).toBe('direct');
    expect(readFileSync(join(o, 'report.md'), 'utf8')).toMatch(/^# Pipeline self-check — /);
    expect(Object.keys(report.answers.overall)).toEqual([
      'raw',
      'value-prompt',
      'pluralign',
      'pluralign+refine',
      'rewrite',
    ]);
    expect(Object.keys(report.questionnaire.overall)).toEqual(['raw', 'value-prompt', 'pluralign']);

    out = [];
    expect(await main(['eval', ...SMALL, '--generator', 'template', '--out', o, '--quiet'])).toBe(0);
    expect(out.join('\n')).toMatch(/tasks: 0 run now, 26 already done/);
    const lines = readFileSync(join(o, 'results.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(27);

    out = [];
    expect(await main(['eval', ...SMALL, '--generator', 'template', '--out', o, '--report-only'])).toBe(0);
    expect(out.join('\n')).toMatch(/cost of this run: none \(report only\)/);
    // The same results give the same report numbers.
    expect(JSON.parse(readFileSync(join(o, 'report.json'), 'utf8')).answers).toEqual(report.answers);

    // --fresh starts over.
    out = [];
    expect(
      await main([
        'eval',
        ...SMALL,
        '--generator',
        'template',
        '--out',
        o,
        '--fresh',
        '--quiet',
        '--protocols',
        'questionnaire',
      ]),
    ).toBe(0);
    expect(out.join('\n')).toMatch(/tasks: 6 run now, 0 already done/);
  });

  it('usage and input errors', async () => {
    expect(await main(['eval', '--methods', 'raw,cot'])).toBe(2);
    expect(err.join('\n')).toMatch(
      /--methods: unknown cot; use raw, value-prompt, pluralign, pluralign\+refine/,
    );
    await expect(run(['--generator', 'template', '--attributor', 'llm'], {})).rejects.toThrow(
      /needs a judge endpoint/,
    );
    await expect(run(['--generator', 'openai'], {})).rejects.toThrow(
      /--generator openai is not available: set OPENAI_BASE_URL/,
    );
    expect(await main(['eval', '--only-profiles', 'nope', '--generator', 'template'])).toBe(2);
    expect(await main(['eval', '--questions', '/nonexistent.json', '--generator', 'template'])).toBe(3);
    expect(err.join('\n')).toMatch(/cannot read the questions file \/nonexistent\.json/);
    expect(await main(['eval', '--report-only', '--out', dir(), '--generator', 'template'])).toBe(3);
  });
});

describe('pluralign eval against the fake upstream', () => {
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(() => fake.close());

  it('openai generator + LLM judge on a separate endpoint: every call counted, the report written', async () => {
    const judge = await startFakeOpenAI();
    try {
      const o = dir();
      const env = {
        OPENAI_BASE_URL: fake.url,
        OPENAI_MODEL: 'fake-model',
        JUDGE_MODEL: 'judge-model',
        UPSTREAM_MAX_ATTEMPTS: '1',
      };
      const code = await run(
        [
          ...SMALL,
          '--attributor',
          'llm',
          '--judge-base-url',
          judge.url,
          '--out',
          o,
          '--quiet',
          '--concurrency',
          '3',
        ],
        env,
      );
      expect(code).toBe(0);
      // Answers: 2 questions × 2 profiles × (raw, value-prompt, pluralign: 1 call; refine: up to 3
      // answers + 3 self-verifications; rewrite: draft + rewrite), questionnaire: 2 profiles × 3
      // methods × 3 batches of 10.
      const genCalls = fake.chatRequests().length;
      const judgeCalls = judge.chatRequests().length;
      expect(judgeCalls).toBe(20); // one rating per answer, on the judge's endpoint only
      expect(judge.chatRequests().every((r) => (r.body as { model: string }).model === 'judge-model')).toBe(
        true,
      );
      expect(genCalls).toBeGreaterThanOrEqual(4 * 3 + 4 * 2 + 4 * 2 + 18);
      const report = JSON.parse(readFileSync(join(o, 'report.json'), 'utf8'));
      expect(report.settings).toMatchObject({
        generator: 'openai',
        model: 'fake-model',
        attributor: 'llm',
        judge: 'judge-model',
      });
      expect(report.cost.recorded.generator.calls).toBe(genCalls);
      expect(report.cost.recorded.judge.calls).toBe(judgeCalls);
      expect(report.cost.recorded.judge.promptTokens).toBeGreaterThan(0);
      expect(out.join('\n')).toMatch(
        new RegExp(
          `cost of this run: generator ${genCalls} calls, [\\d,]+ prompt \\+ [\\d,]+ completion tokens; judge 20 calls`,
        ),
      );
      expect(report.questionnaire.overall.pluralign.mae.estimate).toBeGreaterThan(0);
      expect(report.kind).toBe('measurement');
    } finally {
      await judge.close();
    }
  });

  it('an upstream outage fails tasks (exit 1) and the rerun retries only those', async () => {
    const o = dir();
    const env = {
      OPENAI_BASE_URL: fake.url,
      OPENAI_MODEL: 'fake-model',
      UPSTREAM_MAX_ATTEMPTS: '1',
      UPSTREAM_BREAKER_THRESHOLD: '0',
    };
    fake.reset();
    fake.script({ type: 'status', status: 500 }, { type: 'status', status: 500 });
    const args = [
      '--max-questions',
      '2',
      '--only-profiles',
      'archetype-power',
      '--methods',
      'raw',
      '--protocols',
      'answers',
      '--out',
      o,
      '--quiet',
      '--concurrency',
      '1',
    ];
    expect(await run(args, env)).toBe(1);
    expect(out.join('\n')).toMatch(/tasks: 2 run now, 0 already done, 2 failed/);
    const report = JSON.parse(readFileSync(join(o, 'report.json'), 'utf8'));
    expect(report.errors.map((e: { code: string }) => e.code)).toEqual(['UPSTREAM_ERROR', 'UPSTREAM_ERROR']);
    out = [];
    expect(await run(args, env)).toBe(0);
    expect(out.join('\n')).toMatch(/tasks: 2 run now, 0 already done, 0 failed/);
  });
});
