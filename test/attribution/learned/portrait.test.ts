import { describe, expect, it } from 'vitest';
import { artefactChecksum, parseDetectorArtefact } from '../../../src/attribution/learned/artefact.js';
import { attributeLearned } from '../../../src/attribution/learned/attribute.js';
import {
  applyPortrait,
  choosePortrait,
  crossValidatePortrait,
  fitPortrait,
  graphPooling,
  PORTRAIT_BETA_GRID,
  scorePortrait,
  type PortraitRow,
  type PortraitSetup,
} from '../../../src/attribution/learned/portrait.js';
import { valueDetector } from '../../../src/attribution/learned/registry.js';
import { spearman } from '../../../src/attribution/verification.js';
import { mulberry32 } from '../../bench/graphs.js';
import { loadGraphDir } from '../../../src/graphs/registry.js';

const VALUES = ['a', 'b', 'c'];
/** Three detector labels: a category pooled onto a, a level-1 label onto a, one onto c. */
const LABELS = {
  names: ['A', 'a1', 'c1'],
  pool: [
    [1, 1, 0],
    [0, 0, 0],
    [0, 0, 1],
  ],
};
const EMPTY = { learned: [3, 3, 3], phrases: [3, 3, 3], probabilities: [0.2, 0.2, 0.2] };
const SETUP: PortraitSetup = { values: VALUES, labels: LABELS, empty: EMPTY };

/**
 * 40 prompts × 5 responses. The truth of a and b moves with a hidden signal s (b follows a); c is
 * noise. The posterior levels see s on a only (noisily), nothing on b or c; the label probabilities
 * see s through the category and level-1 label of a (`probabilityGain`, default 0: noise only); the
 * dev mean ordering is c > b > a.
 */
function rows(seed: number, probabilityGain = 0, posteriorGain = 1): PortraitRow[] {
  const random = mulberry32(seed);
  const noise = () => random() - 0.5;
  const out: PortraitRow[] = [];
  for (let g = 0; g < 40; g++) {
    for (let k = 0; k < 5; k++) {
      const s = noise();
      out.push({
        group: g,
        truth: [-0.1 + 0.2 * s + 0.02 * noise(), 0.2 * s + 0.02 * noise(), 0.1 + 0.05 * noise()],
        learned: [3 + posteriorGain * s + 0.3 * noise(), 3 + 0.3 * noise(), 3 + 0.3 * noise()],
        phrases: [3 + 0.5 * posteriorGain * s + 0.1 * noise(), 3 + 0.1 * noise(), 3 + 0.1 * noise()],
        probabilities: [
          0.4 + probabilityGain * s + 0.1 * noise(),
          0.4 + probabilityGain * s + 0.1 * noise(),
          0.4 + 0.1 * noise(),
        ],
      });
    }
  }
  return out;
}

const BOTH = { posterior: 1, probabilities: 1 };

describe('the endorsement mapping (Value Portrait calibration)', () => {
  const data = rows(7);

  it('a text that says nothing gets exactly the dev mean profile (the population ordering)', () => {
    const m = fitPortrait(SETUP, data, { sources: BOTH, alpha: 1, beta: 0.05 });
    const { profile, shift } = applyPortrait(m, EMPTY);
    expect(shift).toEqual([0, 0, 0]);
    expect(profile).toEqual(m.mean);
    expect(m.mean[2]!).toBeGreaterThan(m.mean[1]!);
    expect(m.mean[1]!).toBeGreaterThan(m.mean[0]!);
  });

  it('the kernel pools values: a signal seen on a alone also ranks the responses on b', () => {
    const pooled = fitPortrait(SETUP, data, { sources: BOTH, alpha: 1, beta: 0.05 });
    const alone = fitPortrait(SETUP, data, { sources: BOTH, alpha: 0, beta: 0.05 });
    const rank = (m: typeof pooled) =>
      scorePortrait(
        data.map((r) => applyPortrait(m, r).profile),
        data.map((r) => r.truth),
        data.map((r) => applyPortrait(m, r).shift),
      ).perValue;
    expect(rank(alone)[1]!).toBeLessThan(0.3); // b's own detections are noise
    expect(rank(pooled)[1]!).toBeGreaterThan(0.6); // through a's, via the truth's correlation
  });

  it('recovers a signal planted in the label probabilities alone, through the pooling weights', () => {
    const planted = rows(11, 0.5, 0);
    const only = { posterior: 0, probabilities: 1 };
    const m = fitPortrait(SETUP, planted, { sources: only, alpha: 1, beta: 0.05 });
    const shifts = planted.map((r) => applyPortrait(m, r).shift);
    const truth = planted.map((r) => r.truth);
    const score = scorePortrait(shifts, truth);
    expect(score.perValue[0]!).toBeGreaterThan(0.6);
    expect(score.perValue[1]!).toBeGreaterThan(0.6);
    // The posterior reading sees nothing here: it ranks a's truth at chance.
    const posterior = fitPortrait(SETUP, planted, {
      sources: { posterior: 1, probabilities: 0 },
      alpha: 1,
      beta: 0.05,
    });
    const blind = scorePortrait(
      planted.map((r) => applyPortrait(posterior, r).shift),
      truth,
    );
    expect(Math.abs(blind.perValue[0]!)).toBeLessThan(0.2);
  });

  it('a small β keeps each response in the population ordering while the values still rank responses', () => {
    const m = fitPortrait(SETUP, data, { sources: BOTH, alpha: 1, beta: 0.001 });
    const order = (xs: readonly number[]) => [...xs.keys()].sort((i, j) => xs[i]! - xs[j]!).join();
    const out = data.map((r) => applyPortrait(m, r));
    expect(out.every((o) => order(o.profile) === order(m.mean))).toBe(true);
    const across = spearman(
      out.map((o) => o.profile[0]!),
      data.map((r) => r.truth[0]!),
    );
    expect(across!).toBeGreaterThan(0.6);
  });

  it('nested grouped CV picks pooling and beats the detector levels alone across responses', () => {
    const cv = crossValidatePortrait(SETUP, data, 5, 14);
    const raw = scorePortrait(
      data.map((r) => r.learned),
      data.map((r) => r.truth),
    );
    expect(cv.chosen.every((c) => c.alpha > 0)).toBe(true);
    expect(cv.score.across).toBeGreaterThan(raw.across + 0.1);
    expect(cv.score.perResponse).toBeGreaterThan(0.5);
  });

  it('β from a grid: a larger one only when it beats the smallest per response by a standard error', () => {
    // a and c swing with s in opposite directions, enough to reorder the three values of one response;
    // the detectors see s on a. A larger β follows the swing and wins.
    const random = mulberry32(5);
    const noise = () => random() - 0.5;
    const swing: PortraitRow[] = Array.from({ length: 200 }, (_, i) => {
      const s = noise();
      return {
        group: Math.floor(i / 5),
        truth: [0.05 + 0.4 * s + 0.02 * noise(), 0.02 * noise(), 0.02 - 0.4 * s + 0.02 * noise()],
        learned: [3 + s + 0.1 * noise(), 3 + 0.3 * noise(), 3 + 0.3 * noise()],
        phrases: [3 + 0.5 * s + 0.1 * noise(), 3 + 0.1 * noise(), 3 + 0.1 * noise()],
        probabilities: [0.4 + 0.1 * noise(), 0.4 + 0.1 * noise(), 0.4 + 0.1 * noise()],
      };
    });
    const strong = choosePortrait(SETUP, swing, 15, { betas: PORTRAIT_BETA_GRID });
    expect(strong.beta).toBeGreaterThan(PORTRAIT_BETA_GRID[0]!);
    // No signal at all: the smallest β is kept.
    const none = rows(9, 0, 0);
    expect(choosePortrait(SETUP, none, 15, { betas: PORTRAIT_BETA_GRID }).beta).toBe(PORTRAIT_BETA_GRID[0]);
  });
});

