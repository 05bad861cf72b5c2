/**
 * A fast path for validating the common `POST /v1/counterfactuals` body: one query on a graph id,
 * with evidence, interventions as a list, and the plain options. It checks exactly the constraints
 * `CounterfactualBody` (schemas/api.ts) puts on those fields and builds the same output object zod
 * would (fields in the schema's order, the defaults filled in), at a fraction of zod's cost (zod's
 * parse was about a tenth of the CPU time of a small counterfactual request).
 *
 * It only accepts: anything it does not fully understand (an inline graph, a batch, the interventions
 * shorthand, an unknown field, a bad value, a `__proto__` key) returns undefined, and the full zod
 * parse runs instead, so every error message is zod's, as before. test/http/counterfactual-body-fast
 * .test.ts checks that the two agree on accepted bodies and at every boundary.
 */
import type { z } from 'zod';
import { CounterfactualRequest, ExplainLevel, type CounterfactualBody } from '../../schemas/api.js';
import { INTERVENTION_TYPE_NAMES } from '../scm/index.js';

type Body = z.output<typeof CounterfactualBody>;
type Intervention =
  NonNullable<Body['interventions']> extends infer T ? (T extends readonly (infer I)[] ? I : never) : never;

// The limits of CounterfactualBody's fields (kept in step by the agreement test).
const GRAPH_ID_MAX = 64;
const MAX_INTERVENTIONS = 10_000;
const MAX_PATHS = 100;
const MAX_NODES = 100_000;
const NODE_ID_MAX = 64;
const MAX_SELECTED = 10_000;

const TYPES: ReadonlySet<unknown> = new Set(INTERVENTION_TYPE_NAMES);
const EXPLAIN: ReadonlySet<unknown> = new Set(ExplainLevel.options);
const SCALES: ReadonlySet<unknown> = new Set(CounterfactualRequest.shape.scale.unwrap().options);
/** The top-level fields the fast path handles (`queries` is not among them: a batch goes to zod). */
const FIELDS: ReadonlySet<string> = new Set([
  'graph',
  'evidence',
  'interventions',
  'scale',
  'lambda',
  'explain',
  'maxPaths',
  'maxNodes',
  'nodes',
  'chart',
]);

/** A JSON object (what the body parser makes of `{…}`), not an array, null or a class instance. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isIntIn = (v: unknown, min: number, max: number): v is number =>
  Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
const isStringIn = (v: unknown, min: number, max: number): v is string =>
  typeof v === 'string' && v.length >= min && v.length <= max;

function evidence(v: unknown): Record<string, number> | undefined {
  if (!isPlainObject(v)) return undefined;
  const out: Record<string, number> = {};
  for (const key in v) {
    if (!Object.hasOwn(v, key)) return undefined;
    const x = v[key];
    if (key === '__proto__' || !isFiniteNumber(x)) return undefined;
    out[key] = x;
  }
  return out;
}

function interventions(v: unknown): Intervention[] | undefined {
  if (!Array.isArray(v) || v.length > MAX_INTERVENTIONS) return undefined;
  const out = new Array<Intervention>(v.length);
  for (let i = 0; i < v.length; i++) {
    const iv: unknown = v[i];
    if (!isPlainObject(iv)) return undefined;
    let keys = 0;
    for (const key in iv) {
      if (!Object.hasOwn(iv, key) || (key !== 'node' && key !== 'type' && key !== 'value')) return undefined;
      keys++;
    }
    const { node, type, value } = iv;
    if (keys !== 3 || !isStringIn(node, 1, Infinity) || !TYPES.has(type) || !isFiniteNumber(value))
      return undefined;
    out[i] = { node, type: type as Intervention['type'], value };
  }
  return out;
}

function nodes(v: unknown): string[] | undefined {
  if (!Array.isArray(v) || v.length < 1 || v.length > MAX_SELECTED) return undefined;
  const out = new Array<string>(v.length);
  for (let i = 0; i < v.length; i++) {
    const id: unknown = v[i];
    if (!isStringIn(id, 1, NODE_ID_MAX)) return undefined;
    out[i] = id;
  }
  return out;
}

/**
 * The parsed body, as `CounterfactualBody.parse(data)` would return it, when `data` is a single
 * query on a graph id in the plain shape; undefined otherwise (the caller then runs zod).
 */
export function acceptCounterfactualBody(data: unknown): Body | undefined {
  if (!isPlainObject(data)) return undefined;
  for (const key in data) if (!Object.hasOwn(data, key) || !FIELDS.has(key)) return undefined;
  if (Object.getOwnPropertySymbols(data).length > 0) return undefined;
  const d = data;
  if (!isStringIn(d.graph, 1, GRAPH_ID_MAX)) return undefined;
  // Built in the schema's field order, an absent optional field left out, as zod's output is.
  const out: Record<string, unknown> = { graph: d.graph };
  if (d.evidence !== undefined) {
    const e = evidence(d.evidence);
    if (!e) return undefined;
    out.evidence = e;
  }
  if (d.interventions !== undefined) {
    const ivs = interventions(d.interventions);
    if (!ivs) return undefined;
    out.interventions = ivs;
  }
  if (d.scale !== undefined) {
    if (!SCALES.has(d.scale)) return undefined;
    out.scale = d.scale;
  }
  if (d.lambda !== undefined) {
    if (!isFiniteNumber(d.lambda) || d.lambda < 0) return undefined;
    out.lambda = d.lambda;
  }
  const explain = d.explain === undefined ? 'summary' : d.explain;
  if (!EXPLAIN.has(explain)) return undefined;
  out.explain = explain;
  if (d.maxPaths !== undefined) {
    if (!isIntIn(d.maxPaths, 1, MAX_PATHS)) return undefined;
    out.maxPaths = d.maxPaths;
  }
  if (d.maxNodes !== undefined) {
    if (!isIntIn(d.maxNodes, 0, MAX_NODES)) return undefined;
    out.maxNodes = d.maxNodes;
  }
  if (d.nodes !== undefined) {
    const ids = nodes(d.nodes);
    if (!ids) return undefined;
    out.nodes = ids;
  }
  const chart = d.chart === undefined ? false : d.chart;
  if (typeof chart !== 'boolean') return undefined;
  out.chart = chart;
  return out as Body;
}
