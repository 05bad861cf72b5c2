/**
 * recordBuilder: the node id → number records of a result, built by a loop the first time a node list
 * is seen and by a compiled object literal afterwards. Both must give exactly the object of the loop
 * `out[id] = values[i]` (same keys, same order, same values), for any id an uploaded graph may have.
 */
import { describe, expect, it } from 'vitest';
import { recordBuilder } from '../../src/pipeline/records.js';

function reference(nodes: readonly string[], values: Float64Array, only: readonly number[] | null) {
  const out: Record<string, number> = {};
  for (const i of only ?? nodes.map((_, k) => k)) out[nodes[i]!] = values[i]!;
  return out;
}

const values = (n: number, seed: number) =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(seed + i) * 3);

describe('recordBuilder', () => {
  it('gives the loop’s record on the first call and on compiled later calls, every node or a selection', () => {
    const nodes = ['self_direction', 'stimulation', 'hedonism', 'power', 'openness_conservation'];
    for (const only of [null, [3, 0, 2], [4]]) {
      for (let call = 0; call < 4; call++) {
        const v = values(nodes.length, call);
        const got = recordBuilder(nodes, only)(v);
        expect(JSON.stringify(got)).toBe(JSON.stringify(reference(nodes, v, only)));
        expect(Object.keys(got)).toEqual(Object.keys(reference(nodes, v, only)));
      }
    }
  });

  it('compiles once per node list and selection, and reuses it', () => {
    const nodes = ['a', 'b', 'c'];
    const first = recordBuilder(nodes, null);
    const second = recordBuilder(nodes, null);
    const third = recordBuilder(nodes, null);
    expect(second).toBe(third); // compiled at the second call, then the same function
    expect(first).not.toBe(second);
    expect(recordBuilder(nodes, [1])).not.toBe(third); // a selection has its own builder
    expect(recordBuilder([...nodes], null)).not.toBe(third); // another program's list
  });

  it('keeps ids that are not identifiers as data: quotes, backslashes, code, separators, numbers', () => {
    const nodes = [
      'plain',
      'with "quotes"',
      'back\\slash',
      '"}); process.exit(1); ({"',
      'line\u2028separator',
      'new\nline',
      '42',
      '7',
      'ünïcode',
      '__proto__',
      'constructor',
    ];
    for (let call = 0; call < 3; call++) {
      const v = values(nodes.length, call);
      const got = recordBuilder(nodes, null)(v);
      const want = reference(nodes, v, null);
      expect(JSON.stringify(got)).toBe(JSON.stringify(want));
      expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
      expect(got['"}); process.exit(1); ({"']).toBe(v[3]);
      expect(got['42']).toBe(v[6]);
    }
  });

  it('carries non-finite values as they are (the route refuses them before serializing)', () => {
    const nodes = ['x', 'y'];
    for (let call = 0; call < 3; call++) {
      const got = recordBuilder(nodes, null)(Float64Array.from([NaN, Infinity]));
      expect(got.x).toBeNaN();
      expect(got.y).toBe(Infinity);
    }
  });
});
