/** Every graph validation error names the node and says what to fix. */
import { describe, expect, it } from 'vitest';
import { compile, loadGraph, ScmError, counterfactual } from '../../src/scm/index.js';

const root = (id: string) => ({ id, kind: 'value', label: id, mechanism: { type: 'root', mean: 0, sd: 1 } });
const lin = (id: string, coefficients: Record<string, number>) => ({
  id,
  kind: 'concept',
  label: id,
  mechanism: { type: 'linear', intercept: 0, coefficients, noiseSd: 1 },
});
const expr = (id: string, expression: string) => ({
  id,
  kind: 'concept',
  label: id,
  mechanism: { type: 'expression', expression, noiseSd: 0.5 },
});
const graph = (nodes: unknown[], edges: Array<[string, string]>) => ({ id: 'g', version: '1', nodes, edges });

function failure(input: unknown): ScmError {
  try {
    loadGraph(input);
  } catch (err) {
    if (err instanceof ScmError) return err;
    throw err;
  }
  throw new Error('expected the graph to be refused');
}

describe('graph validation', () => {
  it('refuses a cycle and names the nodes on it', () => {
    const err = failure(
      graph(
        [root('r'), lin('a', { r: 1, c: 1 }), lin('b', { a: 1 }), lin('c', { b: 1 })],
        [
          ['r', 'a'],
          ['a', 'b'],
          ['b', 'c'],
          ['c', 'a'],
        ],
      ),
    );
    expect(err.code).toBe('GRAPH_CYCLE');
    expect(err.message).toMatch(/cycle through node "(a|b|c)"/);
    expect(err.message).toMatch(/a → b → c → a|b → c → a → b|c → a → b → c/);
    expect(err.message).toMatch(/remove one of these edges/);
  });

  it('refuses a self loop', () => {
    const err = failure(
      graph(
        [root('r'), lin('a', { r: 1, a: 1 })],
        [
          ['r', 'a'],
          ['a', 'a'],
        ],
      ),
    );
    expect(err.code).toBe('GRAPH_CYCLE');
    expect(err.message).toMatch(/node "a"/);
  });

  it('refuses an edge to an unknown node, naming it', () => {
    const err = failure(
      graph(
        [root('r'), lin('a', { r: 1 })],
        [
          ['r', 'a'],
          ['ghost', 'a'],
        ],
      ),
    );
    expect(err.code).toBe('GRAPH_INVALID');
    expect(err.message).toContain('unknown node "ghost"');
    expect(err.issues[0]!.node).toBe('ghost');
  });

  it('refuses a coefficient for an unknown parent', () => {
    const err = failure(graph([root('r'), lin('a', { r: 1, ghost: 2 })], [['r', 'a']]));
    expect(err.message).toMatch(/node "a" has a coefficient for unknown parent "ghost"/);
  });

  it('refuses a coefficient on a non-edge', () => {
    const err = failure(graph([root('r'), root('s'), lin('a', { r: 1, s: 2 })], [['r', 'a']]));
    expect(err.message).toMatch(
      /node "a" has a coefficient for "s" but there is no edge s → a; add the edge or remove the coefficient/,
    );
  });

  it('refuses a parent without a coefficient', () => {
    const err = failure(
      graph(
        [root('r'), root('s'), lin('a', { r: 1 })],
        [
          ['r', 'a'],
          ['s', 'a'],
        ],
      ),
    );
    expect(err.message).toMatch(/node "a" has parent "s".*add coefficients\.s/);
  });

  it('refuses non-finite numbers and names the node', () => {
    const bad = graph(
      [
        root('r'),
        {
          ...lin('a', { r: 1 }),
          mechanism: { type: 'linear', intercept: 0, coefficients: { r: 1 }, noiseSd: -1 },
        },
      ],
      [['r', 'a']],
    );
    expect(failure(bad).message).toMatch(/node "a".*noiseSd must be >= 0/);
    // JSON cannot carry Infinity, but a JavaScript caller can.
    const inf = graph([root('r'), lin('a', { r: Infinity })], [['r', 'a']]);
    const err = failure(inf);
    expect(err.message).toMatch(/node "a"/);
    expect(err.issues[0]!.path).toBe('nodes.1.mechanism.coefficients.r');
    const nan = graph([{ ...root('r'), mechanism: { type: 'root', mean: NaN, sd: 1 } }], []);
    expect(failure(nan).message).toMatch(/node "r"/);
  });

  it('refuses an expression that names a non-parent', () => {
    const err = failure(graph([root('r'), root('s'), expr('a', 'tanh(r) + s')], [['r', 'a']]));
    expect(err.message).toMatch(
      /node "a": the expression uses "s", which is not a parent of this node; add the edge s → a or remove "s"/,
    );
  });

  it('refuses an expression that fails to parse', () => {
    const err = failure(graph([root('r'), expr('a', 'r +* 2')], [['r', 'a']]));
    expect(err.message).toMatch(/node "a": the expression does not parse/);
  });

  it('refuses functions and constructs outside the math whitelist', () => {
    expect(failure(graph([root('r'), expr('a', 'evaluate("1")')], [['r', 'a']])).message).toMatch(
      /node "a".*function "evaluate" is not available/,
    );
    expect(failure(graph([root('r'), expr('a', 'f(x) = x')], [['r', 'a']])).message).toMatch(
      /node "a".*not allowed/,
    );
    expect(failure(graph([root('r'), expr('a', '[r, 1]')], [['r', 'a']])).message).toMatch(
      /node "a".*not allowed/,
    );
    expect(failure(graph([root('r'), expr('a', 'r.constructor')], [['r', 'a']])).message).toMatch(/node "a"/);
  });

  it('refuses a root mechanism on a node with parents, and a linear one on a node without', () => {
    expect(failure(graph([root('r'), root('a')], [['r', 'a']])).message).toMatch(
      /node "a" has parents \(r\) but a root mechanism/,
    );
    expect(failure(graph([lin('a', {})], [])).message).toMatch(
      /node "a" has no parents but a linear mechanism/,
    );
  });

  it('refuses duplicate node ids and duplicate edges', () => {
    expect(failure(graph([root('r'), root('r')], [])).message).toMatch(/node "r" is declared twice/);
    expect(
      failure(
        graph(
          [root('r'), lin('a', { r: 1 })],
          [
            ['r', 'a'],
            ['r', 'a'],
          ],
        ),
      ).message,
    ).toMatch(/edge r → a is listed twice/);
  });

  it('reports schema errors with the node id and the path', () => {
    const err = failure(
      graph(
        [root('r'), { id: 'a', kind: 'nonsense', label: 'a', mechanism: { type: 'root', mean: 0, sd: 1 } }],
        [],
      ),
    );
    expect(err.code).toBe('GRAPH_INVALID');
    expect(err.message).toMatch(/node "a"/);
    expect(err.message).toMatch(/nodes\.1\.kind/);
  });

  it('refuses unknown nodes in queries, naming them', () => {
    const p = compile(graph([root('r'), lin('a', { r: 2 })], [['r', 'a']]));
    expect(() => counterfactual(p, { evidence: { r: 1, zz: 2 }, interventions: [] })).toThrow(
      /unknown node "zz"/,
    );
    expect(() =>
      counterfactual(p, { evidence: { r: 1, a: 2 }, interventions: [{ node: 'qq', type: 'do', value: 1 }] }),
    ).toThrow(/unknown node "qq"/);
    expect(() =>
      counterfactual(p, {
        evidence: { r: 1, a: 2 },
        interventions: [
          { node: 'a', type: 'do', value: 1 },
          { node: 'a', type: 'shift', value: 1 },
        ],
      }),
    ).toThrow(/node "a" is intervened on more than once/);
  });
});

