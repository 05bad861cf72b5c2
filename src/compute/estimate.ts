/**
 * A cheap upper estimate of a counterfactual request's work, in node evaluations, from the graph's
 * size and the request's shape (no engine call). Small requests run on the event loop; the rest go
 * to the worker threads, under the time budget (pool.ts).
 *
 * Per query: a prediction costs n + edges; partial evidence on a linear graph a dense solve (~n³/8);
 * an explanation path products on linear graphs (~n³/8) and, on nonlinear ones, one prediction per
 * Shapley coalition (2^m up to 10 actions, 256 permutations × (m + 1) beyond).
 */
import type { ProfileRequest } from '../pipeline/profile.js';
import type { Program } from '../scm/index.js';
import type { CounterfactualRequest } from './counterfactual-request.js';

type Query = {
  evidence?: Record<string, number> | undefined;
  interventions?: unknown[] | Record<string, number> | undefined;
};

export function queryWork(program: Program, query: Query, explain: boolean): number {
  const n = program.n;
  const predict = n + program.parentIdx.length;
  const cube = (n * n * n) / 8;
  const iv = query.interventions;
  const m = Array.isArray(iv) ? iv.length : iv ? Object.keys(iv).length : 0;
  let work = predict * 2;
  const observed = query.evidence ? Object.keys(query.evidence).length : 0;
  if (observed < n) work += cube;
  if (explain) {
    if (program.linear) work += cube;
    else work += predict * (m <= 10 ? 2 ** m : 256 * (m + 1));
  }
  return work;
}

export function requestWork(program: Program, body: CounterfactualRequest): number {
  const explain = body.explain !== 'none';
  const queries: Query[] = body.queries ?? [body];
  let total = 0;
  for (const q of queries) total += queryWork(program, q, explain);
  return total;
}

/**
 * An alignment's counterfactual profile: one query with the factual values as evidence and a
 * structured (or do) intervention per target value; the structured action adds a regularised least
 * squares over the latents (~n³/8 at most).
 */
export function profileWork(program: Program, req: ProfileRequest): number {
  const query = { evidence: req.factual, interventions: req.target };
  const structured = (req.action ?? 'structured') === 'structured' ? program.n ** 3 / 8 : 0;
  return queryWork(program, query, false) + structured;
}
