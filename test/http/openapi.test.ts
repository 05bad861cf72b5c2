/**
 * openapi.yaml: in sync with what the app emits, a valid OpenAPI 3.1 document, lint-clean under
 * redocly.yaml, and complete (every operation has an operationId, a summary, examples and its
 * documented error responses in the envelope).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src/errors.js';
import { emitOpenApi } from '../../src/http/emit-openapi.js';
import { makeApp, ROOT } from './helpers.js';

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
type Media = { schema: unknown; example?: unknown; examples?: Record<string, { value: unknown }> };
type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description: string; content?: Record<string, Media> }>;
};

const committed = readFileSync(join(ROOT, 'openapi.yaml'), 'utf8');
const doc = parse(committed) as Doc;
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method, op })),
);

const examplesOf = (m: Media | undefined): unknown[] =>
  m
    ? [
        ...(m.example !== undefined ? [m.example] : []),
        ...Object.values(m.examples ?? {}).map((e) => e.value),
      ]
    : [];

describe('openapi.yaml', () => {
  it('is what the app emits (run `npm run openapi` when this fails)', async () => {
    const { yaml } = await emitOpenApi();
    expect(committed).toBe(yaml);
  });

  it('validates as OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect(Object.keys(api.paths ?? {}).length).toBe(Object.keys(doc.paths).length);
  });

  it('lints clean with redocly (redocly.yaml)', () => {
    const r = spawnSync(
      join(ROOT, 'node_modules', '.bin', 'redocly'),
      ['lint', 'openapi.yaml', '--format=json'],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    const json = r.stdout.slice(r.stdout.indexOf('{'));
    const report = JSON.parse(json) as {
      totals: { errors: number; warnings: number };
      problems: Array<{ message: string }>;
    };
    expect(report.problems.map((p) => p.message)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
    expect(r.status).toBe(0);
  });

  it('documents exactly the routes the app serves (Swagger UI aside)', async () => {
    const app: FastifyInstance = await makeApp();
    const served: string[] = [];
    // printRoutes is for humans; hasRoute answers the exact question for each documented operation.
    for (const { path, method } of operations) {
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      if (app.hasRoute({ method: method.toUpperCase() as 'GET', url })) served.push(`${method} ${path}`);
    }
    await app.close();
    expect(served).toHaveLength(operations.length);
    expect(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort()).toEqual([
      'DELETE /v1/graphs/{id}',
      'GET /healthz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /readyz',
      'GET /v1/batches',
      'GET /v1/batches/{id}',
      'GET /v1/batches/{id}/output',
      'GET /v1/charts/radar.svg',
      'GET /v1/explanations/{id}',
      'GET /v1/graphs',
      'GET /v1/graphs/{id}',
      'GET /v1/graphs/{id}/diagram.svg',
      'GET /v1/graphs/{id}/versions',
      'GET /v1/presets',
      'POST /align',
      'POST /v1/align',
      'POST /v1/attributions',
      'POST /v1/batches',
      'POST /v1/batches/{id}/cancel',
      'POST /v1/chat/completions',
      'POST /v1/counterfactuals',
      'POST /v1/decisions',
      'POST /v1/graphs',
      'POST /v1/profiles/convert',
      'PUT /v1/graphs/{id}',
    ]);
  });

  describe.each(operations)('$method $path', ({ op }) => {
    it('has a unique operationId, a summary and a tag', () => {
      expect(op.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operations.filter((o) => o.op.operationId === op.operationId)).toHaveLength(1);
      expect(op.summary?.length).toBeGreaterThan(3);
      expect(op.tags?.length).toBeGreaterThan(0);
    });

    it('has request examples (when it takes a body) and a 2xx example', () => {
      if (op.requestBody) {
        expect(Object.keys(op.requestBody.content)).toEqual(['application/json']);
        expect(examplesOf(op.requestBody.content['application/json']).length).toBeGreaterThan(0);
      }
      // 200, or 201 for the operations that create (POST /v1/graphs).
      const ok = Object.keys(op.responses).find((s) => s.startsWith('2'))!;
      // JSON, or the one media type of a picture route (image/svg+xml), of /metrics (text/plain) or of
      // a batch output (application/jsonl).
      const content = op.responses[ok]?.content ?? {};
      const media =
        content['application/json'] ??
        content['image/svg+xml'] ??
        content['text/plain'] ??
        content['application/jsonl'];
      expect(examplesOf(media).length).toBeGreaterThan(0);
    });

    it('documents its 4xx and 5xx responses in the envelope, with an example per code', () => {
      const errors = Object.entries(op.responses).filter(([s]) => Number(s) >= 400);
      expect(errors.some(([s]) => s.startsWith('4'))).toBe(true);
      expect(errors.some(([s]) => s === '500')).toBe(true);
      for (const [status, response] of errors) {
        const media = response.content?.['application/json'];
        expect(media).toBeDefined();
        expect(JSON.stringify(media!.schema)).toContain('#/components/schemas/ErrorBody');
        const listed = [...response.description.matchAll(/`([A-Z_]+)`/g)].map((m) => m[1] as ErrorCode);
        expect(listed.length).toBeGreaterThan(0);
        const codes = examplesOf(media).map((e) => (e as { error: { code: ErrorCode } }).error.code);
        expect(codes.sort()).toEqual([...listed].sort());
        for (const code of listed) expect(ERROR_CATALOGUE[code].status).toBe(Number(status));
      }
      if (op.requestBody) {
        for (const s of ['400', '413', '415'])
          expect(op.responses[s], `${op.operationId} ${s}`).toBeDefined();
      }
    });
  });
});

describe('GET /openapi.json and /docs/json', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await makeApp();
  });
  afterAll(() => app.close());

  it('serve the same document as openapi.yaml', async () => {
    const json = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual(doc);
  });
});
