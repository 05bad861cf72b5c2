/**
 * The protection layer, as one fastify plugin registered at the root of the app (so it covers every
 * route, Swagger UI and 404s included). For each request, in order:
 *
 * 1. security headers (helmet's, computed once at boot, see `securityHeaders`): a deny-all
 *    Content-Security-Policy for the JSON API (Swagger UI sets its own, see `DOCS_CSP`), nosniff, no
 *    framing, no referrer, HSTS…; and the request id (`x-request-id`);
 * 2. shutdown: once the app is closing, 503 SHUTTING_DOWN with `Connection: close`;
 * 3. CORS (@fastify/cors) when CORS_ORIGINS is set; preflight requests are answered here;
 * 4. overload (@fastify/under-pressure's sampling): 503 OVERLOADED with Retry-After while the event
 *    loop lags or the heap is too full (`GET /healthz` still answers, so a busy process is not restarted);
 * 5. identification: a valid `Authorization: Bearer <key>` names the caller's key;
 * 6. rate limits (@fastify/rate-limit's stores): a request with a valid key counts against that key
 *    (its own `rateLimit`, else RATE_LIMIT_PER_KEY); any other request counts against its client IP
 *    (RATE_LIMIT_PER_IP), so guessing keys is rate-limited too. 429 RATE_LIMITED with Retry-After.
 *    With no keys configured, loopback clients are exempt unless RATE_LIMIT_LOOPBACK=true (a local
 *    service does not throttle its own machine's eval loops and tests; remote clients stay limited);
 * 7. authorization: the route's scope (`routeScope`, default `admin`): 401 AUTH_REQUIRED /
 *    INVALID_API_KEY with `WWW-Authenticate: Bearer`, 403 INSUFFICIENT_SCOPE.
 *
 * Steps 1, 2 and 4 are one `onRequest` hook (without CORS; with it, step 4 is a hook after CORS's):
 * every request of every route pays for the hooks it runs, so there are as few as can be.
 *
 * Health probes are never rate-limited nor authenticated; `/openapi.json` and `/docs` need no key.
 * With no keys configured every route is open (the configuration only allows that on loopback unless
 * ALLOW_UNAUTHENTICATED=true) and a warning is logged at boot. Keys are never logged: only their names.
 */
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import type { FastifyUnderPressureOptions } from '@fastify/under-pressure';
import type {
  FastifyBodyParser,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';
import type { OutgoingHttpHeaders } from 'node:http';
import type { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import { isLoopback } from '../config/security.js';
import { bearerToken, KeyRing, type AuthenticatedKey, type Scope } from './auth.js';
import { ApiError } from './api-error.js';
import { sendError } from './error-handler.js';
import { OVERLOAD_RETRY_AFTER_S, overloadGuard } from './overload.js';
import { REQUEST_ID_HEADER } from './request-id.js';
import { jsonDeeperThan, MAX_JSON_DEPTH } from '../json-depth.js';

export { jsonDeeperThan, MAX_JSON_DEPTH, OVERLOAD_RETRY_AFTER_S };

/**
 * The Content-Security-Policy of Swagger UI at /docs: its scripts and styles are files served from
 * /docs/static (no inline script), but it styles elements inline, and shows data: images.
 */
export const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'";

/** The CSP of every other response (JSON): nothing may load, nothing may frame it. */
const API_CSP = {
  defaultSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

export interface SecurityOptions {
  config: Config;
  /** The app's lifecycle: once `closing`, new requests are refused (503 SHUTTING_DOWN). */
  lifecycle?: { readonly closing: boolean };
  /** Tests: extra under-pressure options (e.g. a `healthCheck`, a short `sampleInterval`). */
  underPressure?: Partial<FastifyUnderPressureOptions>;
  /** Tests: the comparison the key ring uses (default `crypto.timingSafeEqual`). */
  compare?: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => boolean;
  /** REDIS_URL: count the limits in Redis, shared by every replica (default: in this process's memory). */
  redis?: Redis;
}

const REALM = 'realm="pluralign"';

function unauthorized(
  reply: FastifyReply,
  code: 'AUTH_REQUIRED' | 'INVALID_API_KEY',
  scope: Scope,
): ApiError {
  if (code === 'AUTH_REQUIRED') {
    reply.header('www-authenticate', `Bearer ${REALM}, scope="${scope}"`);
    return new ApiError(
      'AUTH_REQUIRED',
      `this route needs an API key with scope "${scope}": send the header Authorization: Bearer <key>`,
    );
  }
  reply.header('www-authenticate', `Bearer ${REALM}, error="invalid_token", scope="${scope}"`);
  return new ApiError(
    'INVALID_API_KEY',
    'the Authorization header does not carry a valid API key (expected Authorization: Bearer <key>)',
  );
}

/**
 * The security headers helmet would set with these options, computed once. The headers are the same
 * on every response (no CSP nonces), so running helmet's middleware once on a recording response gives
 * them all; @fastify/helmet instead rebuilds helmet's middleware on every request, which cost more
 * than half of a small request's CPU time.
 */
export function securityHeaders(options: Readonly<HelmetOptions>): ReadonlyArray<[string, string]> {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: unknown) {
      headers.set(name.toLowerCase(), String(value));
    },
    removeHeader(name: string) {
      headers.delete(name.toLowerCase());
    },
    getHeader(name: string) {
      return headers.get(name.toLowerCase());
    },
  };
  let failed: unknown = null;
  helmet(options)({} as never, recorder as never, (err?: unknown) => {
    failed = err ?? null;
  });
  if (failed) throw failed instanceof Error ? failed : new Error(String(failed));
  return [...headers];
}

/**
 * The headers a route that writes the raw response itself (a stream, after `reply.hijack()`) sends
 * first: the security headers and request id the protection layer put on the reply, and any other
 * header set on it so far.
 */
export function replyHeaders(reply: FastifyReply): OutgoingHttpHeaders {
  return reply.getHeaders() as OutgoingHttpHeaders;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

async function enforce(
  limiter: Limiter,
  request: FastifyRequest,
  reply: FastifyReply,
  tooMany: () => string,
): Promise<void> {
  const r = await limiter(request).catch((err: unknown) => {
    request.log.error({ err }, 'the rate-limit counters (Redis) cannot be reached');
    throw new ApiError(
      'STORAGE_UNAVAILABLE',
      'the rate-limit counters shared by the replicas (Redis, REDIS_URL) cannot be reached; retry later',
    );
  });
  if (r.isAllowed) return;
  reply.header('x-ratelimit-limit', r.max);
  reply.header('x-ratelimit-remaining', r.remaining);
  reply.header('x-ratelimit-reset', r.ttlInSeconds);
  if (r.isExceeded) {
    reply.header('retry-after', Math.max(1, r.ttlInSeconds));
    throw new ApiError('RATE_LIMITED', tooMany());
  }
}

async function security(fastify: FastifyInstance, opts: SecurityOptions): Promise<void> {
  const { config } = opts;
  const keys = new KeyRing(config.apiKeys, opts.compare);
  const open = keys.size === 0;
  const corsOn = config.corsOrigins.length > 0;
  const windowS = Math.round(config.rateLimitWindowMs / 1000);

  if (open) {
    fastify.log.warn(
      { host: config.host, allowUnauthenticated: config.allowUnauthenticated },
      isLoopback(config.host)
        ? `no API keys configured (API_KEYS, API_KEYS_FILE): every route is open to anyone who can connect to ${config.host}`
        : `no API keys configured and ALLOW_UNAUTHENTICATED=true: every route, graph writes included, is open to anyone who can reach ${config.host}`,
    );
  } else {
    fastify.log.info(
      { keys: config.apiKeys.map((k) => ({ name: k.name, scopes: k.scopes })) },
      'API keys loaded',
    );
  }

  const headers = securityHeaders({
    contentSecurityPolicy: { useDefaults: false, directives: API_CSP },
    // Browsers may read responses cross-origin only when CORS allows it.
    crossOriginResourcePolicy: { policy: corsOn ? 'cross-origin' : 'same-origin' },
  });
  const names = headers.map(([name]) => name);
  const values = headers.map(([, value]) => value);
  const lifecycle = opts.lifecycle ?? { closing: false };
  const overload = await overloadGuard(fastify, {
    maxEventLoopDelay: config.maxEventLoopDelayMs,
    maxHeapUsedBytes: config.maxHeapUsedBytes,
    ...opts.underPressure,
  });
  // Steps 1, 2 and (without CORS) 4 in one hook. The headers go on fastify's reply headers, not the raw
  // response: a header a route sets later (Swagger UI's CSP) replaces them, and the response is written
  // by one writeHead without a header of its own on the raw response (which would make Node store and
  // check every header twice). Routes that write the raw response themselves (streams) send
  // `replyHeaders(reply)`.
  fastify.addHook('onRequest', (request, reply, done) => {
    for (let i = 0; i < names.length; i++) reply.header(names[i]!, values[i]);
    reply.header(REQUEST_ID_HEADER, request.id);
    if (lifecycle.closing) {
      reply.header('connection', 'close');
      sendError(
        reply,
        new ApiError('SHUTTING_DOWN', 'the server is shutting down; retry on another instance'),
      );
      return;
    }
    done(corsOn ? undefined : (overload.refusal(request, reply) ?? undefined));
  });

  if (corsOn) {
    await fastify.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'x-request-id'],
      exposedHeaders: [
        'x-request-id',
        'retry-after',
        'etag',
        'location',
        'x-ratelimit-limit',
        'x-ratelimit-remaining',
        'x-ratelimit-reset',
      ],
      credentials: false,
      maxAge: 600,
      // Any OPTIONS request is answered as a preflight (no text/plain 400 for a partial one).
      strictPreflight: false,
    });
    // After CORS's hook, so preflights are answered and a 503 carries the CORS headers.
    fastify.addHook('onRequest', (request, reply, done) =>
      done(overload.refusal(request, reply) ?? undefined),
    );
  }

  await fastify.register(rateLimit, {
    global: false,
    timeWindow: config.rateLimitWindowMs,
    ...(opts.redis ? { redis: opts.redis, nameSpace: 'pluralign:ratelimit:' } : {}),
  });
  const perIp = config.rateLimitPerIp > 0 ? fastify.createRateLimit({ max: config.rateLimitPerIp }) : null;
  const keyLimits = new Map(config.apiKeys.map((k) => [k.name, k.rateLimit ?? config.rateLimitPerKey]));
  const perKey = fastify.createRateLimit({
    keyGenerator: (request) => `key:${request.apiKeyName ?? ''}`,
    max: (request) => keyLimits.get(request.apiKeyName ?? '') ?? config.rateLimitPerKey,
  });

  // With no keys and no per-IP limit there is nothing to check: no hook at all.
  if (open && !perIp) return;
  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions;
    if (route.config.probe) return;

    let key: AuthenticatedKey | null = null;
    let malformed = false;
    if (!open) {
      const b = bearerToken(request.headers.authorization);
      if ('token' in b) {
        key = keys.authenticate(b.token);
        malformed = key === null;
      } else malformed = b.problem === 'malformed';
    }

    if (key) {
      request.apiKeyName = key.name;
      if ((key.rateLimit ?? config.rateLimitPerKey) > 0) {
        await enforce(perKey, request, reply, () => {
          const max = key.rateLimit ?? config.rateLimitPerKey;
          return `too many requests for API key "${key.name}": at most ${max} per ${windowS} s; retry after the number of seconds in the Retry-After header`;
        });
      }
    } else if (perIp && !(open && !config.rateLimitLoopback && isLoopback(request.ip))) {
      await enforce(
        perIp,
        request,
        reply,
        () =>
          `too many requests from this address without a valid API key: at most ${config.rateLimitPerIp} per ${windowS} s (RATE_LIMIT_PER_IP); retry after the number of seconds in the Retry-After header`,
      );
    }

    // No key needed: no keys configured, a public route, Swagger UI, or no route at all (404).
    const docs = route.url === '/docs' || route.url?.startsWith('/docs/');
    if (open || request.is404 || route.config.scope === 'public' || docs) return;
    const scope: Scope = route.config.scope ?? 'admin';
    if (!key) throw unauthorized(reply, malformed ? 'INVALID_API_KEY' : 'AUTH_REQUIRED', scope);
    if (!key.scopes.has(scope)) {
      reply.header('www-authenticate', `Bearer ${REALM}, error="insufficient_scope", scope="${scope}"`);
      throw new ApiError(
        'INSUFFICIENT_SCOPE',
        `API key "${key.name}" lacks the scope "${scope}" this route needs (it has: ${[...key.scopes].join(', ')})`,
      );
    }
  });
}

