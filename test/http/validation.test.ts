/**
 * zodValidatorCompiler: an empty query string or path is answered from the schema's parse of `{}`,
 * computed once, only when that parse is `{}` itself; anything else is parsed per request as before.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NoQuery } from '../../schemas/api.js';
import { RequestValidationError, zodValidatorCompiler } from '../../src/http/validation.js';
import { makeApp } from './helpers.js';

type Validate = (data: unknown) => { value?: unknown; error?: Error };
const compile = (schema: z.ZodType, httpPart: string) =>
  zodValidatorCompiler({ schema, httpPart, method: 'GET', url: '/x' }) as Validate;

describe('zodValidatorCompiler', () => {
  it('an empty query gets a fresh {} (null-prototype objects too); a query with a key is refused', () => {
    const validate = compile(NoQuery, 'querystring');
    const a = validate({});
    const b = validate(Object.create(null));
    expect(a).toEqual({ value: {} });
    expect(b).toEqual({ value: {} });
    expect(a.value).not.toBe(b.value);
    const refused = validate({ debug: '1' });
    expect(refused.error).toBeInstanceOf(RequestValidationError);
    expect(refused.error!.message).toContain('debug');
  });

  it('a schema whose answer to {} is not {} (defaults) is parsed on every request', () => {
    const validate = compile(z.strictObject({ limit: z.coerce.number().default(10) }), 'querystring');
    expect(validate({})).toEqual({ value: { limit: 10 } });
    expect(validate({ limit: '3' })).toEqual({ value: { limit: 3 } });
    const required = compile(z.strictObject({ id: z.string() }), 'params');
    expect(required({}).error).toBeInstanceOf(RequestValidationError);
  });

  it('bodies are always parsed (an empty body is not a query)', () => {
    const validate = compile(z.strictObject({ graph: z.string() }), 'body');
    expect(validate({}).error).toBeInstanceOf(RequestValidationError);
    expect(compile(z.object({}), 'body')({ extra: 1 })).toEqual({ value: {} });
  });

  it('on the app: /healthz answers with and without an empty query, and refuses an unknown parameter', async () => {
    const app = await makeApp();
    try {
      for (const url of ['/healthz', '/healthz?']) {
        const res = await app.inject({ method: 'GET', url });
        expect(res.statusCode, url).toBe(200);
        expect(res.json()).toMatchObject({ status: 'ok' });
      }
      const bad = await app.inject({ method: 'GET', url: '/healthz?verbose=1' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.code).toBe('VALIDATION_FAILED');
      expect(bad.json().error.message).toContain('verbose');
    } finally {
      await app.close();
    }
  });
});
