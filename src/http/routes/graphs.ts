/**
 * The graphs: list and read (scope `read`), bundled and custom alike; upload, version and delete custom
 * graphs (scope `admin`). A write is answered only once it is durably committed to the database.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  errorResponses,
  GraphDeleted,
  GraphDetail,
  GraphList,
  GraphParams,
  GraphQuery,
  GraphUpload,
  GraphVersionList,
  GraphVersionUpload,
  GraphWriteResult,
  NoQuery,
} from '../../../schemas/api.js';
import { routeScope } from '../auth.js';
import { ApiError } from '../api-error.js';
import { StorageWriteError, type ListedGraph, type WriteResult } from '../../graphs/store.js';
import type { RouteDeps } from './deps.js';

function summary({ entry: e, source, custom }: ListedGraph) {
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
    source,
    ...(custom ? { custom } : {}),
  };
}

/** Run a database write; a storage failure is a 503 that says nothing was stored (the cause is logged). */
function durably(
  log: FastifyBaseLogger,
  requestId: string,
  write: () => Promise<WriteResult>,
): Promise<WriteResult>;
function durably(log: FastifyBaseLogger, requestId: string, write: () => Promise<number>): Promise<number>;
async function durably<T>(log: FastifyBaseLogger, requestId: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof StorageWriteError)) throw err;
    log.error({ err: err.cause }, 'graph database write failed');
    throw new ApiError(
      'STORAGE_UNAVAILABLE',
      `the graph database could not store the graph, nothing was stored; retry later and quote request id ${requestId} if it persists`,
    );
  }
}

const READ_ERRORS = { 400: ['VALIDATION_FAILED'], 404: ['UNKNOWN_GRAPH'], 500: ['INTERNAL'] } as const;
const WRITE_BODY_ERRORS = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'GRAPH_INVALID',
  'GRAPH_CYCLE',
  'GRAPH_TOO_LARGE',
] as const;

