/**
 * The structured action is a backtracking (conditional) counterfactual, and the pipeline says so:
 *
 * - with the alignment's λ (conditionalLambda: target noise variance over latent prior variance) and a
 *   factual profile at the population mean, the latents it picks are E[H | X_T = t] and their posterior
 *   sd is that of H | X_T = t (Gaussian conditioning, computed here independently);
 * - under partial evidence the latents keep a posterior sd (the engine alone reports 0: it sets them by
 *   do()), larger than under full evidence;
 * - explanation paths through a latent read as inference, and no explanation text calls them causal;
 * - a structured target with no latent parent, or whose latent is also acted on, is named in `notes`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCounterfactualRequest } from '../../src/compute/counterfactual-request.js';
import { loadGraphDir, makeEntry } from '../../src/graphs/registry.js';
import { buildConditioning } from '../../src/pipeline/conditioning.js';
import { buildExplanation } from '../../src/pipeline/explanation.js';
import { computeProfile } from '../../src/pipeline/profile.js';
import { structuredNotes } from '../../src/pipeline/structured-notes.js';
import { getPreset, toCentered, type Profile } from '../../src/values/index.js';

// Two latents (prior sd 1), four values with equal noise sd 0.6: the case where the equivalence is exact.
const B: Record<string, [number, number]> = { a: [0.8, 0.1], b: [0.3, -0.7], c: [-0.5, 0.4], d: [0.2, 0.6] };
const INTERCEPT: Record<string, number> = { a: 0.2, b: -0.1, c: 0.3, d: 0 };
const SIGMA = 0.6;
const latent = (id: string) => ({
  id,
  kind: 'latent',
  label: id,
  mechanism: { type: 'root', mean: 0, sd: 1 },
});
const entry = makeEntry({
  id: 'two-latents',
  version: '1',
  nodes: [
    ...['h1', 'h2'].map(latent),
    ...Object.keys(B).map((id) => ({
      id,
      kind: 'value',
      label: id.toUpperCase(),
      mechanism: {
        type: 'linear',
        intercept: INTERCEPT[id],
        coefficients: { h1: B[id]![0], h2: B[id]![1] },
        noiseSd: SIGMA,
      },
    })),
  ],
  edges: Object.keys(B).flatMap((id) => [
    ['h1', id],
    ['h2', id],
  ]),
});

/** E[H | X_T = t] and Cov[H | X_T = t] by Gaussian conditioning (2 targets, 2 latents: 2×2 algebra). */
function conditional(targets: Record<string, number>) {
  const ids = Object.keys(targets);
  const bt = ids.map((id) => B[id]!);
  // Σ_TT = B Bᵀ + σ² I, Σ_HT = Bᵀ (prior covariance of H is I).
  const s = [0, 1].map((i) =>
    [0, 1].map((j) => bt[i]![0] * bt[j]![0] + bt[i]![1] * bt[j]![1] + (i === j ? SIGMA ** 2 : 0)),
  );
  const det = s[0]![0]! * s[1]![1]! - s[0]![1]! * s[1]![0]!;
  const inv = [
    [s[1]![1]! / det, -s[0]![1]! / det],
    [-s[1]![0]! / det, s[0]![0]! / det],
  ];
  const r = ids.map((id) => targets[id]! - INTERCEPT[id]!);
  const k = [0, 1].map((h) => [0, 1].map((q) => bt[0]![h] * inv[0]![q]! + bt[1]![h] * inv[1]![q]!)); // Σ_HT Σ_TT⁻¹
  const mean = [0, 1].map((h) => k[h]![0]! * r[0]! + k[h]![1]! * r[1]!);
  const cov = [0, 1].map((h) => 1 - (k[h]![0]! * bt[0]![h] + k[h]![1]! * bt[1]![h]));
  return { mean, sd: cov.map(Math.sqrt) };
}

const targets = { a: INTERCEPT.a! + 0.9, b: INTERCEPT.b! - 0.6 };
const atMean = { a: INTERCEPT.a!, b: INTERCEPT.b!, c: INTERCEPT.c!, d: INTERCEPT.d! };

describe('the structured action is E[H | X_T = t] (backtracking counterfactual)', () => {
  const expected = conditional(targets);

  it('full evidence at the population mean: h* and its sd are those of H | X_T = t', () => {
    const p = computeProfile(entry, { factual: { ...atMean, h1: 0, h2: 0 }, target: targets });
    expect(p.result.evidence).toBe('full');
    expect(p.latents.map((l) => l.node)).toEqual(['h1', 'h2']);
    p.latents.forEach((l, j) => {
      expect(l.capped).toBe(false);
      expect(l.to).toBeCloseTo(expected.mean[j]!, 10);
      expect(l.sd).toBeCloseTo(expected.sd[j]!, 10);
    });
    expect(p.notes).toEqual([]);
  });

  it('partial evidence (the values only): same h*, and the latents keep a larger posterior sd', () => {
    const full = computeProfile(entry, { factual: { ...atMean, h1: 0, h2: 0 }, target: targets });
    const p = computeProfile(entry, { factual: atMean, target: targets });
    expect(p.result.evidence).toBe('partial');
    p.latents.forEach((l, j) => {
      expect(l.to).toBeCloseTo(expected.mean[j]!, 10);
      expect(l.sd).toBeGreaterThan(full.latents[j]!.sd);
      // The engine on its own reports a latent it set by do() as certain.
      expect(p.result.counterfactualSd![entry.program.index.get(l.node)!]).toBe(0);
    });
    for (const v of p.values.filter((x) => x.status === 'inferred')) {
      const engineSd = p.result.counterfactualSd![entry.program.index.get(v.value)!]!;
      expect(v.sd).toBeGreaterThan(engineSd);
    }
  });

  it('with unequal target noise the λ is an average and h* only approximates E[H | X_T = t]', () => {
    const file = JSON.parse(JSON.stringify(entry.file));
    file.nodes.find((n: { id: string }) => n.id === 'a').mechanism.noiseSd = 0.2;
    const p = computeProfile(makeEntry(file), { factual: { ...atMean, h1: 0, h2: 0 }, target: targets });
    const exact = p.latents.map((l, j) => Math.abs(l.to - expected.mean[j]!));
    expect(Math.max(...exact)).toBeGreaterThan(1e-3);
  });
});

