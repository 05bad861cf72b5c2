/**
 * Batch jobs, in the shape of OpenAI's Batch API: `POST /v1/batches` (a JSONL input, as the raw body
 * with `Content-Type: application/jsonl` / `application/x-ndjson`, or JSON `{"input": "<jsonl>"}`),
 * `GET /v1/batches`, `GET /v1/batches/{id}`, `GET /v1/batches/{id}/output` (JSONL),
 * `POST /v1/batches/{id}/cancel`.
 *
 * Batches belong to the API key that created them (its name); other keys get 404 UNKNOWN_BATCH. In open
 * mode (no keys configured) every caller is the same owner. Work is done by the embedded queue
 * (src/batch/embedded.ts) with BATCH_CONCURRENCY lines at once.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorResponses } from '../../../schemas/api.js';
import {
  BatchBody,
  BatchCreate,
  BatchCreatedBody,
  BatchListBody,
  BatchListQuery,
  BatchOutputResponse,
  BatchParams,
} from '../../../schemas/batch.js';
import { SqliteBackend, type BatchBackend } from '../../batch/backend.js';
import { parseBatchInput } from '../../batch/input.js';
import { BatchQuotaError } from '../../batch/quota.js';
import { BatchDb } from '../../batch/store.js';
import { routeScope } from '../auth.js';
import { ApiError } from '../api-error.js';
import type { AlignRouteDeps } from './align.js';

const READ_ERRORS = {
  400: ['VALIDATION_FAILED'],
  404: ['UNKNOWN_BATCH'],
  500: ['INTERNAL'],
  503: ['SHUTTING_DOWN'],
} as const;

export const batchRoutes: FastifyPluginAsyncZod<AlignRouteDeps> = async (app, deps) => {
  const { config } = deps;
  // REDIS_URL: records in Redis, lines on BullMQ for `pluralign worker`; otherwise SQLite + our own queue.
  // BullMQ and ioredis load only with REDIS_URL (they add to every start-up otherwise).
  const limits = { quota: config.batch.quota, retentionSeconds: config.batch.retentionSeconds };
  const backend: BatchBackend = config.batch.redis
    ? new (await import('../../batch/redis.js')).RedisBackend(config.batch.redis, limits)
    : new SqliteBackend(
        BatchDb.open(config.dataDir),
        async () => {
          await deps.store.refresh();
          return { ...deps.align, graphs: deps.store.servedGraphs() };
        },
        config.batch.concurrency,
        app.log,
        limits,
      );
  app.addHook('onReady', async () => backend.start());
  app.addHook('onClose', async () => backend.close(Math.floor(config.shutdownTimeoutMs / 2)));

  // The raw JSONL body becomes `{ input }`, so both forms meet the same schema.
  app.addContentTypeParser(
    ['application/jsonl', 'application/x-ndjson'],
    { parseAs: 'string' },
    (_request, body, done) => done(null, { input: body as string }),
  );

  const owner = (request: { apiKeyName?: string }) => request.apiKeyName ?? '';
  const unknown = (id: string) =>
    new ApiError('UNKNOWN_BATCH', `no batch "${id}" for this API key; GET /v1/batches lists yours`);

  app.post(
    '/v1/batches',
    {
      config: routeScope('align'),
      bodyLimit: config.batch.maxBytes,
      schema: {
        operationId: 'createBatch',
        summary: 'Submit a batch of align and attribution requests',
        description: `One request per input line, \`{"custom_id", "url", "body"}\` with \`url\` \`/v1/align\`, \`/v1/attributions\` or \`/v1/decisions\` and \`body\` that route's request (no streaming). The lines are checked before anything is stored: a line that is not a JSON object, lacks a \`custom_id\`, repeats one or names another \`url\` rejects the batch (400 \`BATCH_INVALID_INPUT\`, every bad line in \`details\`). A \`body\` that fails its route's schema only fails its own line at run time. At most BATCH_MAX_LINES lines and BATCH_MAX_BYTES bytes; at most BATCH_QUOTA_LINES lines queued or running and BATCH_QUOTA_BYTES bytes of unfinished input per API key, over all replicas (429 \`BATCH_QUOTA_EXCEEDED\`), and a finished batch is deleted BATCH_RETENTION_SECONDS after it finished. The batch belongs to the calling API key.`,
        tags: ['batches'],
        body: BatchCreate,
        response: {
          200: BatchCreatedBody,
          ...errorResponses({
            400: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'BATCH_INVALID_INPUT'],
            413: ['BODY_TOO_LARGE', 'BATCH_TOO_MANY_LINES'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            429: ['BATCH_QUOTA_EXCEEDED'],
            500: ['INTERNAL'],
            503: ['SHUTTING_DOWN', 'STORAGE_UNAVAILABLE'],
          }),
        },
      },
    },
    async (request) => {
      const parsed = parseBatchInput(request.body.input, config.batch.maxLines);
      if (!parsed.ok) {
        if (parsed.tooMany) {
          throw new ApiError(
            'BATCH_TOO_MANY_LINES',
            `the input has ${parsed.count} lines; at most ${config.batch.maxLines} (BATCH_MAX_LINES) per batch`,
          );
        }
        throw new ApiError(
          'BATCH_INVALID_INPUT',
          `${parsed.problems.length} malformed input line(s): ${parsed.problems
            .slice(0, 10)
            .map((p) => p.line)
            .join(', ')}${parsed.problems.length > 10 ? ', …' : ''}`,
          parsed.problems.slice(0, 1000).map((p) => ({ path: `line.${p.line}`, message: p.message })),
        );
      }
      let batch;
      try {
        batch = await backend.create(owner(request), parsed.lines, request.body.metadata ?? null);
      } catch (err) {
        if (err instanceof BatchQuotaError) throw new ApiError('BATCH_QUOTA_EXCEEDED', err.message);
        request.log.error({ err }, 'storing a batch failed');
        throw new ApiError('STORAGE_UNAVAILABLE', 'the batch could not be stored or queued; retry later');
      }
      request.log.info({ batch: batch.id, lines: parsed.lines.length }, 'batch queued');
      return batch;
    },
  );

  app.get(
    '/v1/batches',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'listBatches',
        summary: 'List your batches',
        description: 'The batches of the calling API key, newest first (`after` pages on).',
        tags: ['batches'],
        querystring: BatchListQuery,
        response: {
          200: BatchListBody,
          ...errorResponses({ 400: ['VALIDATION_FAILED'], 500: ['INTERNAL'], 503: ['SHUTTING_DOWN'] }),
        },
      },
    },
    async (request) => {
      const { limit, after } = request.query;
      const rows = await backend.list(owner(request), limit + 1, after);
      return { object: 'list' as const, data: rows.slice(0, limit), has_more: rows.length > limit };
    },
  );

  app.get(
    '/v1/batches/:id',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'getBatch',
        summary: 'A batch and its progress',
        description: 'Status, request counts (total, completed, failed) and timestamps (Unix seconds).',
        tags: ['batches'],
        params: BatchParams,
        response: { 200: BatchBody, ...errorResponses(READ_ERRORS) },
      },
    },
    async (request) => {
      const batch = await backend.get(owner(request), request.params.id);
      if (!batch) throw unknown(request.params.id);
      return batch;
    },
  );

  app.get(
    '/v1/batches/:id/output',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'getBatchOutput',
        summary: 'The results of a batch (JSONL)',
        description:
          'One line per input line once the batch is `completed` or `cancelled` (cancelled lines carry the error `BATCH_CANCELLED`), in input order; while it runs, the lines finished so far.',
        tags: ['batches'],
        params: BatchParams,
        response: { 200: BatchOutputResponse, ...errorResponses(READ_ERRORS) },
      },
    },
    async (request, reply) => {
      const pages = await backend.output(owner(request), request.params.id);
      if (!pages) throw unknown(request.params.id);
      // Streamed a page of lines at a time, read only as the client takes them (a byte stream: one page
      // buffered at most): a 50,000-line output is never one string. (Fastify sends a stream as is; the
      // schema's type is the JSONL text it carries.)
      const stream = Readable.from(pages, { objectMode: false }) as unknown as string;
      return reply.type('application/jsonl; charset=utf-8').send(stream);
    },
  );

  app.post(
    '/v1/batches/:id/cancel',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'cancelBatch',
        summary: 'Cancel a batch',
        description:
          'Lines not started are dropped (`BATCH_CANCELLED` in the output); lines running finish. The batch is `cancelling`, then `cancelled`. Cancelling a finished batch returns it unchanged.',
        tags: ['batches'],
        params: BatchParams,
        response: { 200: BatchBody, ...errorResponses(READ_ERRORS) },
      },
    },
    async (request) => {
      const batch = await backend.cancel(owner(request), request.params.id);
      if (!batch) throw unknown(request.params.id);
      return batch;
    },
  );
};