/**
 * The JSON body parser, refusing bodies nested deeper than MAX_JSON_DEPTH before they are parsed (a
 * deeply nested value, e.g. in a graph's free-form `provenance`, would otherwise exhaust the stack of
 * every recursive walk over it: hashing, validation, serialisation).
 */
export function depthLimitedJsonParser(parse: FastifyBodyParser<string>): FastifyBodyParser<string> {
  return (request, body, done) => {
    if (jsonDeeperThan(body, MAX_JSON_DEPTH)) {
      done(
        new ApiError(
          'JSON_TOO_DEEP',
          `the JSON body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep; flatten it`,
        ),
        undefined,
      );
      return;
    }
    return parse(request, body, (err, value) => {
      // The default parser refuses prototype keys with the same error as broken JSON: say which it is.
      if (err && (err as { code?: string }).code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isJson(body)) {
        done(
          new ApiError(
            'MALFORMED_JSON',
            'the body has a "__proto__" key (or "constructor": {"prototype": …}), which is refused: no node, value or field has that name; remove it',
          ),
          undefined,
        );
        return;
      }
      done(err, value);
    });
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The protection layer; not encapsulated, so its hooks cover the whole server. */
export const securityPlugin: FastifyPluginAsync<SecurityOptions> = Object.assign(security, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'pluralign-security',
});
