/**
 * The counterfactual body's fast path agrees with zod: what it accepts, zod accepts and parses to the
 * same object (fields in the same order, defaults filled in); everything else it leaves to zod, so the
 * error messages stay zod's.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CounterfactualBody, CounterfactualRequest } from '../../schemas/api.js';
import { acceptCounterfactualBody } from '../../src/http/counterfactual-body-fast.js';
import { RequestValidationError, zodValidatorCompiler } from '../../src/http/validation.js';

const VALUES = ['self_direction', 'stimulation', 'hedonism', 'achievement', 'power'];
const BASE = {
  graph: 'schwartz-10',
  evidence: { benevolence: 0.8, power: -1.2, security: 0.3 },
  interventions: [{ node: 'stimulation', type: 'structured', value: 1 }],
};

/** The fast path's answer, checked against zod's: undefined, or zod's output exactly. */
function agree(body: unknown): unknown {
  const fast = acceptCounterfactualBody(body);
  const zod = CounterfactualBody.safeParse(body);
  if (fast !== undefined) {
    expect(zod.success, JSON.stringify(body)).toBe(true);
    expect(fast).toStrictEqual(zod.data);
    expect(JSON.stringify(fast)).toBe(JSON.stringify(zod.data));
  }
  return fast;
}

describe('acceptCounterfactualBody', () => {
  it('accepts the plain single-query bodies, as zod parses them (defaults, field order)', () => {
    const bodies: unknown[] = [
      BASE,
      { ...BASE, explain: 'none', nodes: VALUES },
      { graph: 'g' },
      { chart: true, nodes: ['a'], maxNodes: 0, maxPaths: 100, explain: 'full', lambda: 0, graph: 'x' },
      { ...BASE, scale: 'likert5', lambda: 2.5, interventions: [{ value: -3, type: 'do', node: 'a' }] },
      { ...BASE, evidence: {}, interventions: [] },
      { ...BASE, evidence: { 2: 1, b: 2, 1: 3 } },
      { graph: 'x'.repeat(64), nodes: ['n'.repeat(64)], maxNodes: 100_000, maxPaths: 1 },
      JSON.parse('{"graph":"g","evidence":{"constructor":1,"toString":2}}'),
    ];
    for (const body of bodies) expect(agree(body), JSON.stringify(body)).toBeDefined();
  });

  it('leaves every other body to zod: invalid values, limits, unknown fields, other shapes', () => {
    const bodies: unknown[] = [
      null,
      [],
      'schwartz-10',
      {},
      { ...BASE, graph: '' },
      { ...BASE, graph: 'x'.repeat(65) },
      { ...BASE, graph: { id: 'inline' } },
      { ...BASE, evidence: { a: '1' } },
      { ...BASE, evidence: { a: Infinity } },
      { ...BASE, evidence: { a: NaN } },
      { ...BASE, evidence: [] },
      JSON.parse('{"graph":"g","evidence":{"__proto__":1}}'),
      { ...BASE, interventions: { benevolence: 1 } },
      { ...BASE, interventions: [{ node: 'a', type: 'do' }] },
      { ...BASE, interventions: [{ node: 'a', type: 'do', value: 1, extra: 1 }] },
      { ...BASE, interventions: [{ node: '', type: 'do', value: 1 }] },
      { ...BASE, interventions: [{ node: 'a', type: 'nudge', value: 1 }] },
      { ...BASE, interventions: [{ node: 'a', type: 'do', value: -Infinity }] },
      { ...BASE, interventions: [null] },
      { ...BASE, scale: 'likert7' },
      { ...BASE, lambda: -0.1 },
      { ...BASE, lambda: '1' },
      { ...BASE, explain: 'brief' },
      { ...BASE, explain: null },
      { ...BASE, maxPaths: 0 },
      { ...BASE, maxPaths: 101 },
      { ...BASE, maxPaths: 2.5 },
      { ...BASE, maxNodes: -1 },
      { ...BASE, maxNodes: 100_001 },
      { ...BASE, nodes: [] },
      { ...BASE, nodes: [''] },
      { ...BASE, nodes: ['n'.repeat(65)] },
      { ...BASE, nodes: [1] },
      { ...BASE, chart: 'yes' },
      { ...BASE, queries: [{ evidence: {} }] },
      { ...BASE, extra: 1 },
      { ...BASE, explain: undefined, chart: undefined, nodes: undefined, more: undefined },
    ];
    for (const body of bodies) expect(agree(body), JSON.stringify(body)).toBeUndefined();
  });

  it('the limits match the schema: 10000 interventions and 10000 selected nodes, not one more', () => {
    const ivs = (n: number) => Array.from({ length: n }, (_, i) => ({ node: `n${i}`, type: 'do', value: i }));
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);
    expect(agree({ graph: 'g', interventions: ivs(10_000), nodes: ids(10_000) })).toBeDefined();
    expect(agree({ graph: 'g', interventions: ivs(10_001) })).toBeUndefined();
    expect(agree({ graph: 'g', nodes: ids(10_001) })).toBeUndefined();
  });

  it('random variations of the default body: whatever the fast path accepts, zod parses the same', () => {
    let seed = 20;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const values: unknown[] = [
      undefined,
      null,
      0,
      -0,
      1,
      1.5,
      -2,
      64,
      100,
      101,
      1e308,
      'x',
      '',
      'none',
      'full',
      'do',
      'likert5',
      true,
      false,
      [],
      ['a'],
      [''],
      {},
      { a: 1 },
      { a: 'b' },
      [{ node: 'a', type: 'shift', value: 0.5 }],
    ];
    const fields = [...Object.keys(CounterfactualRequest.shape), 'other'];
    let accepted = 0;
    for (let k = 0; k < 3000; k++) {
      const body: Record<string, unknown> = { ...BASE, explain: 'none', nodes: VALUES };
      for (let m = 0, changes = 1 + Math.floor(rand() * 3); m < changes; m++) {
        const v = pick(values);
        const f = pick(fields);
        if (v === undefined) delete body[f];
        else body[f] = v;
      }
      if (agree(body) !== undefined) accepted++;
    }
    expect(accepted).toBeGreaterThan(100);
  });
});

describe('zodValidatorCompiler on the counterfactual body', () => {
  afterEach(() => vi.restoreAllMocks());
  const validate = zodValidatorCompiler({
    schema: CounterfactualBody,
    httpPart: 'body',
    method: 'POST',
    url: '/v1/counterfactuals',
  }) as (data: unknown) => { value?: unknown; error?: Error };

  it('answers a plain body without zod, and parses the rest with zod (its messages)', () => {
    const parse = vi.spyOn(CounterfactualBody, 'safeParse');
    expect(validate(BASE).value).toStrictEqual(CounterfactualBody.parse(BASE));
    parse.mockClear();
    expect(validate({ ...BASE, explain: 'none' }).value).toMatchObject({ explain: 'none', chart: false });
    expect(parse).not.toHaveBeenCalled();
    const bad = validate({ ...BASE, interventions: [{ node: 'a', type: 'nudge', value: 1 }] });
    expect(parse).toHaveBeenCalledTimes(1);
    expect(bad.error).toBeInstanceOf(RequestValidationError);
    expect(bad.error!.message).toBe(
      'the request body is invalid: interventions.0.type: Invalid option: expected one of "do"|"shift"|"structured"',
    );
  });
});
