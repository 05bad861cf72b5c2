/**
 * Schemas of the batch routes (POST /v1/batches, GET /v1/batches[/{id}[/output]], POST
 * /v1/batches/{id}/cancel), following the shape of OpenAI's Batch API. Same conventions as schemas/api.ts.
 */
import { z } from 'zod';

const EXAMPLE_INPUT = [
  '{"custom_id":"q1","url":"/v1/align","body":{"question":"Should I lend money to my brother?","target":{"format":"likert5","values":{"benevolence":5}}}}',
  '{"custom_id":"q2","url":"/v1/attributions","body":{"text":"I always help my family and keep my promises."}}',
].join('\n');

export const BatchCreate = z
  .strictObject({
    input: z
      .string()
      .min(1)
      .describe(
        'The input file as JSONL text: one request per line, `{"custom_id", "url": "/v1/align" | "/v1/attributions" | "/v1/decisions", "method"?: "POST", "body"}`.',
      ),
    metadata: z
      .record(z.string().max(64), z.string().max(512))
      .optional()
      .describe('Free key/value labels kept with the batch (at most 16).'),
  })
  .refine((b) => Object.keys(b.metadata ?? {}).length <= 16, {
    message: 'at most 16 metadata keys',
    path: ['metadata'],
  })
  .meta({
    description:
      'A batch as JSON. The same input can be posted as the raw body with `Content-Type: application/jsonl` (or `application/x-ndjson`).',
    'x-examples': {
      twoLines: { summary: 'One alignment and one attribution', value: { input: EXAMPLE_INPUT } },
    },
  });

export const BatchParams = z.strictObject({
  id: z
    .string()
    .regex(/^batch_[0-9a-f]{24}$/, 'must be a batch id (batch_ and 24 hex digits)')
    .describe('The batch id.'),
});

export const BatchListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Most batches to list (1–100).'),
  after: z.string().optional().describe('List the batches created before this batch id (pagination).'),
});

const ts = z.number().int().nullable();

export const Batch = z
  .object({
    id: z.string(),
    object: z.literal('batch'),
    status: z
      .enum(['in_progress', 'cancelling', 'completed', 'cancelled'])
      .describe('`in_progress` → `completed`, or `cancelling` → `cancelled` after a cancel.'),
    created_at: z.number().int().describe('Unix seconds.'),
    in_progress_at: ts,
    completed_at: ts,
    cancelling_at: ts,
    cancelled_at: ts,
    request_counts: z
      .object({
        total: z.number().int(),
        completed: z.number().int().describe('Lines answered 2xx.'),
        failed: z.number().int().describe('Lines answered with an error.'),
      })
      .describe('Progress: lines done so far.'),
    metadata: z.record(z.string(), z.string()).nullable(),
    output_url: z.string().describe('Where the results are: `GET /v1/batches/{id}/output`.'),
  })
  .meta({ description: 'A batch job and its progress.' });

const EXAMPLE_BATCH = {
  id: 'batch_0123456789abcdef01234567',
  object: 'batch',
  status: 'in_progress',
  created_at: 1795000000,
  in_progress_at: 1795000000,
  completed_at: null,
  cancelling_at: null,
  cancelled_at: null,
  request_counts: { total: 2, completed: 1, failed: 0 },
  metadata: null,
  output_url: '/v1/batches/batch_0123456789abcdef01234567/output',
};

export const BatchBody = Batch.meta({
  description: 'The batch.',
  'x-examples': { batch: { summary: 'A batch half done', value: EXAMPLE_BATCH } },
});

export const BatchCreatedBody = Batch.meta({
  description: 'The batch, queued.',
  'x-examples': {
    created: {
      summary: 'A new batch',
      value: { ...EXAMPLE_BATCH, request_counts: { total: 2, completed: 0, failed: 0 } },
    },
  },
});

export const BatchListBody = z
  .object({
    object: z.literal('list'),
    data: z.array(Batch),
    has_more: z.boolean(),
  })
  .meta({
    description: 'The batches of the calling key, newest first.',
    'x-examples': {
      list: { summary: 'One batch', value: { object: 'list', data: [EXAMPLE_BATCH], has_more: false } },
    },
  });

export const EXAMPLE_OUTPUT = [
  '{"id":"batch_0123456789abcdef01234567_1","custom_id":"q1","response":{"status_code":200,"body":{"answer":"…"}},"error":null}',
  '{"id":"batch_0123456789abcdef01234567_2","custom_id":"q2","response":{"status_code":400,"body":{"error":{"code":"VALIDATION_FAILED","message":"the line body does not match the schema of its url","details":[{"path":"body.text","message":"text must not be empty"}]}}},"error":{"code":"VALIDATION_FAILED","message":"the line body does not match the schema of its url"}}',
].join('\n');

export const BatchOutputResponse = {
  description:
    'The results as JSONL, in input order, one line per finished input line: `{"id", "custom_id", "response": {"status_code", "body"} | null, "error": {"code", "message"} | null}`. `body` is what the route would have answered (its JSON, or the error envelope). While the batch runs, only the finished lines are listed.',
  content: {
    'application/jsonl': {
      schema: z
        .string()
        .describe('JSON lines.')
        .meta({ 'x-examples': { output: { summary: 'One success, one bad line', value: EXAMPLE_OUTPUT } } }),
    },
  },
};
