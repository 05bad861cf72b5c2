/** The principal-axes method on synthetic data from a known two-latent circle model. */
import { describe, expect, it } from 'vitest';
import type { GraphFile } from '../../schemas/graph.js';
import { fitGraph } from '../../src/scm/index.js';
import { theoryAxes } from '../../src/values/axes.js';
import { mulberry32 } from '../../src/scm/random.js';
import { correlationMatrix } from '../../src/values/stats.js';

// 10 values at the theory angles (clockwise from SD, 36° apart, with the openness centre at 0°).
const ANGLES = Array.from({ length: 10 }, (_, i) => 18 - 36 * i);
const TARGET = [
  [1, 0],
  [1, 0],
  [0.5, -0.5],
  [0, -1],
  [0, -1],
  [-1, 0],
  [-1, 0],
  [-1, 0],
  [0, 1],
  [0, 1],
];

function synthetic(n: number, seed: number) {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const h: number[][] = [];
  const rows: number[][] = [];
  for (let r = 0; r < n; r++) {
    const z = [normal(), normal()];
    h.push(z);
    rows.push(
      ANGLES.map(
        (a) =>
          0.3 +
          0.7 * (Math.cos((a * Math.PI) / 180) * z[0]! + Math.sin((a * Math.PI) / 180) * z[1]!) +
          0.5 * normal(),
      ),
    );
  }
  return { h, rows };
}

describe('theoryAxes', () => {
  const { h, rows } = synthetic(5000, 11);
  const axes = theoryAxes(rows, TARGET);

  it('recovers the circle of the generating model, oriented to the theory target', () => {
    const angle = (l: number[]) => (Math.atan2(l[1]!, l[0]!) * 180) / Math.PI;
    const wrap = (d: number) => ((d + 540) % 360) - 180;
    const diffs = axes.loadings.map((l, i) => wrap(angle(l) - ANGLES[i]!));
    // The target is a compromise between the groups, so the whole circle may turn by a small common
    // offset; relative to it, every value is where the model put it.
    const offset = diffs.reduce((s, d) => s + d, 0) / diffs.length;
    expect(Math.abs(offset)).toBeLessThan(20);
    diffs.forEach((d, i) => expect(Math.abs(d - offset), `value ${i}`).toBeLessThan(3));
    // Orientation: openness values positive on axis 1, self-transcendence values positive on axis 2.
    expect(axes.loadings[0]![0]!).toBeGreaterThan(0.4);
    expect(axes.loadings[6]![0]!).toBeLessThan(-0.4);
    expect(axes.loadings[8]![1]!).toBeGreaterThan(0.4);
    expect(axes.loadings[4]![1]!).toBeLessThan(-0.4);
    // Loading lengths: the generating 0.7, inflated a little by the noise PCA absorbs.
    for (const l of axes.loadings) expect(Math.hypot(l[0]!, l[1]!)).toBeGreaterThan(0.65);
    for (const l of axes.loadings) expect(Math.hypot(l[0]!, l[1]!)).toBeLessThan(0.85);
    expect(axes.varianceExplained).toBeGreaterThan(0.6);
  });

  it('gives standardised, uncorrelated scores that track the true latents', () => {
    for (let k = 0; k < 2; k++) {
      const col = axes.scores.map((r) => r[k]!);
      const mean = col.reduce((s, x) => s + x, 0) / col.length;
      const sd = Math.sqrt(col.reduce((s, x) => s + (x - mean) ** 2, 0) / (col.length - 1));
      expect(Math.abs(mean)).toBeLessThan(1e-10);
      expect(sd).toBeCloseTo(1, 10);
      const r = correlationMatrix(axes.scores.map((s, i) => [s[k]!, h[i]![k]!]))[0]![1]!;
      expect(r).toBeGreaterThan(0.9);
    }
    expect(Math.abs(correlationMatrix(axes.scores)[0]![1]!)).toBeLessThan(1e-10);
  });

  it('its loadings are what the engine’s least-squares fit of each value on the scores returns', () => {
    const ids = ANGLES.map((_, i) => `v${i}`);
    const graph: GraphFile = {
      id: 'synthetic',
      version: '1',
      nodes: [
        { id: 'a', kind: 'latent', label: 'a', mechanism: { type: 'root', mean: 0, sd: 1 } },
        { id: 'b', kind: 'latent', label: 'b', mechanism: { type: 'root', mean: 0, sd: 1 } },
        ...ids.map((id) => ({
          id,
          kind: 'value' as const,
          label: id,
          mechanism: { type: 'linear' as const, intercept: 0, coefficients: { a: 0, b: 0 }, noiseSd: 1 },
        })),
      ],
      edges: ids.flatMap((id): Array<[string, string]> => [
        ['a', id],
        ['b', id],
      ]),
    };
    const table = rows.map((r, i) => ({
      a: axes.scores[i]![0]!,
      b: axes.scores[i]![1]!,
      ...Object.fromEntries(ids.map((id, j) => [id, r[j]!])),
    }));
    const fit = fitGraph(graph, table);
    ids.forEach((id, j) => {
      const f = fit.fits.find((x) => x.node === id)!;
      expect(f.coefficients!.a).toBeCloseTo(axes.loadings[j]![0]!, 8);
      expect(f.coefficients!.b).toBeCloseTo(axes.loadings[j]![1]!, 8);
      expect(f.intercept).toBeCloseTo(rows.reduce((s, r) => s + r[j]!, 0) / rows.length, 8);
    });
  });

  it('refuses a target of the wrong size', () => {
    expect(() => theoryAxes(rows, TARGET.slice(1))).toThrow(/one row per value/);
  });
});