describe('the valueSystem block of a graph file', () => {
  const latent = { id: 'h', kind: 'latent', label: 'H', mechanism: { type: 'root', mean: 0, sd: 1 } };
  const base = (valueSystem: unknown, extra: Record<string, unknown> = {}) => ({
    ...graph(
      [latent, { ...lin('a', { h: 1 }), kind: 'value', ...extra }, lin('b', { h: 1 })],
      [
        ['h', 'a'],
        ['h', 'b'],
      ],
    ),
    valueSystem,
  });

  it('accepts groups of value nodes and an axis on a latent node', () => {
    const ok = base(
      {
        higherOrder: [{ id: 'g1', label: 'G1', members: ['a'] }],
        bipolar: [{ id: 'h', label: 'H', positive: 'g1', negative: 'g1' }],
      },
      { code: 'A', aliases: ['alpha'] },
    );
    expect(() => loadGraph(ok)).not.toThrow();
  });

  it('refuses groups of non-value nodes, axes not on a latent, unknown poles, codes on concepts', () => {
    const e1 = failure(base({ higherOrder: [{ id: 'g1', label: 'G1', members: ['h'] }] }));
    expect(e1.message).toMatch(/lists "h", which is not a value node/);
    const e2 = failure(
      base({
        higherOrder: [{ id: 'g1', label: 'G1', members: ['a'] }],
        bipolar: [{ id: 'a', label: 'A', positive: 'g1', negative: 'nope' }],
      }),
    );
    expect(e2.issues.map((i) => i.message).join('\n')).toMatch(/must be the id of a latent node/);
    expect(e2.issues.map((i) => i.message).join('\n')).toMatch(/negative pole "nope" is not a group/);
    const concept = graph([latent, { ...lin('c', { h: 1 }), code: 'C' }], [['h', 'c']]);
    expect(failure(concept).message).toMatch(/only value nodes take a code or aliases/);
  });
});
