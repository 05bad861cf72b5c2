import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { CounterfactualBody, CounterfactualResponse, errorResponses } from '../../../schemas/api.js';
import { runCounterfactualRequest } from '../../compute/counterfactual-request.js';
import { requestWork } from '../../compute/estimate.js';
import { ComputePool } from '../../compute/pool.js';
import { routeScope } from '../auth.js';
import { ApiError } from '../api-error.js';
import type { RouteDeps } from './deps.js';

export const counterfactualRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, deps) => {
  const { store, config } = deps;
  // Work budget: small requests run here; the rest on worker threads, each under a time budget.
  const budget = config.counterfactualBudget;
  let pool = deps.compute;
  if (!pool) {
    const own = new ComputePool(budget, (err) => app.log.error({ err }, 'counterfactual worker failed'));
    if (deps.metrics) deps.metrics.computePool = own;
    app.addHook('onClose', async () => own.close());
    pool = own;
  }
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
            422: ['UNSUPPORTED_QUERY', 'NON_FINITE_RESULT', 'WORK_BUDGET_EXCEEDED'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN', 'OVERLOADED'],
          }),
        },
      },
      // Refuse an oversized batch before validating every one of its queries (a callback hook: no
      // promise per request).
      preValidation: (request, _reply, done) => {
        const queries = (request.body as { queries?: unknown } | null)?.queries;
        if (Array.isArray(queries) && queries.length > config.maxBatchSize) {
          const message = `the batch has ${queries.length} queries; at most ${config.maxBatchSize} are allowed (MAX_BATCH_SIZE); split it into several requests`;
          done(new ApiError('BATCH_TOO_LARGE', message, [{ path: 'queries', message }]));
          return;
        }
        done();
      },
    },
    async (request) => {
      const body = request.body;
      const resolved = store.prepare(body.graph, budget.inlineCompileNodes);
      const mode = body.queries !== undefined ? 'batch' : 'single';
      const start = performance.now();
      try {
        if ('entry' in resolved) {
          const { entry, source } = resolved;
          const graph = { id: entry.id, version: entry.version, hash: entry.hash, source };
          if (requestWork(entry.program, body) <= budget.inlineWork)
            return { graph, ...runCounterfactualRequest(entry.program, entry.file.scale, body) };
          const job = { hash: entry.hash, file: entry.file, inline: source === 'inline' };
          return { graph, ...(await pool.run(job, body)) };
        }
        const { file, hash } = resolved;
        const graph = { id: file.id, version: file.version, hash, source: resolved.source };
        return { graph, ...(await pool.run({ hash, file, inline: true }, body)) };
      } finally {
        deps.metrics?.observeCounterfactual(mode, (performance.now() - start) / 1000);
      }
    },
  );
};
