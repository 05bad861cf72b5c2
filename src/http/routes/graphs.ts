import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses, GraphDetail, GraphList, GraphParams, NoQuery } from '../../../schemas/api.js';
import type { GraphEntry } from '../../graphs/registry.js';
import type { RouteDeps } from './deps.js';

function summary(e: GraphEntry) {
  const f = e.file;
  const nodes = { latent: 0, value: 0, concept: 0 };
  for (const n of f.nodes) nodes[n.kind]++;
  return {
    id: e.id,
    version: e.version,
    hash: e.hash,
    ...(f.title !== undefined ? { title: f.title } : {}),
    ...(f.description !== undefined ? { description: f.description } : {}),
    ...(f.scale !== undefined ? { scale: f.scale } : {}),
    nodes,
    edges: f.edges.length,
    linear: e.program.linear,
    ...(f.provenance !== undefined ? { provenance: f.provenance } : {}),
  };
}

export const graphRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    '/v1/graphs',
    {
      schema: {
        operationId: 'listGraphs',
        summary: 'List the bundled graphs',
        description:
          'Every graph loaded at boot from GRAPHS_DIR, with its version hash, node counts and provenance.',
        tags: ['graphs'],
        querystring: NoQuery,
        response: {
          200: GraphList.describe('The loaded graphs, by id.'),
          ...errorResponses({ 400: ['VALIDATION_FAILED'], 500: ['INTERNAL'], 503: ['SHUTTING_DOWN'] }),
        },
      },
    },
    async () => ({ graphs: store.list().map(summary) }),
  );

  app.get(
    '/v1/graphs/:id',
    {
      schema: {
        operationId: 'getGraph',
        summary: 'Get one graph with its definition',
        description:
          'The whole definition (nodes, mechanisms, edges), its version hash and provenance. The `ETag` header is the hash.',
        tags: ['graphs'],
        params: GraphParams,
        response: {
          200: GraphDetail.describe('The graph.'),
          ...errorResponses({
            400: ['VALIDATION_FAILED'],
            404: ['UNKNOWN_GRAPH'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN'],
          }),
        },
      },
    },
    async (request, reply) => {
      const entry = store.get(request.params.id, 'params.id');
      reply.header('etag', `"${entry.hash}"`);
      return { ...summary(entry), definition: entry.file };
    },
  );
};