describe('graphPooling', () => {
  it("weighs each concept's label and category on its values; categories and labels each average to 1", () => {
    const pooling = graphPooling(
      ['x', 'y'],
      [
        { label: 'X one', group: 'X', coefficients: { x: 0.9 } },
        { label: 'X two', group: 'X', coefficients: { x: 0.5 } },
        { label: 'between', group: 'XY', coefficients: { x: 0.3, y: 0.3 } },
        { label: 'unknown', group: 'X', coefficients: { y: 1 } },
      ],
      (name) => name !== 'unknown',
    );
    expect(pooling.names).toEqual(['X', 'XY', 'X one', 'X two', 'between']);
    // x: categories X (1) and XY (½) → 2/3, 1/3; labels 1, 1, ½ → 0.4, 0.4, 0.2.
    expect(pooling.pool[0]).toEqual([0.666667, 0.333333, 0.4, 0.4, 0.2]);
    // y: only the halves.
    expect(pooling.pool[1]).toEqual([0, 1, 0, 0, 1]);
  });
});

describe('the bundled artefact serves the endorsement profile on schwartz-10', () => {
  const graphs = loadGraphDir();
  const model = valueDetector();

  it('ships the mapping with its provenance and cross-validated figures', () => {
    const p = model.artefact.portrait!;
    expect(p.values).toHaveLength(10);
    expect(p.provenance.graph).toBe('schwartz-10');
    expect(p.provenance.responses).toBe(260);
    // 20 categories and 54 level-1 values of the detector pooled onto the ten values.
    expect(p.labels.names).toHaveLength(74);
    expect(p.sources).toEqual(BOTH);
    // Measured by nested grouped CV on the dev part: per-response 0.258, across-response 0.101.
    expect(p.provenance.crossValidation['acrossResponseSpearman']).toBeGreaterThanOrEqual(0.1);
  });

  it('a text gets an endorsement per value; the population ordering where it says nothing', () => {
    const text = 'I want to help my neighbours and care for the people I love.';
    const a = attributeLearned(graphs.get('schwartz-10')!, text);
    expect(a.endorsement!.map((e) => e.value)).toEqual(model.artefact.portrait!.values);
    expect(a.endorsement!.some((e) => e.shift !== 0)).toBe(true);
    const none = attributeLearned(graphs.get('schwartz-10')!, '');
    for (const [i, e] of none.endorsement!.entries()) {
      expect(Math.abs(e.shift)).toBe(0);
      expect(e.score).toBeCloseTo(model.artefact.portrait!.mean[i]!, 4);
    }
    expect(attributeLearned(graphs.get('mft-6')!, text).endorsement).toBeUndefined();
  });

  it('a portrait whose lists do not fit its values or labels is refused', () => {
    const copy = () => JSON.parse(JSON.stringify(model.artefact)) as typeof model.artefact;
    const a = copy();
    a.portrait!.mean = a.portrait!.mean.slice(1);
    a.checksum = artefactChecksum(a);
    expect(() => parseDetectorArtefact(a)).toThrow(/portrait\.mean must have 10 entries/);
    const b = copy();
    b.portrait!.labels.center = b.portrait!.labels.center.slice(1);
    b.checksum = artefactChecksum(b);
    expect(() => parseDetectorArtefact(b)).toThrow(/portrait\.labels\.center must have 74 entries/);
    const c = copy();
    c.portrait!.labels.names[0] = 'Not a label';
    c.checksum = artefactChecksum(c);
    expect(() => parseDetectorArtefact(c)).toThrow(/"Not a label", which is not a label/);
  });
});
