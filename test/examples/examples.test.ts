/**
 * The examples in examples/ run as processes (tsx) against a live server on 127.0.0.1 with the
 * embedded template generator: the survey simulation (five human-cluster personas × three questions
 * through POST /v1/align with verification) and the OpenAI SDK backend (POST /v1/chat/completions with
 * a value_profile, plain and streamed).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_GRAPHS, ROOT, startLive, type Live } from '../http/helpers.js';

const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const run = (file: string, args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)(TSX, [join(ROOT, 'examples', file), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { ...process.env, ...env },
  });

describe('examples/ against a live server (template generator)', () => {
  let live: Live;
  beforeAll(async () => {
    live = await startLive({ GRAPHS_DIR: BUNDLED_GRAPHS });
  });
  afterAll(() => live?.close());

  it('survey-simulation: five personas × three questions, a stance and an MAE each', async () => {
    const { stdout } = await run('survey-simulation.ts', [live.url, '--json']);
    const out = JSON.parse(stdout) as {
      generator: string;
      questions: string[];
      rows: Array<{ persona: string; question: number; stance: string; mae: number }>;
    };
    expect(out.generator).toMatch(/^template /);
    expect(out.questions).toHaveLength(3);
    expect(out.rows).toHaveLength(15);
    expect([...new Set(out.rows.map((r) => r.persona))]).toEqual(
      [1, 2, 3, 4, 5].map((i) => `human:cluster-${i}`),
    );
    for (const r of out.rows) {
      expect(r.stance).toMatch(/^(yes|no|neutral|depends|it depends|mixed)/i);
      expect(r.mae).toBeGreaterThanOrEqual(0);
      expect(r.mae).toBeLessThan(4);
    }
  }, 60_000);

  it('survey-simulation: the table, with the base URL from PLURALIGN_URL', async () => {
    const { stdout } = await run('survey-simulation.ts', [], { PLURALIGN_URL: live.url });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Q1: /);
    expect(stdout).toMatch(/^persona\s+Q1\s+Q2\s+Q3\s+mean MAE$/m);
    const body = lines.filter((l) => l.startsWith('human:cluster-'));
    expect(body).toHaveLength(5);
    for (const l of body) expect(l).toMatch(/\(MAE \d\.\d\d\).*\s\d\.\d\d$/);
  }, 60_000);

  it('openai-sdk: a chat completion steered by value_profile, plain and streamed', async () => {
    const plain = await run('openai-sdk.ts', [live.url, 'Should I lend money to my brother?']);
    expect(plain.stdout).toMatch(/^Stance: /);
    expect(plain.stdout).toMatch(/— model pluralign-template-1, served by pluralign-template-1, finish stop/);
    const streamed = await run('openai-sdk.ts', [live.url, 'Should I lend money to my brother?', '--stream']);
    expect(streamed.stdout).toMatch(/^Stance: /);
    // Same profile, same question, deterministic template: the same text either way.
    expect(plain.stdout.startsWith(streamed.stdout.trimEnd())).toBe(true);
  }, 60_000);

  it('exit 1 with a message saying what to check when the server is not there', async () => {
    await expect(run('survey-simulation.ts', ['http://127.0.0.1:9'])).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is pluralign running at http:\/\/127\.0\.0\.1:9\?/),
    });
  }, 30_000);
});
