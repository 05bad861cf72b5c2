/**
 * The pluralign HTTP app. `pluralignApp` is a fastify plugin (tests and `server.ts` register the same
 * one); `buildApp(config)` makes a fastify instance with the server-level options (logger, request
 * ids, body limit, timeouts, error handling outside routes) and registers it.
 *
 * Layout: the root context gets the error and 404 handlers, the protection layer (security.ts: one
 * hook writes the request id and security headers and refuses requests during shutdown), swagger and
 * Swagger UI; the routes live in one encapsulated child context that owns the zod validator and
 * serializer compilers (so third-party plugins registered at the root keep fastify's defaults).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { DestinationStream } from 'pino';
import { bundledDetectorPath, checkDetectorCoverage, loadValueDetector } from '../attribution/index.js';
import type { Config } from '../config/index.js';
import { rateLimitRedis, type BackendCheck } from './backends.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './error-handler.js';
import { GraphStore } from '../graphs/store.js';
import { loggerOptions, requestLoggerFactory } from './logger.js';
import { AppMetrics } from './prometheus.js';
import { fastifyTrustProxy } from '../config/trust-proxy.js';
import { swaggerOptions } from './openapi.js';
import { genReqId } from './request-id.js';
import { depthLimitedJsonParser, DOCS_CSP, securityPlugin, type SecurityOptions } from './security.js';
import { buildGenerators, type GeneratorSetup } from '../generator/registry.js';
import { alignRoutes } from './routes/align.js';
import { chatRoutes } from './routes/chat.js';
import { batchRoutes } from './routes/batches.js';
import { counterfactualRoutes } from './routes/counterfactuals.js';
import { decisionRoutes } from './routes/decisions.js';
import type { AppState, RouteDeps } from './routes/deps.js';
import { graphRoutes } from './routes/graphs.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { ComputePool } from '../compute/pool.js';
import { budgetedProfiles } from '../compute/profile-budget.js';
import { renderRoutes } from './routes/render.js';
import { valueRoutes } from './routes/values.js';
import { responseSerializerCompiler } from './serialization.js';
import { zodValidatorCompiler } from './validation.js';

export interface AppOptions {
  config: Config;
  /** The graphs to serve (default: loaded from `config.graphsDir`). */
  store?: GraphStore;
  /** The generators (default: built from `config.generator`). */
  generators?: GeneratorSetup;
  /** Test hooks of the protection layer (see security.ts). */
  security?: Omit<SecurityOptions, 'config'>;
}