describe('explanations call an inferred link an inference, never causal', () => {
  const s10 = loadGraphDir().get('schwartz-10')!;
  const profiles = (
    JSON.parse(readFileSync(new URL('../../eval/profiles.json', import.meta.url), 'utf8')) as {
      profiles: Array<{ id: string; target: Profile }>;
    }
  ).profiles;
  const CAUSAL = /\bcausal|\bcaus(e|es|ed)\b|\bmoves the\b|raising \w+ moves|\bleads to\b|\bdrives\b/i;

  it('over the 15 eval profiles: inferred paths read "value ← latent ← target, inferred"; the summary never says causal', () => {
    let inferred = 0;
    for (const prof of profiles) {
      const p = computeProfile(s10, {
        factual: getPreset('human:mean')!.values,
        target: toCentered(prof.target, 'schwartz-10'),
      });
      const ex = buildExplanation(p, buildConditioning(p, 'Should I take the job?'));
      expect(ex.summary, prof.id).not.toMatch(CAUSAL);
      for (const v of ex.values) {
        for (const path of v.paths) {
          if (path.path.length > 2) {
            // Through a latent the structured action chose: an inference, read backwards.
            expect(path.inferred).toBe(true);
            expect(path.text).toMatch(/^[^→]+ ← [^→]+ ← [^→]+, inferred$/);
            expect(path.text.startsWith(v.label.toLowerCase())).toBe(true);
            inferred++;
          }
          expect(path.text).not.toMatch(CAUSAL);
        }
        if (v.status === 'inferred' && Math.abs(v.change) > 0.25)
          expect(ex.summary).toMatch(
            new RegExp(
              `${v.label} (rises|falls) from \\d\\.\\d to \\d\\.\\d \\(± \\d\\.\\d\\) although you did not set it: inferred, not an effect of it`,
            ),
          );
      }
    }
    expect(inferred).toBeGreaterThan(50);
  });

  it('the example of the issue: universalism ← self-transcendence ← benevolence, inferred', () => {
    const p = computeProfile(s10, {
      factual: getPreset('human:mean')!.values,
      target: toCentered({ format: 'likert5', values: { benevolence: 5 } }),
    });
    const ex = buildExplanation(p, buildConditioning(p, 'q'));
    const u = ex.values.find((v) => v.value === 'universalism')!;
    expect(u.paths[0]!.text).toBe(
      'universalism ← self-transcendence ↔ self-enhancement ← benevolence, inferred',
    );
  });
});

describe('notes: what the structured action could not do as asked', () => {
  const s10 = loadGraphDir().get('schwartz-10')!;

  it('a target with no latent parent, and a latent also acted on, are named', () => {
    const p = s10.program;
    expect(structuredNotes(p, [{ node: 'be_helpful', type: 'structured', value: 1 }])).toEqual([
      expect.stringMatching(/"be_helpful" has no latent parent in this graph: .* exactly as do\(\) would/),
    ]);
    const one = structuredNotes(p, [
      { node: 'benevolence', type: 'structured', value: 1 },
      { node: 'transcendence_enhancement', type: 'do', value: 0.5 },
    ]);
    expect(one).toEqual([
      expect.stringMatching(/the latent "transcendence_enhancement" is also acted on: .*"benevolence"/),
    ]);
    const both = structuredNotes(p, [
      { node: 'benevolence', type: 'structured', value: 1 },
      { node: 'transcendence_enhancement', type: 'do', value: 0.5 },
      { node: 'openness_conservation', type: 'shift', value: 0.1 },
    ]);
    expect(both).toEqual([
      expect.stringMatching(/every latent parent of "benevolence" .* set as do\(\) would set it/),
    ]);
    expect(structuredNotes(p, [{ node: 'benevolence', type: 'structured', value: 1 }])).toEqual([]);
  });

  it('POST /v1/counterfactuals’ use case returns them in `notes`', () => {
    const out = runCounterfactualRequest(s10.program, s10.file.scale, {
      evidence: { benevolence: 0.2 },
      interventions: [
        { node: 'benevolence', type: 'structured', value: 1 },
        { node: 'transcendence_enhancement', type: 'do', value: 0.5 },
      ],
    } as never) as { result: { notes?: string[] } };
    expect(out.result.notes).toEqual([expect.stringMatching(/"transcendence_enhancement" is also acted on/)]);
  });
});
