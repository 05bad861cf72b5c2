/**
 * Response serialization for the zod-typed routes. The handlers build their responses as the
 * schemas' output types (TypeScript checks them at compile time), so by default a response is
 * `JSON.stringify`d as it is: encoding it through zod again cost about a third of the CPU time of a
 * counterfactual request.
 *
 * With RESPONSE_VALIDATION=true (the test suite's setting) every response is also checked at run
 * time: it must parse with its schema, and parsing must not change it (no stripped field, no default
 * filled in): a handler that leaks an internal field or drifts from the schema fails loudly with a
 * 500 instead of being silently corrected.
 */
import { isDeepStrictEqual } from 'node:util';
import type { FastifySerializerCompiler } from 'fastify';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import type { z } from 'zod';

/** A response that its schema refuses or would change. */
export class ResponseMismatchError extends Error {
  constructor(method: string, url: string, what: string) {
    super(`the response of ${method} ${url} ${what}`);
    this.name = 'ResponseMismatchError';
  }
}

const plain = (data: unknown): unknown => JSON.parse(JSON.stringify(data)) as unknown;

type Route = { schema: z.ZodType; method: string; url: string };

/** A checker of one route's responses: the JSON text to send, or a throw when the schema disagrees. */
function checker(route: Route): (data: unknown, raw: string) => string {
  const encode = zodSerializerCompiler({ ...route, httpStatus: '200' });
  return (data, raw) => {
    const encoded = encode(data); // throws when the schema refuses the response
    if (encoded !== raw && !isDeepStrictEqual(JSON.parse(encoded), plain(data)))
      throw new ResponseMismatchError(
        route.method,
        route.url,
        `does not match its schema exactly (a field the schema does not have, or a default it would fill in):\n  sent:   ${raw.slice(0, 400)}\n  schema: ${encoded.slice(0, 400)}`,
      );
    return raw;
  };
}

/** Serializer compiler: plain JSON, or (check) zod-encoded and compared with the plain JSON. */
export function responseSerializerCompiler(check: boolean): FastifySerializerCompiler<z.ZodType> {
  if (!check) return () => (data: unknown) => JSON.stringify(data);
  return (route) => {
    const checked = checker(route);
    return (data: unknown) => checked(data, JSON.stringify(data));
  };
}

/**
 * For a route that sends JSON text it wrote itself (fastify does not serialize a string): the same
 * check as the serializer's when `check` is on (RESPONSE_VALIDATION), else the text as it is.
 */
export function checkedJson(check: boolean, route: Route): (json: string) => string {
  if (!check) return (json) => json;
  const checked = checker(route);
  return (json) => checked(JSON.parse(json), json);
}
