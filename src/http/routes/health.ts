import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, Health, NoQuery, OpenApiDocument, Readiness } from '../../../schemas/api.js';
import { routeScope } from '../auth.js';
import { unreachable } from '../backends.js';
import { ApiError } from '../api-error.js';
import type { RouteDeps } from './deps.js';

export const healthRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store, state }) => {
  app.get(
    '/healthz',
    {
      config: routeScope('public', 'liveness'),
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness',
        description: 'Answers 200 while the process is up.',
        tags: ['health'],
        querystring: NoQuery,
        response: {
          200: Health.describe('Alive.'),
          ...errorResponses({ 400: ['VALIDATION_FAILED'], 500: ['INTERNAL'], 503: ['SHUTTING_DOWN'] }),
        },
      },
    },
    async () => ({ status: 'ok' as const, uptimeSeconds: (Date.now() - state.startedAt) / 1000 }),
  );

  app.get(
    '/readyz',
    {
      config: routeScope('public', 'readiness'),
      schema: {
        operationId: 'getReadiness',
        summary: 'Readiness',
        description:
          'Answers 200 once the graphs are loaded and the server accepts traffic; 503 while starting or shutting down, or while a shared backend it needs (the graph database of DATABASE_URL, the Redis of REDIS_URL) does not answer. Needs no key, so it names the bundled graphs only and counts the custom ones.',
        tags: ['health'],
        querystring: NoQuery,
        response: {
          200: Readiness.describe('Ready: the graphs are loaded.'),
          ...errorResponses({
            400: ['VALIDATION_FAILED'],
            500: ['INTERNAL'],
            503: ['NOT_READY', 'SHUTTING_DOWN'],
          }),
        },
      },
    },
    async () => {
      if (!state.ready) throw new ApiError('NOT_READY', 'the service is not ready: graphs are still loading');
      const down = await unreachable(state.backends ?? []);
      await store.refresh();
      if (down.length > 0 || !store.reachable) {
        const names = down.length > 0 ? down : ['the graph database (DATABASE_URL)'];
        throw new ApiError('NOT_READY', `the service is not ready: ${names.join(' and ')} cannot be reached`);
      }
      return {
        status: 'ready' as const,
        // Anyone may probe: the bundled graphs only (custom graphs' ids need the `read` scope).
        graphs: [...store.bundled.values()].map((e) => ({ id: e.id, version: e.version, hash: e.hash })),
        customGraphs: store.list().length - store.bundled.size,
      };
    },
  );

  app.get(
    '/openapi.json',
    {
      config: routeScope('public'),
      schema: {
        operationId: 'getOpenApi',
        summary: 'This API as OpenAPI 3.1',
        description:
          'The OpenAPI document generated from the route schemas (the same as openapi.yaml in the repository).',
        tags: ['health'],
        querystring: NoQuery,
        response: {
          200: OpenApiDocument.describe('The OpenAPI document.'),
          ...errorResponses({ 400: ['VALIDATION_FAILED'], 500: ['INTERNAL'], 503: ['SHUTTING_DOWN'] }),
        },
      },
    },
    async () =>
      app.swagger() as unknown as {
        openapi: string;
        info: { title: string; version: string };
        paths: Record<string, unknown>;
      },
  );
};
