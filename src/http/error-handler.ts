/**
 * One error envelope for every 4xx/5xx: route errors, zod validation errors, fastify's own errors
 * (malformed JSON, body too large, wrong content type, 404 route, bad URL) and errors raised before
 * fastify sees a request (malformed HTTP, request timeout, oversized headers). 5xx responses never
 * carry internals: a generic message with the request id; the cause goes to the log only.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fromPipelineError } from '../error-mapping.js';
import { UpstreamError } from '../generator/index.js';
import { ScmError } from '../scm/index.js';
import { fromScmError } from '../pipeline/counterfactual.js';
import { DomainError, type ErrorEnvelope } from '../errors.js';
import { ApiError } from './api-error.js';

export { fromPipelineError };
import { REQUEST_ID_HEADER } from './request-id.js';
import { RequestValidationError } from './validation.js';

function internal(requestId: string): ApiError {
  return new ApiError('INTERNAL', `internal server error; quote request id ${requestId} when reporting it`);
}

/** Map any thrown value to the API error to send; `null` means an unexpected (5xx) failure. */
export function toApiError(
  err: unknown,
  context: { bodyLimit: number; contentType?: string | undefined },
): ApiError | null {
  // Domain errors carry no HTTP status: the catalogue gives it here.
  if (err instanceof DomainError) return ApiError.from(err);
  if (err instanceof RequestValidationError)
    return new ApiError('VALIDATION_FAILED', err.message, err.details);
  if (err instanceof ScmError) return ApiError.from(fromScmError(err, ''));
  const mapped = fromPipelineError(err);
  if (mapped) return ApiError.from(mapped);
  const e = err as Partial<FastifyError> | null;
  switch (e?.code) {
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(
        'MALFORMED_JSON',
        'the body is empty but Content-Type says application/json; send a JSON object (or drop the Content-Type header)',
      );
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ApiError('MALFORMED_JSON', 'the body is not valid JSON; check quotes, commas and brackets');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(
        'BODY_TOO_LARGE',
        `the request body is larger than ${context.bodyLimit} bytes (BODY_LIMIT); send less data or split the batch`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        'UNSUPPORTED_MEDIA_TYPE',
        `the body is sent as ${JSON.stringify(context.contentType ?? '')}; send it as application/json`,
      );
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError('BAD_REQUEST', 'the Content-Length header does not match the body');
    case 'FST_ERR_BAD_URL':
    case 'FST_ERR_INVALID_URL':
      return new ApiError('BAD_REQUEST', 'the URL is malformed (bad percent-encoding?)');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ApiError('BAD_REQUEST', 'a path parameter is too long');
    default:
      break;
  }
  // Any other client error fastify raises (e.g. a prototype-poisoning JSON key): a 400 with its message.
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) {
    if (status === 413) return new ApiError('BODY_TOO_LARGE', e?.message ?? 'the request is too large');
    if (status === 415) return new ApiError('UNSUPPORTED_MEDIA_TYPE', e?.message ?? 'unsupported media type');
    return new ApiError('BAD_REQUEST', e?.message || 'bad request');
  }
  return null;
}

export function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  reply.header(REQUEST_ID_HEADER, reply.request.id);
  return reply.code(error.statusCode).type('application/json; charset=utf-8').send(error.toEnvelope());
}

function handle(err: unknown, request: FastifyRequest, reply: FastifyReply, bodyLimit: number): FastifyReply {
  const apiError = toApiError(err, { bodyLimit, contentType: request.headers['content-type'] });
  if (apiError) {
    request.log.info({ code: apiError.code, status: apiError.statusCode }, apiError.message);
    if (err instanceof UpstreamError) {
      // The model backend's story, for the caller: how many attempts, and when to come back.
      reply.header('x-upstream-attempts', String(err.attempts));
      if (err.retryAfterMs !== undefined)
        reply.header('retry-after', String(Math.max(1, Math.ceil(err.retryAfterMs / 1000))));
    }
    return sendError(reply, apiError);
  }
  request.log.error({ err }, 'unexpected error');
  return sendError(reply, internal(String(request.id)));
}

type ResponseHook = (request: FastifyRequest, reply: FastifyReply, done: () => void) => void;

/**
 * The error handler and the 404 handler, on the app's root context. `notFoundOnResponse` runs after
 * each response of the 404 handler only (metrics: the requests that matched no route), so no root hook
 * runs on every request to look for them. fastify adds any lifecycle hook given in the 404 handler's
 * options to its context (four-oh-four.js; its types name only preValidation and preHandler), and
 * test/http/metrics.test.ts counts a 404 through it.
 */
export function installErrorHandling(
  app: FastifyInstance,
  bodyLimit: number,
  notFoundOnResponse?: ResponseHook,
): void {
  app.setErrorHandler((err, request, reply) => handle(err, request, reply, bodyLimit));
  const options = (notFoundOnResponse ? { onResponse: notFoundOnResponse } : {}) as object;
  app.setNotFoundHandler(options, (request, reply) => {
    const path = request.url.split('?')[0];
    return sendError(
      reply,
      new ApiError(
        'NOT_FOUND',
        `no route ${request.method} ${path}; see GET /openapi.json (or /docs) for the routes`,
      ),
    );
  });
}

/** fastify's `frameworkErrors` option: errors raised while routing, before the error handler exists. */
export function frameworkErrors(bodyLimit: number) {
  return (err: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    void handle(err, request, reply, bodyLimit);
  };
}

/**
 * fastify's `clientErrorHandler` option: the HTTP parser failed before a request exists (malformed
 * request line, oversized headers, request timeout). Writes the envelope on the raw socket.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let error: ApiError;
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    error = new ApiError(
      'REQUEST_TIMEOUT',
      'the request was not received completely in time (HEADERS_TIMEOUT_MS for the headers, REQUEST_TIMEOUT_MS for the whole request)',
    );
  } else if (err.code === 'HPE_HEADER_OVERFLOW') {
    error = new ApiError('HEADERS_TOO_LARGE', 'the request headers are too large');
  } else {
    error = new ApiError('BAD_REQUEST', 'the HTTP request is malformed');
  }
  const id = randomUUID();
  this.log.debug({ err, requestId: id }, 'client error');
  if (socket.writable) {
    const body = JSON.stringify(error.toEnvelope() satisfies ErrorEnvelope);
    socket.write(
      `HTTP/1.1 ${error.statusCode} ${STATUS_CODES[error.statusCode]}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
