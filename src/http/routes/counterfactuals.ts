import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CounterfactualBody, CounterfactualResponse, errorResponses } from '../../../schemas/api.js';
import { explainOptions, runBatch, runQuery, selectNodes } from '../counterfactuals.js';
import { routeScope } from '../auth.js';
import { toGraphUnits, type UnitQuery } from '../counterfactual-units.js';
import { ApiError } from '../errors.js';
import type { RouteDeps } from './deps.js';

export const counterfactualRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  const { store, config } = deps;
  app.post(
    '/v1/counterfactuals',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'runCounterfactuals',
        summary: 'Run counterfactual queries on a value graph',
        description:
          'Abduction → action → prediction on a bundled or custom graph (by id) or an inline graph definition. Full evidence (a value for every node) gives exact values; partial evidence gives posterior means with standard deviations (linear graphs). Interventions: `do`, `shift`, `structured`. Send one query at the top level, or a batch in `queries` (each item then has its own result or error, and the response is 200 as long as the request itself is valid). The response names the graph version (`graph.hash`) that answered.',
        tags: ['counterfactuals'],
        body: CounterfactualBody,
        response: {
          200: CounterfactualResponse.describe('The counterfactual result (one query) or results (batch).'),
          ...errorResponses({
            400: [
              'VALIDATION_FAILED',
              'MALFORMED_JSON',
              'UNKNOWN_NODE',
              'INVALID_QUERY',
              'GRAPH_INVALID',
              'GRAPH_CYCLE',
              'GRAPH_TOO_LARGE',
              'BATCH_TOO_LARGE',
            ],
            404: ['UNKNOWN_GRAPH'],
            413: ['BODY_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            422: ['UNSUPPORTED_QUERY', 'NON_FINITE_RESULT'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN'],
          }),
        },
      },
      // Refuse an oversized batch before validating every one of its queries.
      preValidation: async (request) => {
        const queries = (request.body as { queries?: unknown } | null)?.queries;
        if (Array.isArray(queries) && queries.length > config.maxBatchSize) {
          const message = `the batch has ${queries.length} queries; at most ${config.maxBatchSize} are allowed (MAX_BATCH_SIZE); split it into several requests`;
          throw new ApiError('BATCH_TOO_LARGE', message, [{ path: 'queries', message }]);
        }
      },
    },
    async (request) => {
      const body = request.body;
      const { entry, source } = store.resolve(body.graph);
      const graph = { id: entry.id, version: entry.version, hash: entry.hash, source };
      const only = selectNodes(entry.program, body.nodes);
      const explain = explainOptions(body.explain, body.maxPaths, body.maxNodes, body.nodes);
      const time = <T>(mode: 'single' | 'batch', run: () => T): T =>
        deps.metrics ? deps.metrics.timeCounterfactual(mode, run) : run();
      // Value scores on the caller's scale, in the graph's units; warnings for far-out numbers.
      const units = (q: UnitQuery, prefix = '') => toGraphUnits(entry.program, entry.file.scale, q, prefix);
      const noted = <R extends object>(result: R, notes: string[]) =>
        notes.length ? { ...result, notes } : result;
      if (body.queries !== undefined) {
        const converted = body.queries.map((q, i) => units(q, `queries.${i}`));
        const queries = converted.map((c) => c.query);
        const results = time('batch', () => runBatch(entry.program, queries, explain, body.chart, only));
        return {
          graph,
          results: results.map((r) =>
            r.ok ? { ...r, result: noted(r.result, converted[r.index]!.notes) } : r,
          ),
        };
      }
      const { query, notes } = units(body);
      return {
        graph,
        result: noted(
          time('single', () => runQuery(entry.program, query, explain, '', body.chart, only)),
          notes,
        ),
      };
    },
  );
};
