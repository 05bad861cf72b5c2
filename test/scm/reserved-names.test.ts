/**
 * Node names that are also expression constants (`e`, `E`, `pi`, `PI`) or built-in JavaScript names
 * (`constructor`, `toString`, `valueOf`, `hasOwnProperty`): a node is never read as the constant or
 * the built-in. Before, `"x + e"` without the edge e → y silently used 2.718…, `"a + toString"` was a
 * 500, and a parent named `constructor` passed the coefficient check with no coefficient.
 */
import { describe, expect, it } from 'vitest';
import { translateExpression } from '../../src/scm/expression.js';
import { compile, counterfactual, loadGraph, ScmError } from '../../src/scm/index.js';

const root = (id: string) => ({ id, kind: 'latent', label: id, mechanism: { type: 'root', mean: 0, sd: 1 } });

function graphWith(child: Record<string, unknown>, ids: string[], edges: string[][]) {
  return {
    id: 'names',
    version: '1',
    nodes: [...ids.map(root), { id: 'y', kind: 'latent', label: 'y', mechanism: child }],
    edges,
  };
}

function issueOf(def: unknown): string {
  try {
    loadGraph(def);
  } catch (err) {
    expect(err).toBeInstanceOf(ScmError);
    return (err as ScmError).issues.map((i) => i.message).join('\n');
  }
  throw new Error('expected the graph to be refused');
}

describe('node names shadowing expression constants', () => {
  for (const name of ['e', 'E', 'pi', 'PI']) {
    it(`a node "${name}" used without its edge is an error, not the constant`, () => {
      const def = graphWith(
        { type: 'expression', expression: `x + ${name}`, noiseSd: 1 },
        ['x', name],
        [['x', 'y']],
      );
      expect(issueOf(def)).toMatch(
        new RegExp(`uses "${name}", which is not a parent.*add the edge ${name} → y`),
      );
    });
  }

  it('with the edge, "x + e" reads node e: the issue\'s example gives noise 0, not 97.28', () => {
    const def = graphWith(
      { type: 'expression', expression: 'x + e', noiseSd: 1 },
      ['x', 'e'],
      [
        ['x', 'y'],
        ['e', 'y'],
      ],
    );
    const p = compile(def);
    const r = counterfactual(p, {
      evidence: { x: 1, e: 100, y: 101 },
      interventions: [{ node: 'e', type: 'do', value: 0 }],
    });
    const at = (id: string) => p.index.get(id)!;
    expect(r.noise[at('y')]).toBe(0);
    expect(r.counterfactual[at('y')]).toBe(1);
  });

  it('in a graph without such a node the constants still work', () => {
    const { source } = translateExpression(
      'x * e + pi',
      (s) => (s === 'x' ? 0 : undefined),
      () => false,
    );
    expect(source).toContain('Math.E');
    expect(source).toContain('Math.PI');
  });
});

describe('built-in JavaScript names', () => {
  for (const name of ['constructor', 'toString', 'valueOf', 'hasOwnProperty']) {
    it(`"a + ${name}" without the edge is a clear error (not a crash)`, () => {
      const def = graphWith(
        { type: 'expression', expression: `a + ${name}`, noiseSd: 1 },
        ['a'],
        [['a', 'y']],
      );
      expect(issueOf(def)).toMatch(new RegExp(`uses "${name}", which is not a parent`));
    });

    it(`a function call ${name}(a) is refused as an unknown function`, () => {
      expect(() => translateExpression(`${name}(a)`, (s) => (s === 'a' ? 0 : undefined))).toThrow(
        new RegExp(`the function "${name}" is not available`),
      );
    });

    it(`a linear parent named "${name}" needs its coefficient`, () => {
      const missing = graphWith(
        { type: 'linear', intercept: 0, coefficients: {}, noiseSd: 1 },
        [name],
        [[name, 'y']],
      );
      expect(issueOf(missing)).toMatch(new RegExp(`has parent "${name}".*but no coefficient for it`));
    });

    it(`a node named "${name}" works as a parent and in expressions`, () => {
      const def = graphWith(
        { type: 'expression', expression: `2 * ${name}`, noiseSd: 1 },
        [name],
        [[name, 'y']],
      );
      const p = compile(def);
      const r = counterfactual(p, {
        evidence: { [name]: 1, y: 3 },
        interventions: [{ node: name, type: 'do', value: 2 }],
      });
      expect(r.counterfactual[p.index.get('y')!]).toBe(5); // 2·2 + (3 − 2·1)
    });
  }
});
