/** Expression mechanisms compile to closures that agree with mathjs' own evaluation. */
import { evaluate } from 'mathjs';
import { describe, expect, it } from 'vitest';
import { closeExpression, translateExpression } from '../../src/scm/expression.js';

const names = ['a', 'b', 'c'];
const compileExpr = (src: string) => {
  const { source, symbols } = translateExpression(src, (s) => {
    const i = names.indexOf(s);
    return i >= 0 ? i : undefined;
  });
  return { fn: closeExpression(source), symbols };
};

describe('expression mechanisms', () => {
  const cases = [
    '0.5 * tanh(a) + b^2',
    '-a + +b - c % 2',
    'a > 0 ? exp(b) : log(abs(c) + 1)',
    'max(a, b, c) - min(a, b) + sqrt(abs(c))',
    'sigmoid(a) + clamp(b, -1, 1)',
    'pi * e + log(8, 2)',
    '(a >= b) + (a != c) + not (b < c)',
    'atan2(a, b) + hypot(a, b, c) + cbrt(c) + sign(a)',
  ];
  const points = [
    [0.3, -1.2, 2.5],
    [-2, 0.5, -0.1],
    [1, 1, 1],
  ];
  for (const src of cases) {
    it(`agrees with mathjs: ${src}`, () => {
      const { fn } = compileExpr(src);
      for (const [a, b, c] of points) {
        const scope = {
          a,
          b,
          c,
          sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
          clamp: (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x)),
        };
        const expected = Number(evaluate(src, scope));
        expect(fn(Float64Array.from([a!, b!, c!]))).toBeCloseTo(expected, 12);
      }
    });
  }

  it('reports the symbols it reads', () => {
    expect(compileExpr('a * 2 + pi').symbols).toEqual(['a']);
  });
});
