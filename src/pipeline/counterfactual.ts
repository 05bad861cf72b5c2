/**
 * `POST /v1/counterfactuals` logic, independent of fastify: run one query or a batch on a compiled
 * program and turn the engine's typed arrays into the API's JSON shape (node id → number records).
 * Engine errors become API errors whose detail paths point into the request body.
 */
import { radarChart } from '../render/index.js';
import { fromCenteredScore, SCALES } from '../values/index.js';
import type { z } from 'zod';
import type { CounterfactualResult as ResultSchema, ErrorBody } from '../../schemas/api.js';
import {
  counterfactual,
  INTERVENTION_TYPES,
  isLevel,
  ScmError,
  type CounterfactualQuery,
  type CounterfactualResult,
  type ExplainOptions,
  type Intervention,
  type Program,
} from '../scm/index.js';
import { withNodeSuggestions } from '../hints.js';
import { recordBuilder } from './records.js';
import { DomainError, type ErrorCode } from '../errors.js';

export type ApiResult = z.output<typeof ResultSchema>;
export type ApiErrorBody = z.output<typeof ErrorBody>;

export type ExplainLevel = 'none' | 'summary' | 'full';

export interface QueryInput {
  evidence?: Record<string, number> | undefined;
  interventions?: Intervention[] | undefined;
  lambda?: number | undefined;
}

/** Nodes a summary explains besides the ones acted on (the largest changes). */
export const SUMMARY_MAX_NODES = 10;

export function explainOptions(
  level: ExplainLevel,
  maxPaths: number | undefined,
  maxNodes?: number,
  nodes?: readonly string[],
): ExplainOptions | false {
  if (level === 'none') return false;
  const only = nodes ? { nodes } : {};
  if (level === 'summary')
    return { include: 'changed', maxPaths: maxPaths ?? 3, maxNodes: maxNodes ?? SUMMARY_MAX_NODES, ...only };
  return {
    include: 'all',
    maxPaths: maxPaths ?? 10,
    ...(maxNodes !== undefined ? { maxNodes } : {}),
    ...only,
  };
}

/** What each array checked by `checkFinite` holds, in its order. */
const FINITE_NAMES = [
  'counterfactual value',
  'counterfactual standard deviation',
  'abducted noise',
  'noise standard deviation',
  'factual value',
  'factual standard deviation',
];

const SCM_TO_API: Record<ScmError['code'], ErrorCode> = {
  GRAPH_INVALID: 'GRAPH_INVALID',
  GRAPH_CYCLE: 'GRAPH_CYCLE',
  UNKNOWN_NODE: 'UNKNOWN_NODE',
  UNKNOWN_GRAPH: 'UNKNOWN_GRAPH',
  INVALID_QUERY: 'INVALID_QUERY',
  UNSUPPORTED_QUERY: 'UNSUPPORTED_QUERY',
  FIT_FAILED: 'INVALID_QUERY',
};

/** An engine error as an API error; `prefix` is where the query sits in the body ('' or 'queries.3'). */
export function fromScmError(err: ScmError, prefix: string): DomainError {
  const join = (p: string) => [prefix, p].filter((s) => s !== '').join('.');
  return new DomainError(
    SCM_TO_API[err.code],
    err.message,
    err.issues.map((i) => ({
      path: join(i.path),
      message: i.message,
      ...(i.node !== undefined ? { node: i.node } : {}),
    })),
  );
}

/** The index of the first non-finite number of `a`, or −1. */
function firstNonFinite(a: Float64Array | null): number {
  if (a) for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return i;
  return -1;
}

