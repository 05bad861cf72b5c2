/**
 * API keys, scopes and limits in the OpenAPI document, derived from each route's `config`
 * (`routeScope`), so a route documents what security.ts enforces without repeating it:
 * - `security`: `[]` for public routes, `[{ bearerAuth: [<scope>] }]` otherwise (OpenAPI 3.1 allows
 *   role names in the list of a non-OAuth scheme), and a sentence naming the scope;
 * - error responses: 401 `AUTH_REQUIRED`/`INVALID_API_KEY` and 403 `INSUFFICIENT_SCOPE` (key-protected
 *   routes), 400 `JSON_TOO_DEEP` (routes with a body), 429 `RATE_LIMITED` (all but the health probes),
 *   503 `OVERLOADED` (all but liveness) and `STORAGE_UNAVAILABLE` (all but the probes: a shared backend
 *   is down), merged with the codes the route declares for the same status.
 */
import type { SwaggerTransform } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import type { z } from 'zod';
import { errorResponses } from '../../schemas/api.js';
import type { RouteScope } from './auth.js';
import type { ErrorCode } from '../errors.js';

export const SECURITY_SCHEMES = {
  bearerAuth: {
    type: 'http' as const,
    scheme: 'bearer',
    description:
      'An API key (API_KEYS / API_KEYS_FILE) sent as `Authorization: Bearer <key>`. Each key has scopes: `read`, `align`, `admin`; each operation names the one it needs. A server without keys (loopback only) needs none.',
  },
};

const SCOPE_TEXT: Record<Exclude<RouteScope, 'public'>, string> = {
  read: 'Needs an API key with scope `read` (when the server has keys).',
  align: 'Needs an API key with scope `align` (when the server has keys).',
  admin: 'Needs an API key with scope `admin` (when the server has keys).',
};

type Schema = FastifySchema & { hide?: boolean; description?: string; response?: Record<string, unknown> };

/** The codes of a response built by `errorResponses` (its examples are keyed by code). */
function codesOf(response: unknown): ErrorCode[] {
  const meta = (response as z.ZodType | undefined)?.meta?.() as { 'x-examples'?: object } | undefined;
  return Object.keys(meta?.['x-examples'] ?? {}) as ErrorCode[];
}

export function withAccessDocs<S extends FastifySchema>(transform: SwaggerTransform<S>): SwaggerTransform<S> {
  return (input) => {
    const schema = input.schema as Schema | undefined;
    if (!schema || schema.hide) return transform(input);
    const config = (input.route.config ?? {}) as { scope?: RouteScope; probe?: string };
    const scope: RouteScope = config.scope ?? 'admin';
    const extra: Array<[number, ErrorCode[]]> = [];
    if (scope !== 'public') {
      extra.push([401, ['AUTH_REQUIRED', 'INVALID_API_KEY']], [403, ['INSUFFICIENT_SCOPE']]);
    }
    if (schema.body) extra.push([400, ['JSON_TOO_DEEP']]);
    if (!config.probe) extra.push([429, ['RATE_LIMITED']]);
    // STORAGE_UNAVAILABLE: the shared rate-limit counters (REDIS_URL) or graph database cannot be reached.
    if (config.probe !== 'liveness')
      extra.push([503, config.probe ? ['OVERLOADED'] : ['OVERLOADED', 'STORAGE_UNAVAILABLE']]);

    const response: Record<string, unknown> = { ...schema.response };
    for (const [status, codes] of extra) {
      const had = codesOf(response[status]);
      const all = [...had, ...codes.filter((c) => !had.includes(c))];
      response[status] = errorResponses({ [status]: all } as Record<number, ErrorCode[]>)[status];
    }
    const sorted = Object.fromEntries(Object.entries(response).sort(([a], [b]) => Number(a) - Number(b)));
    const description =
      scope === 'public'
        ? schema.description
        : [schema.description, SCOPE_TEXT[scope]].filter(Boolean).join(' ');
    const out = transform({
      ...input,
      schema: {
        ...schema,
        response: sorted,
        ...(description !== undefined ? { description } : {}),
        security: scope === 'public' ? [] : [{ bearerAuth: [scope] }],
      } as unknown as S,
    });
    keepBodyExamples(schema.body, out.schema as { body?: Record<string, unknown> });
    return out;
  };
}

/**
 * A body that is a registered component (e.g. `z.lazy(() => GraphDefinition)`) becomes a bare `$ref`
 * and loses the `x-examples` of the wrapper (@fastify/swagger resolves a top-level `$ref` and drops
 * its siblings); wrap the reference in `allOf` (the same schema) that carries them, so they end up on
 * the media type like any other body's examples.
 */
function keepBodyExamples(body: unknown, out: { body?: Record<string, unknown> }): void {
  const meta = (body as z.ZodType | undefined)?.meta?.() as Record<string, unknown> | undefined;
  const emitted = out.body;
  if (!meta?.['x-examples'] || !emitted || typeof emitted.$ref !== 'string') return;
  out.body = {
    allOf: [{ $ref: emitted.$ref }],
    ...(typeof meta.description === 'string' ? { description: meta.description } : {}),
    'x-examples': meta['x-examples'],
  };
}