export const graphRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { store }) => {
  app.get(
    '/v1/graphs',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'listGraphs',
        summary: 'List the graphs',
        description:
          'Every graph served by id: the bundled ones (loaded at boot from GRAPHS_DIR, `source: bundled`) and the custom ones (uploaded, `source: custom`, current version), with version hash, node counts and provenance.',
        tags: ['graphs'],
        querystring: NoQuery,
        response: {
          200: GraphList.describe('The graphs, by id.'),
          ...errorResponses({ 400: ['VALIDATION_FAILED'], 500: ['INTERNAL'], 503: ['SHUTTING_DOWN'] }),
        },
      },
    },
    async () => ({ graphs: store.listDetailed().map(summary) }),
  );

  app.get(
    '/v1/graphs/:id',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'getGraph',
        summary: 'Get one graph with its definition',
        description:
          'The whole definition (nodes, mechanisms, edges), its version hash and provenance; `?version=<hash>` gets an older version of a custom graph. The `ETag` header is the hash.',
        tags: ['graphs'],
        params: GraphParams,
        querystring: GraphQuery,
        response: {
          200: GraphDetail.describe('The graph.'),
          ...errorResponses({
            ...READ_ERRORS,
            404: ['UNKNOWN_GRAPH', 'UNKNOWN_GRAPH_VERSION'],
            503: ['SHUTTING_DOWN'],
          }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      const { version } = request.query;
      const found =
        version === undefined
          ? { ...store.getListed(id, 'params.id'), current: true }
          : await store.getVersion(id, version);
      reply.header('etag', `"${found.entry.hash}"`);
      return { ...summary(found), current: found.current, definition: found.entry.file };
    },
  );

  app.get(
    '/v1/graphs/:id/versions',
    {
      config: routeScope('read'),
      schema: {
        operationId: 'listGraphVersions',
        summary: 'List the versions of a graph',
        description:
          'Every stored version of a custom graph (content hash, `version` field, upload time), newest first; a bundled graph has one.',
        tags: ['graphs'],
        params: GraphParams,
        querystring: NoQuery,
        response: {
          200: GraphVersionList.describe('The versions.'),
          ...errorResponses({ ...READ_ERRORS, 503: ['SHUTTING_DOWN'] }),
        },
      },
    },
    async (request) => {
      const { graph, versions } = await store.versions(request.params.id);
      return { id: graph.entry.id, source: graph.source, current: graph.entry.hash, versions };
    },
  );

  app.post(
    '/v1/graphs',
    {
      config: routeScope('admin'),
      schema: {
        operationId: 'createGraph',
        summary: 'Upload a custom graph',
        description:
          'Validated exactly like the bundled graphs (structure, acyclicity, mechanisms) and capped (MAX_INLINE_GRAPH_NODES, MAX_GRAPH_EDGES, MAX_EXPRESSION_LENGTH); stored durably (answered only once committed) and served by id from then on, in `POST /v1/counterfactuals` too. The id must be free: bundled ids are read-only, and `PUT /v1/graphs/{id}` adds versions.',
        tags: ['graphs'],
        body: GraphUpload,
        response: {
          201: GraphWriteResult.describe('Created; `Location` is its URL and `ETag` its hash.'),
          ...errorResponses({
            400: WRITE_BODY_ERRORS,
            409: ['GRAPH_EXISTS', 'GRAPH_READ_ONLY', 'GRAPH_QUOTA_EXCEEDED'],
            413: ['BODY_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN', 'STORAGE_UNAVAILABLE'],
          }),
        },
      },
    },
    async (request, reply) => {
      const r = await durably(request.log, request.id, () => store.write(request.body, 'create'));
      request.log.info(
        { graph: r.graph.entry.id, hash: r.graph.entry.hash, outcome: r.outcome, apiKey: request.apiKeyName },
        'graph stored',
      );
      reply
        .code(201)
        .header('location', `/v1/graphs/${r.graph.entry.id}`)
        .header('etag', `"${r.graph.entry.hash}"`);
      return { ...summary(r.graph), outcome: r.outcome };
    },
  );

  app.put(
    '/v1/graphs/:id',
    {
      config: routeScope('admin'),
      schema: {
        operationId: 'putGraph',
        summary: 'Add a version of a custom graph (or create it)',
        description:
          'The body is the whole new definition; its `id` must be the id in the path. It becomes the current version (older versions stay readable with `?version=`). Sending a definition that is already stored changes nothing (`unchanged`) or makes that older version current again (`restored`). 201 when the graph did not exist, 200 otherwise.',
        tags: ['graphs'],
        params: GraphParams,
        body: GraphVersionUpload,
        response: {
          200: GraphWriteResult.describe('Stored; `ETag` is the hash of the current version.'),
          201: GraphWriteResult.describe('Created.'),
          ...errorResponses({
            400: WRITE_BODY_ERRORS,
            409: ['GRAPH_READ_ONLY', 'GRAPH_QUOTA_EXCEEDED'],
            413: ['BODY_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN', 'STORAGE_UNAVAILABLE'],
          }),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (request.body.id !== id) {
        const message = `the definition's id "${request.body.id}" is not the id in the path "${id}"; they must be the same`;
        throw new ApiError('VALIDATION_FAILED', `the request body is invalid: id: ${message}`, [
          { path: 'id', message },
        ]);
      }
      const r = await durably(request.log, request.id, () => store.write(request.body, 'upsert'));
      request.log.info(
        { graph: id, hash: r.graph.entry.hash, outcome: r.outcome, apiKey: request.apiKeyName },
        'graph stored',
      );
      reply.header('etag', `"${r.graph.entry.hash}"`);
      if (r.outcome === 'created') reply.code(201).header('location', `/v1/graphs/${id}`);
      return { ...summary(r.graph), outcome: r.outcome };
    },
  );

  app.delete(
    '/v1/graphs/:id',
    {
      config: routeScope('admin'),
      schema: {
        operationId: 'deleteGraph',
        summary: 'Delete a custom graph',
        description:
          'Deletes the graph and every stored version, durably; its id is free again. Bundled graphs cannot be deleted.',
        tags: ['graphs'],
        params: GraphParams,
        querystring: NoQuery,
        response: {
          200: GraphDeleted.describe('Deleted.'),
          ...errorResponses({
            ...READ_ERRORS,
            409: ['GRAPH_READ_ONLY'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN', 'STORAGE_UNAVAILABLE'],
          }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      const versions = await durably(request.log, request.id, () => store.delete(id));
      request.log.info({ graph: id, versions, apiKey: request.apiKeyName }, 'graph deleted');
      return { id, deleted: true as const, versions };
    },
  );
};