function checkFinite(r: CounterfactualResult, prefix: string): void {
  // Checked in this order; the tuples are only built when a number is bad (a rare error path).
  const arrays = [r.counterfactual, r.counterfactualSd, r.noise, r.noiseSd, r.factual, r.factualSd];
  for (let k = 0; k < arrays.length; k++) {
    const bad = firstNonFinite(arrays[k]!);
    if (bad < 0) continue;
    const what = FINITE_NAMES[k]!;
    const node = r.nodes[bad]!;
    const message = Number.isNaN(arrays[k]![bad])
      ? `the ${what} of node "${node}" is undefined (a mechanism is evaluated outside its domain for this evidence, e.g. sqrt or log of a negative number); check the expressions or the evidence`
      : `the ${what} of node "${node}" is not a finite number (the mechanisms overflow for this evidence); use smaller evidence or intervention values`;
    throw new DomainError('NON_FINITE_RESULT', message, [{ path: prefix, node, message }]);
  }
  const ex = r.explanation;
  if (ex) {
    for (const n of ex.nodes) {
      let finite = Number.isFinite(n.change) && Number.isFinite(n.otherPaths);
      for (const c of n.contributions) finite &&= Number.isFinite(c.amount);
      for (const p of n.paths) finite &&= Number.isFinite(p.amount);
      if (!finite) {
        const message = `the explanation of node "${n.node}" is not finite (the mechanisms overflow for this evidence)`;
        throw new DomainError('NON_FINITE_RESULT', message, [{ path: prefix, node: n.node, message }]);
      }
    }
  }
  if (r.structured) {
    const s = r.structured;
    const bad =
      !Number.isFinite(s.misfit) ||
      firstNonFinite(s.to) >= 0 ||
      firstNonFinite(s.share) >= 0 ||
      firstNonFinite(s.residual) >= 0;
    if (bad) {
      const message = 'the structured action did not converge to finite latent values; use smaller targets';
      throw new DomainError('NON_FINITE_RESULT', message, [{ path: prefix, message }]);
    }
  }
}

/**
 * The node indices a request's `nodes` selects, in its order (duplicates dropped); null when it
 * selects none (every node is returned). An unknown id is a 400 UNKNOWN_NODE naming it.
 */
export function selectNodes(program: Program, nodes: readonly string[] | undefined): number[] | null {
  if (!nodes) return null;
  // The same selection as the program's last one (a client asking for the same nodes every time):
  // the same index array, which the record builders then find by identity.
  const last = lastSelection.get(program);
  if (last && sameIds(last.nodes, nodes)) return last.only;
  const only = selectIndices(program, nodes);
  lastSelection.set(program, { nodes: [...nodes], only });
  return only;
}

/** The last `nodes` selection per program, and its indices (read-only: callers share them). */
const lastSelection = new WeakMap<Program, { nodes: readonly string[]; only: number[] }>();

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function selectIndices(program: Program, nodes: readonly string[]): number[] {
  const out = new Set<number>();
  const details: Array<{ path: string; node: string; message: string }> = [];
  for (let i = 0; i < nodes.length; i++) {
    const id = nodes[i]!;
    const k = program.index.get(id);
    if (k !== undefined) out.add(k);
    else
      details.push({
        path: `nodes.${i}`,
        node: id,
        message: `unknown node "${id}" in graph "${program.id}"; GET /v1/graphs/${program.id} lists its nodes`,
      });
  }
  if (details.length) throw new DomainError('UNKNOWN_NODE', details[0]!.message, details);
  return [...out];
}

export function toApiResult(
  r: CounterfactualResult,
  query: QueryInput,
  only: number[] | null = null,
): ApiResult {
  const { nodes } = r;
  const record = recordBuilder(nodes, only);
  const nullable = (a: Float64Array | null) => (a ? record(a) : null);
  const out: ApiResult = {
    evidence: r.evidence,
    counterfactual: record(r.counterfactual),
    counterfactualSd: nullable(r.counterfactualSd),
    factual: record(r.factual),
    factualSd: nullable(r.factualSd),
    noise: record(r.noise),
    noiseSd: nullable(r.noiseSd),
    // Built fresh per query by the engine with the API's fields, in its order: sent as they are.
    actions: r.actions,
    structured: null,
  };
  const s = r.structured;
  if (s) {
    const targetValue = new Map<string, number>();
    for (const iv of query.interventions ?? [])
      if (INTERVENTION_TYPES[iv.type].movesLatentParents) targetValue.set(iv.node, iv.value);
    const nv = s.targets.length;
    out.structured = {
      lambda: s.lambda,
      latents: s.latents.map((h, j) => ({ node: nodes[h]!, factual: s.from[j]!, value: s.to[j]! })),
      targets: s.targets.map((v, q) => ({
        node: nodes[v]!,
        target: targetValue.get(nodes[v]!) ?? r.counterfactual[v]!,
        residual: s.residual[q]!,
      })),
      share: s.latents.map((_, j) => {
        // A plain loop: Array.from over a typed subarray goes through the iterator protocol (~3 µs).
        const row = new Array<number>(nv);
        for (let q = 0; q < nv; q++) row[q] = s.share[j * nv + q]!;
        return row;
      }),
      misfit: s.misfit,
      iterations: s.iterations,
    };
  }
  if (r.explanation) {
    const e = r.explanation;
    out.explanation = {
      method: e.method,
      ...(e.evaluations !== undefined ? { evaluations: e.evaluations } : {}),
      truncated: e.truncated,
      // The engine's node explanations are built fresh per query in the API's shape (the same
      // fields, in the same order): sent as they are, not copied (RESPONSE_VALIDATION checks it).
      nodes: e.nodes,
      omittedNodes: e.omittedNodes,
    };
  }
  return out;
}

