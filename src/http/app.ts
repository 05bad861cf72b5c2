/**
 * The pluralign HTTP app. `pluralignApp` is a fastify plugin (tests and `server.ts` register the same
 * one); `buildApp(config)` makes a fastify instance with the server-level options (logger, request
 * ids, body limit, timeouts, error handling outside routes) and registers it.
 *
 * Layout: the root context gets the error and 404 handlers, the request-id/shutdown hook, swagger and
 * Swagger UI; the routes live in one encapsulated child context that owns the zod validator and
 * serializer compilers (so third-party plugins registered at the root keep fastify's defaults).
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import type { DestinationStream } from 'pino';
import type { Config } from '../config.js';
import { clientErrorHandler, frameworkErrors, installErrorHandling, sendError } from './error-handler.js';
import { ApiError } from './errors.js';
import { GraphStore } from './graph-store.js';
import { loggerOptions } from './logger.js';
import { swaggerOptions } from './openapi.js';
import { genReqId, REQUEST_ID_HEADER } from './request-id.js';
import { counterfactualRoutes } from './routes/counterfactuals.js';
import type { AppState, RouteDeps } from './routes/deps.js';
import { graphRoutes } from './routes/graphs.js';
import { healthRoutes } from './routes/health.js';
import { valueRoutes } from './routes/values.js';
import { zodValidatorCompiler } from './validation.js';

export interface AppOptions {
  config: Config;
  /** The graphs to serve (default: loaded from `config.graphsDir`). */
  store?: GraphStore;
}

async function app(fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  const { config } = opts;
  const store = opts.store ?? GraphStore.fromDir(config.graphsDir, config.maxInlineGraphNodes);
  const state: AppState = { ready: false, closing: false, startedAt: Date.now() };

  installErrorHandling(fastify, config.bodyLimit);

  fastify.addHook('onRequest', async (request, reply) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    if (state.closing) {
      reply.header('connection', 'close');
      return sendError(
        reply,
        new ApiError('SHUTTING_DOWN', 'the server is shutting down; retry on another instance'),
      );
    }
    return undefined;
  });
  fastify.addHook('onReady', async () => {
    state.ready = true;
  });
  fastify.addHook('preClose', async () => {
    state.closing = true;
    state.ready = false;
  });

  await fastify.register(swagger, swaggerOptions());
  if (config.docsEnabled) {
    await fastify.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  }

  const deps: RouteDeps = { config, store, state };
  await fastify.register(async (api) => {
    // Bodies are JSON only: anything else is 415 UNSUPPORTED_MEDIA_TYPE.
    api.removeAllContentTypeParsers();
    api.addContentTypeParser(
      'application/json',
      { parseAs: 'string' },
      api.getDefaultJsonParser('error', 'error'),
    );
    api.setValidatorCompiler(zodValidatorCompiler);
    api.setSerializerCompiler(serializerCompiler);
    await api.register(healthRoutes, deps);
    await api.register(graphRoutes, deps);
    await api.register(counterfactualRoutes, deps);
    await api.register(valueRoutes, deps);
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
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestTimeout: config.requestTimeoutMs,
    // New requests during shutdown get our own 503 envelope (see the onRequest hook).
    return503OnClosing: false,
    frameworkErrors: frameworkErrors(config.bodyLimit),
    clientErrorHandler,
  });
  await fastify.register(pluralignApp, { config, ...(options.store ? { store: options.store } : {}) });
  return fastify;
}
