/**
 * pino options for the service: JSON lines, the request id on every line of a request (`requestId`),
 * request headers logged with secrets redacted, and credential-like query parameters (`?api_key=`) too.
 */
import type { FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Header (and body) paths whose values never reach the log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["proxy-authorization"]',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["api-key"]',
  'req.headers["openai-api-key"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.password',
  '*.token',
];

/** Query parameters that may carry a credential (a client sending its key as `?api_key=`). */
const SECRET_QUERY = /([?&](?:api[_-]?key|key|access_token|token|password)=)[^&#]*/gi;

/** The URL as logged: credential-like query parameter values replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.includes('?') ? url.replace(SECRET_QUERY, '$1[redacted]') : url;
}

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req(request: FastifyRequest) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          headers: request.headers,
          remoteAddress: request.ip,
        };
      },
    },
  };
}
