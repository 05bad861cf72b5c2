/**
 * A loose guard on speed (the numbers in the report come from a quiet machine: ~0.1 ms to detect and
 * ~0.15–0.3 ms to attribute a 300-word text, ~0.7 ms when its set of observed nodes is new). The bounds
 * here are 10–20× looser so a loaded CI machine does not fail them; they catch an accidental
 * per-call recompilation or a quadratic scan, not a few percent.
 */
import { describe, expect, it } from 'vitest';
import { attributeText, detectConcepts } from '../../src/attribution/index.js';
import { graph } from './helpers.js';

const PARAGRAPH =
  'When you think about your career, it helps to be honest about what you want in life. Some people are ambitious and want success, a promotion and a good salary; others care more about family, friends and a sense of belonging in their community. If you value independence, you might choose your own path, take a risk and enjoy the adventure. If you value security, a stable income, savings and an emergency fund will give you peace of mind. Whatever you decide, treat people with kindness, follow the rules where they protect others, and stay curious: keep learning and explore different perspectives.';

function words300(): string {
  const words: string[] = [];
  while (words.length < 300) words.push(...PARAGRAPH.split(/\s+/));
  return words.slice(0, 300).join(' ');
}

function averageMs(f: () => unknown, runs: number): number {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) f();
  return (performance.now() - t0) / runs;
}

describe('speed (schwartz-10, 300 words)', () => {
  const g = graph('schwartz-10');
  const text = words300();

  it('detects concepts in well under a millisecond', () => {
    expect(detectConcepts(g, text).words).toBe(300);
    expect(averageMs(() => detectConcepts(g, text), 200)).toBeLessThan(2);
  });

  it('attributes a text in a few milliseconds at most', () => {
    expect(averageMs(() => attributeText(g, text), 200)).toBeLessThan(5);
  });
});
