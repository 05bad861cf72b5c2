/**
 * One `POST /v1/counterfactuals` body on a compiled program: the route's work, shared by the event loop
 * (small requests) and the worker threads (the rest; see pool.ts). Throws ApiError on a bad query.
 */
import type { z } from 'zod';
import type { CounterfactualBody } from '../../schemas/api.js';
import {
  explainOptions,
  runBatch,
  runQuery,
  selectNodes,
  type ApiResult,
  type BatchResultItem,
} from '../pipeline/counterfactual.js';
import type { Program } from '../scm/index.js';

export type CounterfactualRequest = z.output<typeof CounterfactualBody>;

export type CounterfactualOutcome = { results: BatchResultItem[] } | { result: ApiResult };

export function runCounterfactualRequest(
  program: Program,
  body: CounterfactualRequest,
): CounterfactualOutcome {
  const only = selectNodes(program, body.nodes);
  const explain = explainOptions(body.explain, body.maxPaths, body.maxNodes, body.nodes);
  if (body.queries !== undefined)
    return { results: runBatch(program, body.queries, explain, body.chart, only) };
  return { result: runQuery(program, body, explain, '', body.chart, only) };
}
