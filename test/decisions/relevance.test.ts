/**
 * Action → values, embedded (src/decisions/relevance.ts): the learned detector, phrases, negation and
 * contra cues as concept evidence, the SCM posterior as standardised relevance with its sd.
 */
import { describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { embeddedRelevance, relevanceFromEvidence } from '../../src/decisions/relevance.js';

const graphs = loadGraphDir();
const vp = graphs.get('valuepilot-6')!;
const SCENARIO =
  'Your neighbour is carrying heavy boxes up the stairs while you are on your way out to the park.';

const rel = (r: { values: Array<{ value: string; mean: number; sd: number }> }, v: string) =>
  r.values.find((x) => x.value === v)!;

describe('embeddedRelevance', () => {
  const [help, refuse, explore, run] = embeddedRelevance(vp, SCENARIO, [
    'Offer to help carry the boxes together',
    'Refuse to help and walk away',
    'Explore a part of the park you have never seen',
    'Go for a run in the park',
  ]);

  it('an action for a value gets positive relevance, with a posterior sd below the prior', () => {
    expect(rel(help!, 'intimacy').mean).toBeGreaterThan(0.3);
    expect(rel(help!, 'intimacy').sd).toBeLessThan(1);
    expect(rel(explore!, 'curiosity').mean).toBeGreaterThan(0.3);
    expect(rel(run!, 'energy').mean).toBeGreaterThan(0.3);
  });

  it('an action against a value (contra cue) gets negative relevance, and the cue is reported', () => {
    expect(rel(refuse!, 'intimacy').mean).toBeLessThan(-0.25);
    const helpful = refuse!.concepts.find((c) => c.label === 'Be helpful')!;
    expect(helpful.evidence).toBeLessThan(0);
    expect(helpful.sources.map((s) => s.kind)).toContain('contra');
  });

  it('a concept phrase negated in the action counts against its value', () => {
    const [r] = embeddedRelevance(vp, SCENARIO, ['Do not share anything with them']);
    const just = r!.concepts.find((c) => c.label === 'Be just')!;
    expect(just.evidence).toBeLessThan(0);
    expect(just.sources.some((s) => s.kind === 'negated')).toBe(true);
    expect(rel(r!, 'fairness').mean).toBeLessThan(0);
  });

  it('reads other graphs: mft-6 through the detector’s MFT map, schwartz-10 by label', () => {
    const [cheat] = embeddedRelevance(graphs.get('mft-6')!, 'A card game with friends.', [
      'Cheat when nobody is looking',
    ]);
    expect(rel(cheat!, 'fairness').mean).toBeLessThan(0);
    const [share] = embeddedRelevance(graphs.get('schwartz-10')!, 'Dinner with friends.', [
      'Split the bill fairly',
    ]);
    expect(rel(share!, 'universalism').mean).toBeGreaterThan(0);
  });
});

describe('relevanceFromEvidence', () => {
  it('no evidence → 0 relevance at the prior sd (1) for every value', () => {
    const r = relevanceFromEvidence(vp, new Map());
    expect(r).toHaveLength(6);
    for (const v of r) expect(v).toMatchObject({ mean: 0, sd: 1 });
  });
  it('evidence for a concept raises its value most, and its circle neighbours through the latents', () => {
    const r = relevanceFromEvidence(vp, new Map([['be_curious', 1]]));
    const by = new Map(r.map((v) => [v.value, v.mean]));
    expect(by.get('curiosity')).toBeGreaterThan(by.get('energy')!);
    expect(by.get('energy')).toBeGreaterThan(0);
    expect(by.get('safety')).toBeLessThan(0); // openness ↔ safety
    // Evidence against is the mirror image (linear-Gaussian posterior).
    const neg = relevanceFromEvidence(vp, new Map([['be_curious', -1]]));
    expect(neg.find((v) => v.value === 'curiosity')!.mean).toBeCloseTo(-by.get('curiosity')!, 3);
  });
});
