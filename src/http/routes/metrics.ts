/**
 * `GET /metrics`: Prometheus metrics of this process (see ../metrics.ts). Scope `read`: with API keys
 * configured, the scraper sends a key with the `read` scope (Prometheus: `authorization: { credentials }`
 * in the scrape config); without keys it is open like every route.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, NoQuery } from '../../../schemas/api.js';
import { MetricsResponse } from '../../../schemas/prometheus.js';
import { routeScope } from '../auth.js';
import type { AppMetrics } from '../prometheus.js';
import type { RouteDeps } from './deps.js';

export const metricsRoutes: FastifyPluginAsyncZod<RouteDeps & { metrics: AppMetrics }> = async (
  app,
  { metrics },
) => {
  app.get(
    '/metrics',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'getMetrics',
        summary: 'Prometheus metrics',
        description:
          'The metrics of this process in Prometheus text format. Request counters and latency histograms are labelled by route pattern (e.g. `/v1/graphs/:id`) and status; upstream metrics by generator and upstream base URL.',
        tags: ['health'],
        querystring: NoQuery,
        response: {
          200: MetricsResponse,
          ...errorResponses({ 400: ['VALIDATION_FAILED'], 500: ['INTERNAL'], 503: ['SHUTTING_DOWN'] }),
        },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.scrape();
      return reply.type(contentType).header('cache-control', 'no-cache').send(body);
    },
  );
};