/**
 * The radar chart of a result's value nodes: factual vs counterfactual, with the do()/structured targets.
 * Graphs on the `centered` scale (the bundled value systems) are drawn on COUPLE's 1–5 scale; others
 * on the range of their numbers. Null when the graph has no value nodes.
 */
export function resultChart(program: Program, r: CounterfactualResult, query: QueryInput): string | null {
  const ids = program.ids.filter((_, i) => program.kinds[i] === 'value');
  if (!ids.length) return null;
  const centered = program.graph.scale === 'centered';
  const show = (x: number) => (centered ? Math.min(5, Math.max(1, fromCenteredScore(x, 'likert5'))) : x);
  const targets = new Map<string, number>();
  for (const iv of query.interventions ?? []) if (isLevel(iv.type)) targets.set(iv.node, iv.value);
  const label = (id: string) => program.graph.nodes.find((n) => n.id === id)?.label ?? id;
  const values = ids.map((id) => {
    const i = program.index.get(id)!;
    const t = targets.get(id);
    return {
      id,
      label: label(id),
      factual: show(r.factual[i]!),
      counterfactual: show(r.counterfactual[i]!),
      target: t === undefined ? null : show(t),
    };
  });
  let scale = { min: 1, max: 5, label: SCALES.likert5.label };
  if (!centered) {
    const all = values.flatMap((v) => [
      v.factual,
      v.counterfactual,
      ...(v.target === null ? [] : [v.target]),
    ]);
    const lo = Math.floor(Math.min(...all));
    const hi = Math.ceil(Math.max(...all));
    scale = { min: lo, max: hi > lo ? hi : lo + 1, label: program.graph.scale ?? 'node values' };
  }
  return radarChart({
    values,
    scale,
    title: `Counterfactual on ${program.id}`,
    order: program.graph.nodes.filter((n) => n.kind === 'value').map((n) => n.id),
  });
}

/** Run one query; throws DomainError (paths prefixed with `prefix`) on a bad query. */
export function runQuery(
  program: Program,
  query: QueryInput,
  explain: ExplainOptions | false,
  prefix = '',
  chart = false,
  only: number[] | null = null,
): ApiResult {
  const q: CounterfactualQuery = { evidence: query.evidence ?? {}, interventions: query.interventions ?? [] };
  if (query.lambda !== undefined) q.lambda = query.lambda;
  if (explain) q.explain = explain;
  let r: CounterfactualResult;
  try {
    r = counterfactual(program, q);
  } catch (err) {
    if (err instanceof ScmError) throw withNodeSuggestions(fromScmError(err, prefix), program);
    throw err;
  }
  checkFinite(r, prefix);
  const out = toApiResult(r, query, only);
  const svg = chart ? resultChart(program, r, query) : null;
  return svg ? { ...out, chart: svg } : out;
}

export type BatchResultItem =
  { index: number; ok: true; result: ApiResult } | { index: number; ok: false; error: ApiErrorBody };

/** Run a batch: each query gets its result or its error; an unexpected failure still fails the request. */
export function runBatch(
  program: Program,
  queries: readonly QueryInput[],
  explain: ExplainOptions | false,
  chart = false,
  only: number[] | null = null,
): BatchResultItem[] {
  return queries.map((query, index) => {
    try {
      return { index, ok: true, result: runQuery(program, query, explain, `queries.${index}`, chart, only) };
    } catch (err) {
      if (err instanceof DomainError) return { index, ok: false, error: err.toEnvelope().error };
      throw err;
    }
  });
}
