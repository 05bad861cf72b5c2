/**
 * One `POST /v1/counterfactuals` body on a compiled program: the route's work, shared by the event loop
 * (small requests) and the worker threads (the rest; see pool.ts). Throws DomainError on a bad query.
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
  type QueryInput,
} from '../pipeline/counterfactual.js';
import { toGraphUnits, type UnitQuery } from '../pipeline/counterfactual-units.js';
import { structuredNotes } from '../pipeline/structured-notes.js';
import type { Program } from '../scm/index.js';

export type CounterfactualRequest = z.output<typeof CounterfactualBody>;

export type CounterfactualOutcome = { results: BatchResultItem[] } | { result: ApiResult };

/**
 * Value scores on the caller's `scale` are converted to the graph's units first; `notes` warn about
 * numbers far outside the population's range (counterfactual-units.ts).
 */
export function runCounterfactualRequest(
  program: Program,
  graphScale: string | undefined,
  body: CounterfactualRequest,
): CounterfactualOutcome {
  const only = selectNodes(program, body.nodes);
  const explain = explainOptions(body.explain, body.maxPaths, body.maxNodes, body.nodes);
  const units = (q: UnitQuery, prefix = '') => toGraphUnits(program, graphScale, q, prefix);
  const noted = <R extends object>(result: R, unitNotes: string[], q: QueryInput) => {
    const notes = [...unitNotes, ...structuredNotes(program, q.interventions)];
    return notes.length ? { ...result, notes } : result;
  };
  if (body.queries !== undefined) {
    const converted = body.queries.map((q, i) => units(q, `queries.${i}`));
    const results = runBatch(
      program,
      converted.map((c) => c.query),
      explain,
      body.chart,
      only,
    );
    return {
      results: results.map((r) =>
        r.ok ? { ...r, result: noted(r.result, converted[r.index]!.notes, converted[r.index]!.query) } : r,
      ),
    };
  }
  const { query, notes } = units(body);
  return { result: noted(runQuery(program, query, explain, '', body.chart, only), notes, query) };
}
