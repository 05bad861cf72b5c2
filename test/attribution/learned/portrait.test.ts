import { describe, expect, it } from 'vitest';
import { artefactChecksum, parseDetectorArtefact } from '../../../src/attribution/learned/artefact.js';
import { attributeLearned } from '../../../src/attribution/learned/attribute.js';
import {
  applyPortrait,
  crossValidatePortrait,
  fitPortrait,
  scorePortrait,
  type PortraitRow,
} from '../../../src/attribution/learned/portrait.js';
import { valueDetector } from '../../../src/attribution/learned/registry.js';
import { mulberry32 } from '../../bench/graphs.js';
import { loadGraphDir } from '../../../src/graphs/registry.js';

const VALUES = ['a', 'b', 'c'];
const EMPTY = { learned: [3, 3, 3], phrases: [3, 3, 3] };

/**
 * 40 prompts × 5 responses. The truth of a and b moves with a hidden signal s (b follows a); c is
 * noise. Both detectors see s on a only (noisily), nothing on b or c; the dev
 * mean ordering is c > b > a.
 */
function rows(seed: number): PortraitRow[] {
  const random = mulberry32(seed);
  const noise = () => random() - 0.5;
  const out: PortraitRow[] = [];
  for (let g = 0; g < 40; g++) {
    for (let k = 0; k < 5; k++) {
      const s = noise();
      out.push({
        group: g,
        truth: [-0.1 + 0.2 * s + 0.02 * noise(), 0.2 * s + 0.02 * noise(), 0.1 + 0.05 * noise()],
        learned: [3 + s + 0.3 * noise(), 3 + 0.3 * noise(), 3 + 0.3 * noise()],
        phrases: [3 + 0.5 * s + 0.1 * noise(), 3 + 0.1 * noise(), 3 + 0.1 * noise()],
      });
    }
  }
  return out;
}

describe('the endorsement mapping (Value Portrait calibration)', () => {
  const data = rows(7);

  it('a text that says nothing gets the dev mean profile (the population ordering)', () => {
    const m = fitPortrait(VALUES, data, EMPTY, 1, 0.05);
    const { profile, shift } = applyPortrait(m, EMPTY.learned, EMPTY.phrases);
    expect(shift).toEqual([0, 0, 0]);
    expect(profile).toEqual(m.mean);
    expect(m.mean[2]!).toBeGreaterThan(m.mean[1]!);
    expect(m.mean[1]!).toBeGreaterThan(m.mean[0]!);
  });

  it('the kernel pools values: a signal seen on a alone also ranks the responses on b', () => {
    const pooled = fitPortrait(VALUES, data, EMPTY, 1, 0.05);
    const alone = fitPortrait(VALUES, data, EMPTY, 0, 0.05);
    const rank = (m: typeof pooled) =>
      scorePortrait(
        data.map((r) => applyPortrait(m, r.learned, r.phrases).profile),
        data.map((r) => r.truth),
        data.map((r) => applyPortrait(m, r.learned, r.phrases).shift),
      ).perValue;
    expect(rank(alone)[1]!).toBeLessThan(0.3); // b's own detections are noise
    expect(rank(pooled)[1]!).toBeGreaterThan(0.6); // through a's, via the truth's correlation
  });

  it('nested grouped CV picks pooling and beats the detector levels alone across responses', () => {
    const cv = crossValidatePortrait(VALUES, data, EMPTY, 5, 14);
    const raw = scorePortrait(
      data.map((r) => r.learned),
      data.map((r) => r.truth),
    );
    expect(cv.chosen.every((c) => c.alpha > 0)).toBe(true);
    expect(cv.score.across).toBeGreaterThan(raw.across + 0.1);
    expect(cv.score.perResponse).toBeGreaterThan(0.5);
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
    // Measured by nested grouped CV on the dev part: per-response 0.255, across-response 0.086.
    expect(p.provenance.crossValidation['acrossResponseSpearman']).toBeGreaterThan(0.07);
  });

  it('a text gets an endorsement per value; the population ordering where it says nothing', () => {
    const text = 'I want to help my neighbours and care for the people I love.';
    const a = attributeLearned(graphs.get('schwartz-10')!, text);
    expect(a.endorsement!.map((e) => e.value)).toEqual(model.artefact.portrait!.values);
    expect(a.endorsement!.some((e) => e.shift !== 0)).toBe(true);
    const none = attributeLearned(graphs.get('schwartz-10')!, 'x');
    for (const [i, e] of none.endorsement!.entries()) {
      expect(e.shift).toBeCloseTo(0, 3);
      expect(e.score).toBeCloseTo(model.artefact.portrait!.mean[i]!, 3);
    }
    expect(attributeLearned(graphs.get('mft-6')!, text).endorsement).toBeUndefined();
  });

  it('a portrait whose lists do not fit its values is refused', () => {
    const a = JSON.parse(JSON.stringify(model.artefact)) as typeof model.artefact;
    a.portrait!.mean = a.portrait!.mean.slice(1);
    a.checksum = artefactChecksum(a);
    expect(() => parseDetectorArtefact(a)).toThrow(/portrait\.mean must have 10 entries/);
  });
});