async function app(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  const { config } = opts;
  // The learned value detector: validated at boot, then against the bundled graphs (DetectorArtefactError).
  const detectorFile = config.detectorFile ?? bundledDetectorPath();
  const detector = loadValueDetector(detectorFile);
  // Bundled graphs from GRAPHS_DIR, custom graphs from DATABASE_URL or DATA_DIR (closed with the app).
  const store = opts.store ?? (await GraphStore.connect(config, fastify.log));
  if (!opts.store) fastify.addHook('onClose', async () => store.close());
  checkDetectorCoverage(detector, store.bundled.values(), detectorFile);
  // Scaled out: the shared backends /readyz checks (backends.ts); rate limits counted in Redis.
  const backends: BackendCheck[] = [];
  if (config.databaseUrl)
    backends.push({ name: 'the graph database (DATABASE_URL)', check: () => store.ping() });
  const redis = config.batch.redis
    ? rateLimitRedis(config.batch.redis.url, (err) =>
        fastify.log.warn({ err: err.message }, 'Redis (REDIS_URL)'),
      )
    : undefined;
  if (redis) {
    backends.push({ name: 'Redis (REDIS_URL)', check: () => redis.ping() });
    fastify.addHook('onClose', async () => redis.disconnect());
  }
  const state: AppState = { ready: false, closing: false, startedAt: Date.now(), backends };

  // Prometheus metrics (prometheus.ts): one registry per app, counted by each route's onResponse hook
  // and the 404 handler's.
  const metrics = new AppMetrics();
  installErrorHandling(fastify, config.bodyLimit, metrics.unmatched);
  metrics.install(fastify);

  fastify.addHook('onReady', async () => {
    state.ready = true;
  });
  fastify.addHook('preClose', async () => {
    state.closing = true;
    state.ready = false;
  });

  // Security headers, request id, shutdown, CORS, overload, rate limits, API keys and scopes (security.ts).
  await fastify.register(securityPlugin, {
    ...opts.security,
    config,
    lifecycle: state,
    ...(redis ? { redis } : {}),
  });

  await fastify.register(swagger, swaggerOptions());
  if (config.docsEnabled) {
    await fastify.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { deepLinking: true, validatorUrl: null },
      staticCSP: DOCS_CSP,
    });
  }

  // One pool of worker threads for the work budget: counterfactual requests and large alignment profiles.
  const compute = new ComputePool(config.counterfactualBudget, (err) =>
    fastify.log.error({ err }, 'compute worker failed'),
  );
  metrics.computePool = compute;
  fastify.addHook('onClose', async () => compute.close());
  const deps: RouteDeps = { config, store, state, metrics, compute };
  await fastify.register(async (api) => {
    // Bodies are JSON only: anything else is 415 UNSUPPORTED_MEDIA_TYPE.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      depthLimitedJsonParser(api.getDefaultJsonParser('error', 'error')),
    );
    api.setValidatorCompiler(zodValidatorCompiler);
    api.setSerializerCompiler(responseSerializerCompiler(config.responseValidation));
    // A shared graph database: custom graphs are made current before each API request is handled
    // (an embedded SQLite store is always current: no hook, so no promise per request).
    if (store.shared)
      api.addHook('preHandler', async (request) => {
        if (request.url.startsWith('/v1/')) await store.refresh();
      });
    await api.register(healthRoutes, deps);
    await api.register(graphRoutes, deps);
    await api.register(counterfactualRoutes, deps);
    await api.register(valueRoutes, deps);
    await api.register(renderRoutes, deps);
    await api.register(metricsRoutes, { ...deps, metrics });
    const setup = {
      ...metrics.instrument(opts.generators ?? buildGenerators(config.generator)),
      profiles: budgetedProfiles(compute, config.counterfactualBudget.inlineWork),
    };
    await api.register(alignRoutes, { ...deps, align: setup });
    await api.register(chatRoutes, { ...deps, align: setup });
    await api.register(batchRoutes, { ...deps, align: setup });
    await api.register(decisionRoutes, { ...deps, align: setup });
  });
}

/** The app as a fastify plugin; it is not encapsulated, so its error handlers cover the whole server. */
export const pluralignApp: FastifyPluginAsync<AppOptions> = Object.assign(app, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'pluralign',
});

export interface BuildOptions {
  /** Where log lines go (default stdout); tests pass a stream to read them. */
  logStream?: DestinationStream;
  /** Turn logging off entirely. */
  logger?: boolean;
  store?: GraphStore;
  generators?: GeneratorSetup;
  security?: Omit<SecurityOptions, 'config'>;
}

/** A fastify instance with pluralign registered (not listening yet). */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const logger =
    options.logger === false
      ? false
      : { ...loggerOptions(config.logLevel), ...(options.logStream ? { stream: options.logStream } : {}) };
  const fastify = Fastify({
    logger,
    genReqId,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // The request's child logger (with its id) is made when the request first writes a line.
    ...(logger ? { childLoggerFactory: requestLoggerFactory } : {}),
    bodyLimit: config.bodyLimit,
    trustProxy: fastifyTrustProxy(config.trustProxy),
    requestTimeout: config.requestTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // Slow senders of headers are cut off (408); timeouts are checked every second.
    http: { headersTimeout: config.headersTimeoutMs, connectionsCheckingInterval: 1000 },
    // New requests during shutdown get our own 503 envelope (see the onRequest hook).
    return503OnClosing: false,
    frameworkErrors: frameworkErrors(config.bodyLimit),
    clientErrorHandler,
  });
  await fastify.register(pluralignApp, {
    config,
    ...(options.store ? { store: options.store } : {}),
    ...(options.generators ? { generators: options.generators } : {}),
    ...(options.security ? { security: options.security } : {}),
  });
  return fastify;
}
