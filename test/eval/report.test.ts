/** The report's SVG bar chart (deterministic, no dependency) and its Markdown. */
import { describe, expect, it } from 'vitest';
import { runSettings } from './fixtures/settings.js';
import {
  barChart,
  niceStep,
  renderMarkdown,
  type BarChartSpec,
  type EvalReport,
} from '../../src/eval/index.js';

const spec: BarChartSpec = {
  title: 'MAE <by> profile & method',
  yLabel: 'MAE',
  series: ['raw', 'pluralign'],
  groups: [
    {
      label: 'overall',
      bars: [
        { series: 'raw', value: 1.5, lo: 1.2, hi: 1.8 },
        { series: 'pluralign', value: 0.5 },
      ],
    },
    {
      label: 'p1',
      bars: [
        { series: 'raw', value: -0.25 },
        { series: 'pluralign', value: null },
      ],
    },
  ],
};

describe('barChart', () => {
  it('is deterministic and well-formed', () => {
    const a = barChart(spec);
    expect(barChart(structuredClone(spec))).toBe(a);
    expect(a.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(a.trim().endsWith('</svg>')).toBe(true);
    // Tags nest properly (a small stack check instead of an XML parser).
    const stack: string[] = [];
    for (const m of a.matchAll(/<(\/?)([a-z]+)[^>]*?(\/?)>/g)) {
      if (m[3]) continue; // self-closing
      if (m[1]) expect(stack.pop()).toBe(m[2]);
      else stack.push(m[2]!);
    }
    expect(stack).toEqual([]);
  });

  it('draws one bar per value, a whisker for an interval, a dash for a missing value; escapes text', () => {
    const svg = barChart(spec);
    const bars =
      svg.match(/<rect x="[\d.]+" y="[\d.]+" width="12" height="[\d.]+" fill="#[0-9A-F]{6}"><title>/g) ?? [];
    expect(bars).toHaveLength(3);
    expect(svg).toContain('overall · raw: 1.500 [1.200, 1.800]');
    expect(svg).toContain('p1 · raw: -0.250');
    expect(svg).toMatch(/>–<\/text>/);
    expect(svg).toContain('MAE &lt;by&gt; profile &amp; method');
    expect(svg).not.toContain('<by>');
    // The axis covers the negative value and the whisker top: ticks at -0.5 … 2.
    expect(svg).toContain('>-0.5</text>');
    expect(svg).toContain('>2</text>');
  });

  it('nice tick steps', () => {
    expect(niceStep(2, 5)).toBe(0.5);
    expect(niceStep(10, 5)).toBe(2);
    expect(niceStep(0.07, 5)).toBeCloseTo(0.02, 12);
    expect(niceStep(0)).toBe(1);
  });
});

describe('renderMarkdown', () => {
  it('prints the overall table, the paired differences and failures', () => {
    const iv = (estimate: number | null, lo: number | null = null, hi: number | null = null) => ({
      estimate,
      lo,
      hi,
      level: 0.95,
      resamples: 10,
      undefinedResamples: 0,
    });
    const cell = {
      n: 4,
      errors: 1,
      mae: iv(0.5, 0.4, 0.6),
      spearman: { ...iv(0.8, 0.7, 0.9), n: 3 },
      degenerate: [],
    };
    const rep: EvalReport = {
      title: 'run',
      kind: 'measurement',
      generatedAt: 'x',
      settings: runSettings({
        generator: 'openai',
        model: 'm',
        attributor: 'llm',
        scoring: 'direct',
        judge: 'j',
      }),

      methods: ['value-prompt', 'pluralign'],
      profiles: [{ id: 'p1', label: 'P1', group: null, target: { power: 5 } }],
      questions: 2,
      items: null,
      statistics: {
        interval: 'percentile bootstrap',
        resamples: 10,
        level: 0.95,
        seed: 7,
        resampled: 'questions',
      },
      tasks: { total: 5, succeeded: 4, failed: 1, missing: 0 },
      answers: {
        overall: { 'value-prompt': cell, pluralign: cell },
        byGroup: {},
        byProfile: { p1: { 'value-prompt': cell, pluralign: cell } },
        paired: {
          reference: 'value-prompt',
          methods: {
            pluralign: {
              pairs: 2,
              mae: iv(-0.25, -0.5, 0),
              spearman: { ...iv(0.1, 0, 0.2), n: 2 },
              degenerate: [],
            },
          },
        },
      },
      questionnaire: null,
      cost: {
        recorded: {
          generator: { calls: 3, failedCalls: 1, promptTokens: 1200, completionTokens: 300 },
          judge: { calls: 2, failedCalls: 0, promptTokens: 10, completionTokens: 5 },
        },
        thisRun: null,
      },
      errors: [{ key: 'answers|pluralign|p1|q2', code: 'UPSTREAM_TIMEOUT', message: 'deadline' }],
      degenerateIntervals: [],
      notes: [],
    };
    const md = renderMarkdown(rep, []);
    expect(md).toContain('| pluralign | 4 | 0.500 [0.40, 0.60] | 0.800 [0.70, 0.90] | 3 | 1 |');
    expect(md).toContain('| pluralign | 2 | -0.250 [-0.500, 0.000] | +0.100 [0.000, +0.200] |');
    expect(md).toContain(
      'generator 3 calls (+1 failed), 1,200 prompt + 300 completion tokens; judge 2 calls',
    );
    expect(md).toContain('`answers|pluralign|p1|q2`: UPSTREAM_TIMEOUT: deadline');
    expect(md).toContain('LLM judge (`j`, sees the question)');
  });
});
