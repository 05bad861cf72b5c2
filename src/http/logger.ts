/**
 * pino options for the service: JSON lines, the request id on every line of a request (`requestId`),
 * request headers logged with secrets redacted, and credential-like query parameters (`?api_key=`) too;
 * each request's child logger is made only when the request writes a line (`requestLoggerFactory`).
 */
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { Bindings, ChildLoggerOptions, LoggerOptions } from 'pino';

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

type LogMethod = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const LOG_METHODS: readonly LogMethod[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** The root logger as the factory sees it: fastify's logger interface and pino's level check. */
type RootLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

/**
 * A request's logger: the pino child carrying the request id is made the first time the request
 * logs a line its level lets through (or reads or sets the level, or asks for a child). Making a
 * child on every request cost about 1.5 µs, a twentieth of a /healthz request, for nothing when the
 * level is above `info` (no "incoming request" and "request completed" lines). The lines written are
 * the same as the child's: they are the child's.
 */
export class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | null = null;
  declare fatal: FastifyBaseLogger['fatal'];
  declare error: FastifyBaseLogger['error'];
  declare warn: FastifyBaseLogger['warn'];
  declare info: FastifyBaseLogger['info'];
  declare debug: FastifyBaseLogger['debug'];
  declare trace: FastifyBaseLogger['trace'];

  constructor(
    private readonly parent: RootLogger,
    private readonly bindings: Bindings,
  ) {}

  private get logger(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  get level(): string {
    return this.logger.level;
  }

  set level(level: string) {
    this.logger.level = level;
  }

  silent(): void {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.logger.child(bindings, options);
  }

  /** The logger to write a line of this level with, or null when the level drops it. */
  writerFor(method: LogMethod): FastifyBaseLogger | null {
    if (this.made) return this.made;
    return this.parent.isLevelEnabled(method) ? this.logger : null;
  }
}
for (const method of LOG_METHODS) {
  Object.defineProperty(LazyRequestLogger.prototype, method, {
    value(this: LazyRequestLogger, ...args: unknown[]) {
      const writer = this.writerFor(method);
      if (writer) (writer[method] as (...a: unknown[]) => void)(...args);
    },
    writable: true,
    configurable: true,
  });
}

/**
 * fastify's `childLoggerFactory`: a lazy request logger, or pino's own child when the route sets its
 * own level or serializers (none does today).
 */
export function requestLoggerFactory(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  if (options.level !== undefined || options.serializers !== undefined)
    return logger.child(bindings, options);
  return new LazyRequestLogger(logger as RootLogger, bindings);
}
