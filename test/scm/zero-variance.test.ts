/**
 * Evidence the model gives probability zero (issue 18, item 7): a node without noise (root sd 0,
 * mechanism noiseSd 0) observed off its fixed value is a 422-class UNSUPPORTED_QUERY naming it, with
 * full or partial evidence. Before, root x ~ N(0, sd 0), y = x + N(0, 1), evidence {x: 1} answered
 * factual {x: 1, y: 0}: the evidence was echoed and ignored. Consistent evidence still works.
 */
import { describe, expect, it } from 'vitest';
import { compile, counterfactual, ScmError } from '../../src/scm/index.js';

const graph = (xSd: number, yNoise: number) =>
  compile({
    id: 'zero',
    version: '1',
    nodes: [
      { id: 'x', kind: 'latent', label: 'x', mechanism: { type: 'root', mean: 0, sd: xSd } },
      {
        id: 'y',
        kind: 'latent',
        label: 'y',
        mechanism: { type: 'linear', intercept: 0, coefficients: { x: 1 }, noiseSd: yNoise },
      },
    ],
    edges: [['x', 'y']],
  });

function refusal(p: ReturnType<typeof compile>, evidence: Record<string, number>): ScmError {
  try {
    counterfactual(p, { evidence, interventions: [] });
  } catch (err) {
    expect(err).toBeInstanceOf(ScmError);
    return err as ScmError;
  }
  throw new Error('expected a refusal');
}

describe('zero-variance evidence', () => {
  it('a root with sd 0 observed off its mean: refused, partial or full evidence', () => {
    const p = graph(0, 1);
    for (const evidence of [{ x: 1 }, { x: 1, y: 2 }] as Array<Record<string, number>>) {
      const err = refusal(p, evidence);
      expect(err.code).toBe('UNSUPPORTED_QUERY');
      expect(err.message).toMatch(/probability zero/);
      expect(err.issues[0]!.node).toBe('x');
    }
  });

  it('a noiseSd 0 child observed off its mechanism: refused, partial or full evidence', () => {
    const p = graph(1, 0);
    for (const evidence of [
      { y: 2, x: 1 },
      { x: 1, y: 1.5 },
    ]) {
      const err = refusal(p, evidence);
      expect(err.issues[0]!.node).toBe('y');
    }
  });

  it('consistent evidence on the same graphs is answered with the right numbers', () => {
    const root = counterfactual(graph(0, 1), {
      evidence: { x: 0, y: 3 },
      interventions: [{ node: 'x', type: 'do', value: 2 }],
    });
    expect(Array.from(root.counterfactual)).toEqual([2, 5]);
    const child = counterfactual(graph(1, 0), { evidence: { x: 1, y: 1 }, interventions: [] });
    expect(Array.from(child.factual)).toEqual([1, 1]);
    const partial = counterfactual(graph(1, 0), { evidence: { x: 2 }, interventions: [] });
    expect(partial.factual[1]).toBeCloseTo(2, 9);
  });
});
