import { describe, expect, it } from 'vitest';
import { parseDetectorArtefact } from '../../../src/attribution/learned/artefact.js';
import { detectLabels } from '../../../src/attribution/learned/detect.js';
import { bestThreshold, fitPlatt, sigmoid } from '../../../src/attribution/learned/train.js';
import { fitSynthetic } from './synthetic.js';

describe('training the learned detector on synthetic data', () => {
  const result = fitSynthetic();
  const model = parseDetectorArtefact(result.artefact);

  it('learns the signal words: cross-validated and held-out macro F1 far above always-present', () => {
    // Measured: CV 0.72 / 0.79 (values / categories), held out 0.79 / 0.82, always-present 0.45.
    expect(result.crossValidation.valueMacroF1).toBeGreaterThan(0.6);
    expect(result.crossValidation.categoryMacroF1).toBeGreaterThan(0.65);
    expect(result.heldOut!.valueMacroF1).toBeGreaterThan(0.7);
    expect(result.alwaysPresent.heldOut!.valueMacroF1).toBeLessThan(0.5);
    expect(result.crossValidation.perLabel).toHaveLength(5);
  });

  it('is deterministic: training twice gives the same artefact, byte for byte', () => {
    expect(JSON.stringify(fitSynthetic().artefact)).toBe(JSON.stringify(result.artefact));
  });

  it('gives calibrated probabilities, decisions by the learned thresholds, and the words that drove them', () => {
    const text = 'The plan needs a fearless brave hero for the city.';
    const d = detectLabels(model, text);
    const brave = d.labels.find((l) => l.name === 'Be brave')!;
    const thrifty = d.labels.find((l) => l.name === 'Be thrifty')!;
    expect(brave.present).toBe(true);
    expect(brave.probability).toBeGreaterThan(0.5);
    expect(thrifty.present).toBe(false);
    expect(thrifty.probability).toBeLessThan(brave.probability);
    expect(brave.spans.map((s) => s.text)).toContain('fearless');
    for (const s of brave.spans) expect(text.slice(s.start, s.end)).toBe(s.text);
    expect(brave.spans[0]!.weight).toBeGreaterThan(0);
    // Hierarchical consistency: a category is at least as likely as its most likely value.
    const courage = d.labels.find((l) => l.name === 'Courage')!;
    expect(courage.probability).toBeGreaterThanOrEqual(brave.probability);
    expect(courage.present).toBe(true);
  });

  it('reads negation scope and the lexicon as features', () => {
    expect(model.vocabulary.has('n:fearless') || model.vocabulary.has('w:fearless')).toBe(true);
    expect(model.vocabulary.has('l:Be brave')).toBe(true);
    expect(model.vocabulary.has('g:Courage')).toBe(true);
  });

  it('refuses data whose labels are not the taxonomy', () => {
    expect(() => fitSynthetic({ train: [{ text: 'x', group: 'a', labels: ['Be unknown'] }] })).toThrow(
      /"Be unknown" is not one of the 5 labels/,
    );
  });
});

describe('calibration helpers', () => {
  it('Platt scaling recovers a logistic link', () => {
    const scores: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 400; i++) {
      const s = (i - 200) / 50;
      scores.push(s);
      // P(y = 1 | s) = σ(2s − 1), realised deterministically by quantiles.
      labels.push((i * 0.618) % 1 < sigmoid(2 * s - 1) ? 1 : 0);
    }
    const { a, b } = fitPlatt(scores, labels);
    expect(a).toBeGreaterThan(1.4);
    expect(a).toBeLessThan(2.8);
    expect(b).toBeLessThan(-0.5);
    expect(b).toBeGreaterThan(-1.6);
  });

  it('the F1-optimal threshold separates separable probabilities', () => {
    const { threshold, f1 } = bestThreshold([0.1, 0.2, 0.3, 0.7, 0.8], [0, 0, 0, 1, 1]);
    expect(f1).toBe(1);
    expect(threshold).toBeGreaterThan(0.3);
    expect(threshold).toBeLessThanOrEqual(0.7);
  });
});
