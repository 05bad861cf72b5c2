/**
 * The attributor recovers planted profiles from texts built from a graph's concept phrases, and its
 * posterior narrows as evidence grows (issue 5, "Done when").
 *
 * A planted likert profile becomes a text (helpers.profileText): a value at level ℓ ≥ 3 is expressed
 * through ℓ − 2 of its single-parent concepts, (ℓ − 2)² mentions in all (level 3: one mention; 4: two
 * concepts, four mentions; 5: three concepts, nine mentions); values at 2 ("absent") get none; ten
 * neutral sentences make the text long enough (≥ 100 words) for absence to count.
 */
import { describe, expect, it } from 'vitest';
import { attributeText, compareProfiles, spearman, type Attribution } from '../../src/attribution/index.js';
import {
  graph,
  filler,
  mulberry32,
  plantedText,
  profileText,
  shuffle,
  singleParentConcepts,
} from './helpers.js';

const likert = (a: Attribution, value: string) => a.values.find((v) => v.value === value)!.likert5;
const sdOf = (a: Attribution, value: string) => a.values.find((v) => v.value === value)!.sd;
const meanOf = (a: Attribution, value: string) => a.values.find((v) => v.value === value)!.mean;

/** A random planted profile: a fifth of the values each at 5, 4 and 3, the rest at 2. */
function randomProfile(values: readonly string[], rand: () => number): Record<string, number> {
  const k = Math.max(1, Math.round(values.length / 5));
  const levels = [...Array<number>(k).fill(5), ...Array<number>(k).fill(4), ...Array<number>(k).fill(3)];
  return Object.fromEntries(shuffle(values, rand).map((v, i) => [v, levels[i] ?? 2]));
}

function recovery(graphId: string, seed: number, runs: number) {
  const entry = graph(graphId);
  const values = entry.file.nodes.filter((n) => n.kind === 'value').map((n) => n.id);
  const rand = mulberry32(seed);
  const results = Array.from({ length: runs }, () => {
    const profile = randomProfile(values, rand);
    const a = attributeText(entry, profileText(entry, profile));
    const cmp = compareProfiles(profile, a);
    const top = values.reduce((best, v) => (likert(a, v) > likert(a, best) ? v : best));
    return { profile, a, cmp, top };
  });
  const rhos = results.map((r) => r.cmp.spearman!);
  return {
    results,
    minRho: Math.min(...rhos),
    meanRho: rhos.reduce((s, x) => s + x, 0) / rhos.length,
    meanMae: results.reduce((s, r) => s + r.cmp.mae, 0) / results.length,
  };
}

describe('planted profile recovery', () => {
  it('schwartz-10: a hand-picked profile (self-transcendence high) comes back in order', () => {
    const g = graph('schwartz-10');
    const profile = {
      benevolence: 5,
      universalism: 5,
      self_direction: 4,
      security: 3,
      stimulation: 2,
      hedonism: 2,
      achievement: 2,
      power: 2,
      conformity: 2,
      tradition: 2,
    };
    const a = attributeText(g, profileText(g, profile));
    const ranked = [...a.values].sort((x, y) => y.likert5 - x.likert5).map((v) => v.value);
    expect(ranked.slice(0, 2).sort()).toEqual(['benevolence', 'universalism']);
    expect(ranked[2]).toBe('self_direction');
    expect(ranked[3]).toBe('security');
    // The circle opposites of benevolence and universalism come last.
    expect(ranked.slice(-2).sort()).toEqual(['achievement', 'power']);
    expect(likert(a, 'benevolence')).toBeGreaterThanOrEqual(4);
    expect(likert(a, 'universalism')).toBeGreaterThanOrEqual(4);
    const cmp = compareProfiles(profile, a);
    expect(cmp.spearman).toBeGreaterThanOrEqual(0.8);
    expect(cmp.mae).toBeLessThanOrEqual(0.5);
  });

  // Ties: every planted-2 value gets no phrase, so their attributed order is the model's, not the
  // plan's, and ρ = 1 is out of reach. The thresholds sit below what the seeded profiles reach
  // (schwartz-10: ρ min 0.76, mean 0.93, MAE 0.32; mft-6: 0.94, 0.95, 0.25; schwartz-19: 0.86, 0.91,
  // 0.39), so they flag a regression, not noise.
  it('schwartz-10: 30 random profiles: ρ ≥ 0.7 each, ≥ 0.88 on average; top values recovered', () => {
    const r = recovery('schwartz-10', 20261126, 30);
    expect(r.minRho).toBeGreaterThanOrEqual(0.7);
    expect(r.meanRho).toBeGreaterThanOrEqual(0.88);
    expect(r.meanMae).toBeLessThanOrEqual(0.4);
    expectTopRecovered(r.results, 0.9);
  });

  it('mft-6: 30 random profiles: ρ ≥ 0.85 each, ≥ 0.9 on average; top values recovered', () => {
    const r = recovery('mft-6', 7, 30);
    expect(r.minRho).toBeGreaterThanOrEqual(0.85);
    expect(r.meanRho).toBeGreaterThanOrEqual(0.9);
    expect(r.meanMae).toBeLessThanOrEqual(0.35);
    expectTopRecovered(r.results, 0.9);
  });

  it('schwartz-19: 20 random profiles: ρ ≥ 0.75 each, ≥ 0.85 on average; top values recovered', () => {
    const r = recovery('schwartz-19', 19, 20);
    expect(r.minRho).toBeGreaterThanOrEqual(0.75);
    expect(r.meanRho).toBeGreaterThanOrEqual(0.85);
    expect(r.meanMae).toBeLessThanOrEqual(0.45);
    expectTopRecovered(r.results, 0.85);
  });
});

