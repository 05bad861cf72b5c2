/** Fitting linear mechanisms by least squares, against closed forms and the normal equations (mathjs). */
import { inv, matrix, multiply, transpose, type Matrix } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { fitGraph, ScmError } from '../../src/scm/index.js';
import { leastSquares } from '../../src/scm/linalg.js';

const graph = {
  id: 'fit',
  version: '1',
  nodes: [
    { id: 'a', kind: 'latent', label: 'a', mechanism: { type: 'root', mean: 0, sd: 1 } },
    { id: 'b', kind: 'latent', label: 'b', mechanism: { type: 'root', mean: 0, sd: 1 } },
    {
      id: 'y',
      kind: 'value',
      label: 'y',
      mechanism: { type: 'linear', intercept: 0, coefficients: { a: 0, b: 0 }, noiseSd: 1 },
    },
    {
      id: 'z',
      kind: 'concept',
      label: 'z',
      mechanism: { type: 'linear', intercept: 0, coefficients: { y: 0 }, noiseSd: 1 },
    },
  ],
  edges: [
    ['a', 'y'],
    ['b', 'y'],
    ['y', 'z'],
  ],
};

function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}
function normal(rand: () => number) {
  return Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());
}

describe('fitGraph', () => {
  it('simple regression: slope = cov/var, intercept = ȳ − slope·x̄, R² = corr²', () => {
    const rows = [
      { y: 1, z: 2.1 },
      { y: 2, z: 3.9 },
      { y: 3, z: 6.2 },
      { y: 4, z: 7.8 },
      { y: 5, z: 10.1 },
    ];
    const { fits } = fitGraph(graph, rows, { nodes: ['z'] });
    const xs = rows.map((r) => r.y);
    const ys = rows.map((r) => r.z);
    const mx = xs.reduce((s, x) => s + x, 0) / 5;
    const my = ys.reduce((s, x) => s + x, 0) / 5;
    const sxy = xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0);
    const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
    const syy = ys.reduce((s, y) => s + (y - my) ** 2, 0);
    const slope = sxy / sxx;
    const z = fits.find((f) => f.node === 'z')!;
    expect(z.coefficients!.y).toBeCloseTo(slope, 12);
    expect(z.intercept).toBeCloseTo(my - slope * mx, 12);
    expect(z.r2).toBeCloseTo((sxy * sxy) / (sxx * syy), 12);
    const rss = ys.reduce((s, y, i) => s + (y - (my - slope * mx) - slope * xs[i]!) ** 2, 0);
    expect(z.sd).toBeCloseTo(Math.sqrt(rss / 3), 12);
    expect(z.n).toBe(5);
  });

  it('recovers the generating coefficients from simulated data, and matches the normal equations', () => {
    const rand = lcg(42);
    const n = 4000;
    const cols = { a: [] as number[], b: [] as number[], y: [] as number[], z: [] as number[] };
    for (let i = 0; i < n; i++) {
      const a = normal(rand);
      const b = 1 + 2 * normal(rand);
      const y = 0.5 + 1.5 * a - 0.7 * b + 0.3 * normal(rand);
      const z = -1 + 2 * y + 0.5 * normal(rand);
      cols.a.push(a);
      cols.b.push(b);
      cols.y.push(y);
      cols.z.push(z);
    }
    const { graph: fitted, fits } = fitGraph(graph, cols);
    const y = fits.find((f) => f.node === 'y')!;
    expect(y.coefficients!.a).toBeCloseTo(1.5, 1);
    expect(y.coefficients!.b).toBeCloseTo(-0.7, 1);
    expect(y.intercept).toBeCloseTo(0.5, 1);
    expect(y.sd).toBeCloseTo(0.3, 1);
    const b = fits.find((f) => f.node === 'b')!;
    expect(b.mean).toBeCloseTo(1, 1);
    expect(b.sd).toBeCloseTo(2, 1);
    // Normal equations β = (XᵀX)⁻¹ Xᵀ y, computed independently.
    const X = matrix(cols.a.map((a, i) => [1, a, cols.b[i]!]));
    const Xt = transpose(X);
    const beta = (
      multiply(multiply(inv(multiply(Xt, X) as Matrix), Xt), matrix(cols.y)) as Matrix
    ).toArray() as number[];
    expect(y.intercept).toBeCloseTo(beta[0]!, 10);
    expect(y.coefficients!.a).toBeCloseTo(beta[1]!, 10);
    expect(y.coefficients!.b).toBeCloseTo(beta[2]!, 10);
    // The fitted graph carries the numbers.
    const node = fitted.nodes.find((x) => x.id === 'y')!;
    expect(node.mechanism).toMatchObject({ type: 'linear', intercept: y.intercept, noiseSd: y.sd });
  });

  it('drops rows with a missing value for that node only', () => {
    const rows = [
      { a: 1, b: 0, y: 2, z: null },
      { a: 2, b: 1, y: 3, z: 1 },
      { a: 3, b: 0, y: 5, z: 2 },
      { a: 4, b: 1, y: 6, z: 3 },
      { a: 5, b: 1, y: 8, z: 4 },
      { a: 6, b: 0, y: 9.5, z: 5 },
    ];
    const { fits } = fitGraph(graph, rows);
    expect(fits.find((f) => f.node === 'y')!.n).toBe(6);
    expect(fits.find((f) => f.node === 'z')!.n).toBe(5);
  });

  it('names the node when its parents are collinear or rows are too few', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ a: i, b: 2 * i, y: i + 1 }));
    expect(() => fitGraph(graph, rows)).toThrow(ScmError);
    expect(() => fitGraph(graph, rows)).toThrow(/node "y": its parents \(a, b\) are collinear/);
    expect(() =>
      fitGraph(graph, [
        { a: 1, b: 2, y: 3 },
        { a: 2, b: 1, y: 1 },
      ]),
    ).toThrow(/node "y": 2 complete rows for 3 parameters/);
  });
});

describe('leastSquares (Householder QR)', () => {
  it('solves an exactly determined system and reports rank deficiency', () => {
    const x = Float64Array.from([1, 0, 0, 1, 1, 1]);
    const r = leastSquares(x, 3, 2, Float64Array.from([1, 2, 3]));
    expect(r.rank).toBe(2);
    expect(r.beta[0]).toBeCloseTo(1, 12);
    expect(r.beta[1]).toBeCloseTo(2, 12);
    expect(r.rss).toBeCloseTo(0, 20);
    const dep = leastSquares(Float64Array.from([1, 2, 2, 4, 3, 6]), 3, 2, Float64Array.from([1, 2, 3]));
    expect(dep.rank).toBe(1);
    expect(dep.beta[0]).toBeCloseTo(1, 12);
    expect(dep.beta[1]).toBe(0);
  });
});
