/**
 * The domain throws errors without an HTTP status; src/http gives them the catalogue's status when it
 * answers. Checked on each kind of domain error the error handler maps.
 */
import { describe, expect, it } from 'vitest';
import { AttributionError } from '../../src/attribution/index.js';
import { DomainError, ERROR_CATALOGUE, MAX_ERROR_DETAILS } from '../../src/errors.js';
import { UpstreamError } from '../../src/generator/index.js';
import { ApiError } from '../../src/http/api-error.js';
import { toApiError } from '../../src/http/error-handler.js';
import { ScmError } from '../../src/scm/index.js';
import { ProfileError } from '../../src/values/index.js';

const context = { bodyLimit: 1024 };

describe('domain errors carry no HTTP status', () => {
  it.each([
    ['DomainError', new DomainError('UNKNOWN_GRAPH', 'no graph "x"')],
    ['ScmError', new ScmError('UNKNOWN_NODE', 'no node "x"')],
    ['ProfileError', new ProfileError('INVALID_PROFILE', 'bad profile')],
    ['UpstreamError', new UpstreamError({ kind: 'deadline', message: 'too slow', attempts: 1 })],
    ['AttributionError', new AttributionError('ATTRIBUTION_UNSUPPORTED_GRAPH', 'nonlinear graph')],
  ])('%s has a code and no status field', (_name, err) => {
    expect(err.code).toMatch(/^[A-Z_]+$/);
    expect(err).not.toHaveProperty('statusCode');
    expect(err).not.toHaveProperty('httpStatus');
    expect(err).not.toHaveProperty('status');
  });

  it('a DomainError keeps a code, a message and details, and caps the details', () => {
    const details = Array.from({ length: MAX_ERROR_DETAILS + 5 }, (_, i) => ({
      path: `x.${i}`,
      message: 'bad',
    }));
    const err = new DomainError('INVALID_QUERY', 'bad query', details);
    expect(err.toEnvelope().error).toMatchObject({ code: 'INVALID_QUERY', message: 'bad query' });
    expect(err.details).toHaveLength(MAX_ERROR_DETAILS + 1);
    expect(err.details.at(-1)!.message).toBe('…and 5 more problems of the same request');
  });
});

describe('src/http maps them to the catalogue status', () => {
  it.each([
    [
      new DomainError('UNKNOWN_GRAPH', 'no graph "x"', [{ path: 'graph', message: 'unknown' }]),
      'UNKNOWN_GRAPH',
    ],
    [new DomainError('WORK_BUDGET_EXCEEDED', 'too much work'), 'WORK_BUDGET_EXCEEDED'],
    [new ScmError('GRAPH_CYCLE', 'a → b → a'), 'GRAPH_CYCLE'],
    [new ProfileError('UNKNOWN_VALUE', 'no value "x"'), 'UNKNOWN_VALUE'],
    [new UpstreamError({ kind: 'deadline', message: 'too slow', attempts: 1 }), 'UPSTREAM_TIMEOUT'],
    [new UpstreamError({ kind: 'breaker_open', message: 'open', attempts: 0 }), 'UPSTREAM_UNAVAILABLE'],
    [new AttributionError('ATTRIBUTION_UNSUPPORTED_GRAPH', 'nonlinear'), 'ATTRIBUTION_UNSUPPORTED_GRAPH'],
    [new AttributionError('ATTRIBUTION_UNKNOWN_VALUE', 'no value'), 'UNKNOWN_VALUE'],
  ] as const)('%s → %s with its catalogued status', (err, code) => {
    const api = toApiError(err, context)!;
    expect(api).toBeInstanceOf(ApiError);
    expect(api.code).toBe(code);
    expect(api.statusCode).toBe(ERROR_CATALOGUE[code].status);
    expect(api.message).toBe(err.message);
  });

  it('ApiError.from keeps the details of a domain error', () => {
    const err = new DomainError('UNKNOWN_NODE', 'no node "q"', [
      { path: 'evidence.q', node: 'q', message: 'unknown' },
    ]);
    const api = ApiError.from(err);
    expect(api.statusCode).toBe(400);
    expect(api.toEnvelope()).toEqual(err.toEnvelope());
    expect(ApiError.from(api)).toBe(api);
  });
});