/**
 * In every profile the attributed top value was planted at 4 or 5 and every planted 4–5 value reads
 * above every planted 2; in at least `share` of them the top value was planted at 5. (A 4 can win
 * when it sits between two planted 5s on the circle: tradition 5, power 5 lifts security.)
 */
function expectTopRecovered(results: ReturnType<typeof recovery>['results'], share: number) {
  let exact = 0;
  for (const { profile, top, a } of results) {
    expect(profile[top], JSON.stringify(profile)).toBeGreaterThanOrEqual(4);
    if (profile[top] === 5) exact++;
    const high = Object.keys(profile).filter((v) => profile[v]! >= 4);
    const low = Object.keys(profile).filter((v) => profile[v] === 2);
    expect(Math.min(...high.map((v) => likert(a, v)))).toBeGreaterThan(
      Math.max(...low.map((v) => likert(a, v))),
    );
  }
  expect(exact / results.length).toBeGreaterThanOrEqual(share);
}

describe('the posterior narrows as evidence grows', () => {
  /** Texts with the first k single-parent concepts of each planted value, each mentioned once. */
  function sequence(graphId: string, planted: string[], withFiller: boolean) {
    const entry = graph(graphId);
    const pools = planted.map((v) => singleParentConcepts(entry, v));
    const kMax = Math.min(...pools.map((p) => p.length));
    const texts: Attribution[] = [];
    for (let k = withFiller ? 1 : 0; k <= kMax; k++) {
      const counts = new Map(pools.flatMap((p) => p.slice(0, k).map((c) => [c, 1] as const)));
      texts.push(
        attributeText(entry, withFiller ? plantedText(entry, counts, 10) : plantedText(entry, counts, 0)),
      );
    }
    return texts;
  }

  const cases: Array<[string, string[]]> = [
    ['schwartz-10', ['benevolence', 'universalism']],
    ['schwartz-10', ['power', 'achievement']],
    ['mft-6', ['care', 'loyalty']],
  ];

  it.each(cases)('%s %j: sd falls, mean rises, with every added concept (long texts)', (id, planted) => {
    const texts = sequence(id, planted, true);
    expect(texts.length).toBeGreaterThanOrEqual(3);
    for (const v of planted) {
      for (let i = 1; i < texts.length; i++) {
        expect(sdOf(texts[i]!, v), `${v} step ${i}`).toBeLessThan(sdOf(texts[i - 1]!, v));
        expect(meanOf(texts[i]!, v), `${v} step ${i}`).toBeGreaterThan(meanOf(texts[i - 1]!, v));
      }
    }
  });

  it.each(cases)('%s %j: from the prior of an empty text down, without filler', (id, planted) => {
    const texts = sequence(id, planted, false);
    expect(texts[0]!.words).toBe(0);
    for (const v of planted) {
      for (let i = 1; i < texts.length; i++) {
        expect(sdOf(texts[i]!, v), `${v} step ${i}`).toBeLessThan(sdOf(texts[i - 1]!, v));
      }
    }
  });

  it('repeating the same concept raises the level but not the certainty', () => {
    const g = graph('schwartz-10');
    const once = attributeText(g, plantedText(g, new Map([['be_helpful', 1]]), 10));
    const thrice = attributeText(g, plantedText(g, new Map([['be_helpful', 3]]), 10));
    expect(likert(thrice, 'benevolence')).toBeGreaterThan(likert(once, 'benevolence'));
    expect(sdOf(thrice, 'benevolence')).toBeCloseTo(sdOf(once, 'benevolence'), 9);
  });

  it('a long silent text is a confident "absent"; the first mention replaces it with a wider reading', () => {
    // Documented choice (evidence.ts): the absence reading of a ≥ 100-word text (sd 0.4 prior sds) is
    // stronger than one concept mention, so the sd goes up at the first mention, then down again.
    const g = graph('schwartz-10');
    const silent = attributeText(g, filler(10));
    const one = attributeText(g, plantedText(g, new Map([['be_helpful', 1]]), 10));
    expect(sdOf(one, 'benevolence')).toBeGreaterThan(sdOf(silent, 'benevolence'));
    expect(likert(one, 'benevolence')).toBeGreaterThan(likert(silent, 'benevolence') + 1);
  });

  it('spearman of the sequence levels agrees with the number of concepts used', () => {
    // A compact restatement of the narrowing: over the long-text sequence the mean of a planted value
    // is a perfectly increasing function of the evidence (ρ = 1) and its sd a decreasing one (ρ = −1).
    const texts = sequence('schwartz-10', ['benevolence'], true);
    const k = texts.map((_, i) => i + 1);
    expect(
      spearman(
        k,
        texts.map((t) => meanOf(t, 'benevolence')),
      ),
    ).toBeCloseTo(1, 12);
    expect(
      spearman(
        k,
        texts.map((t) => sdOf(t, 'benevolence')),
      ),
    ).toBeCloseTo(-1, 12);
  });
});
