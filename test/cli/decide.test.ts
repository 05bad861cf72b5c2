/**
 * `pluralign decide` and `pluralign eval --task decisions` through the CLI's main(): output, exit codes,
 * messages naming the flag or file entry to fix.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/index.js';

let out: string[];
let err: string[];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
});
afterEach(() => vi.restoreAllMocks());

const dir = mkdtempSync(join(tmpdir(), 'pluralign-decide-'));
const LEMONADE = ['--scenario', 'One bottle of lemonade is left in the fridge you share with your flatmate.'];

describe('pluralign decide', () => {
  it('ranks the actions (JSON like POST /v1/decisions), the fair person shares', async () => {
    const code = await main([
      'decide',
      '--graph',
      'valuepilot-6',
      ...LEMONADE,
      '--action',
      'Drink it all without asking',
      '--action',
      'Pour two glasses and share it equally',
      '--target',
      '{"fairness": 5, "happiness": 2}',
      '--json',
    ]);
    expect(code).toBe(0);
    const r = JSON.parse(out.join('')) as { ranking: number[]; graph: { id: string }; method: string };
    expect(r.graph.id).toBe('valuepilot-6');
    expect(r.method).toBe('weighted-sum');
    expect(r.ranking).toEqual([1, 0]);
  });

  it('takes a whole request body with --request @file', async () => {
    const path = join(dir, 'req.json');
    writeFileSync(
      path,
      JSON.stringify({
        scenario: 'A free afternoon.',
        actions: ['Explore a part of town you have never seen', 'Stay in bed alone'],
        target: { format: 'likert5', values: { curiosity: 5 } },
        graph: 'valuepilot-6',
        method: 'promethee',
      }),
    );
    expect(await main(['decide', '--request', `@${path}`, '--json'])).toBe(0);
    const r = JSON.parse(out.join('')) as { ranking: number[]; method: string };
    expect(r.method).toBe('promethee');
    expect(r.ranking[0]).toBe(0);
  });

  it('one action or an unknown value → exit 3 with a message naming what to fix', async () => {
    expect(
      await main([
        'decide',
        '--graph',
        'valuepilot-6',
        ...LEMONADE,
        '--action',
        'a',
        '--target',
        '{"fairness":5}',
      ]),
    ).toBe(3);
    expect(err.join('\n')).toMatch(/--action: give at least 2 actions/);
    err = [];
    expect(
      await main([
        'decide',
        '--graph',
        'valuepilot-6',
        ...LEMONADE,
        '--action',
        'a',
        '--action',
        'b',
        '--target',
        '{"bravery":5}',
      ]),
    ).toBe(3);
    expect(err.join('\n')).toMatch(/bravery/);
  });
});

describe('pluralign eval --task decisions', () => {
  const scenarios = {
    graph: 'valuepilot-6',
    decisions: [
      {
        id: 'juice',
        scenario: 'One carton of juice is left in the shared fridge.',
        actions: [
          'Drink it all without asking',
          'Share it equally with your flatmate',
          'Try mixing it into a new drink',
        ],
        rankings: [
          { person: 'fair', target: { values: { fairness: 5, curiosity: 1 } }, ranking: [1, 2, 0] },
          { person: 'curious', target: { values: { curiosity: 5, fairness: 2 } }, ranking: [2, 1, 0] },
        ],
      },
      {
        id: 'weekend',
        scenario: 'A free Saturday.',
        actions: [
          'Explore a town you have never visited',
          'Stay in bed alone all day',
          'Help a friend move house',
        ],
        rankings: [
          { person: 'fair', target: { values: { fairness: 5, curiosity: 1 } }, ranking: [2, 0, 1] },
          { person: 'curious', target: { values: { curiosity: 5, fairness: 2 } }, ranking: [0, 2, 1] },
        ],
      },
    ],
  };

  it('reports Spearman, Kendall and top-1 with intervals for pluralign and both baselines, and writes report.json', async () => {
    const path = join(dir, 'scenarios.json');
    writeFileSync(path, JSON.stringify(scenarios));
    const o = join(dir, 'out');
    const code = await main([
      'eval',
      '--task',
      'decisions',
      '--scenarios',
      path,
      '--bootstrap',
      '200',
      '--out',
      o,
    ]);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/valuepilot-6 · embedded · weighted-sum · 2 decisions, 4 rankings/);
    for (const r of ['pluralign', 'equal-weights', 'consensus'])
      expect(text).toMatch(new RegExp(`${r}\\s+4\\s`));
    const report = JSON.parse(readFileSync(join(o, 'report.json'), 'utf8')) as {
      pairs: number;
      results: Record<string, { spearman: { estimate: number; lo: number | null; hi: number | null } }>;
    };
    expect(report.pairs).toBe(4);
    const s = report.results['pluralign']!.spearman;
    expect(s.estimate).toBeGreaterThanOrEqual(-1);
    expect(s.estimate).toBeLessThanOrEqual(1);
    expect(s.lo).not.toBeNull();
  });

  it('a ranking that is not a permutation of the actions → exit 3 naming the decision and person', async () => {
    const bad = structuredClone(scenarios);
    bad.decisions[0]!.rankings[1]!.ranking = [0, 0, 1];
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify(bad));
    expect(await main(['eval', '--task', 'decisions', '--scenarios', path])).toBe(3);
    expect(err.join('\n')).toMatch(
      /decision "juice", person "curious": ranking must list each of the 3 action indices/,
    );
  });

  it('an unknown task or method → usage error (exit 2)', async () => {
    expect(await main(['eval', '--task', 'choices'])).toBe(2);
    expect(await main(['eval', '--task', 'decisions', '--method', 'borda'])).toBe(2);
  });
});
