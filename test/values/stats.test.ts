import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  correlationMatrix,
  covarianceMatrix,
  kmeans,
  matMul,
  pearson,
  procrustes2,
  symmetricEigen,
  upperTriangle,
} from '../../src/values/stats.js';
import { mulberry32 } from '../../src/scm/random.js';

describe('stats helpers', () => {
  it('covariance and correlation of a small table, by hand', () => {
    const rows = [
      [1, 2],
      [2, 4],
      [3, 5],
    ];
    const c = covarianceMatrix(rows);
    expect(c[0]![0]).toBeCloseTo(1, 12);
    expect(c[1]![1]).toBeCloseTo(7 / 3, 12);
    expect(c[0]![1]).toBeCloseTo(1.5, 12);
    expect(correlationMatrix(rows)[0]![1]).toBeCloseTo(1.5 / Math.sqrt(7 / 3), 12);
    expect(pearson([1, 2, 3], [2, 4, 5])).toBeCloseTo(1.5 / Math.sqrt(7 / 3), 12);
    expect(
      upperTriangle([
        [1, 2, 3],
        [2, 1, 4],
        [3, 4, 1],
      ]),
    ).toEqual([2, 3, 4]);
  });

  it('symmetric eigen-decomposition: A V = V Λ, V orthonormal, eigenvalues sorted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 25, maxLength: 25 }),
        (xs) => {
          const m = Array.from({ length: 5 }, (_, i) => xs.slice(5 * i, 5 * i + 5));
          const a = m.map((r, i) => r.map((_, j) => (m[i]![j]! + m[j]![i]!) / 2));
          const { values, vectors } = symmetricEigen(a);
          for (let k = 1; k < 5; k++) expect(values[k]!).toBeLessThanOrEqual(values[k - 1]! + 1e-12);
          const av = matMul(a, vectors);
          for (let i = 0; i < 5; i++)
            for (let k = 0; k < 5; k++) expect(av[i]![k]!).toBeCloseTo(vectors[i]![k]! * values[k]!, 8);
          const vtv = matMul(
            vectors[0]!.map((_, k) => vectors.map((r) => r[k]!)),
            vectors,
          );
          for (let i = 0; i < 5; i++)
            for (let j = 0; j < 5; j++) expect(vtv[i]![j]!).toBeCloseTo(i === j ? 1 : 0, 10);
        },
      ),
    );
  });

  it('Procrustes recovers a known rotation, and a rotation with reflection', () => {
    const l = [
      [1, 0.2],
      [0.3, -0.8],
      [-0.5, 0.4],
      [0.1, 0.9],
    ];
    for (const reflect of [false, true]) {
      const phi = 0.7;
      const r = reflect
        ? [
            [Math.cos(phi), Math.sin(phi)],
            [Math.sin(phi), -Math.cos(phi)],
          ]
        : [
            [Math.cos(phi), -Math.sin(phi)],
            [Math.sin(phi), Math.cos(phi)],
          ];
      const got = procrustes2(l, matMul(l, r));
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(got[i]![j]!).toBeCloseTo(r[i]![j]!, 12);
    }
  });

  it('seeded random numbers repeat for a seed and differ between seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });

  it('k-means finds well-separated clusters and is deterministic for a seed', () => {
    const rand = mulberry32(1);
    const centres = [
      [0, 0],
      [10, 0],
      [0, 10],
    ];
    const rows = centres.flatMap((c, k) =>
      Array.from({ length: 20 + 10 * k }, () => [c[0]! + rand() - 0.5, c[1]! + rand() - 0.5]),
    );
    const r1 = kmeans(rows, 3, { seed: 5 });
    const r2 = kmeans(rows, 3, { seed: 5 });
    expect(r1).toEqual(r2);
    expect([...r1.sizes].sort((x, y) => x - y)).toEqual([20, 30, 40]);
    for (const c of r1.centroids)
      expect(centres.some((t) => Math.hypot(t[0]! - c[0]!, t[1]! - c[1]!) < 0.3)).toBe(true);
    // Points of one true cluster share one label.
    for (let k = 0; k < 3; k++) {
      const start = [0, 20, 50][k]!;
      const labels = new Set(r1.assignment.slice(start, start + 20 + 10 * k));
      expect(labels.size).toBe(1);
    }
    expect(() => kmeans(rows, 0)).toThrow();
  });
});
