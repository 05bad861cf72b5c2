/**
 * Run the service: read the configuration (exit 1 with a message naming the variable when it is
 * invalid), build the app, listen, and shut down gracefully on SIGTERM/SIGINT: stop accepting
 * connections, let in-flight requests finish (at most SHUTDOWN_TIMEOUT_MS), then exit.
 */
import { ConfigError, loadConfig, type Config } from './config/index.js';
import { DetectorArtefactError } from './attribution/index.js';
import { buildApp } from './http/app.js';
import { ScmError } from './scm/index.js';
import { StorageError } from './storage/graph-db.js';

function fail(message: string): never {
  process.stderr.write(`pluralign: ${message}\n`);
  process.exit(1);
}

async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config);
  } catch (err) {
    if (err instanceof ScmError) fail(`cannot load the graphs in ${config.graphsDir}: ${err.message}`);
    if (err instanceof StorageError)
      fail(
        `cannot open the custom graphs (${config.databaseUrl ? 'DATABASE_URL' : 'DATA_DIR'}): ${err.message}`,
      );
    if (err instanceof DetectorArtefactError) fail(`cannot load the value detector: ${err.message}`);
    throw err;
  }

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) {
      app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    app.log.info(
      { signal, timeoutMs: config.shutdownTimeoutMs },
      'shutting down: finishing in-flight requests',
    );
    const timer = setTimeout(() => {
      app.log.error(
        { timeoutMs: config.shutdownTimeoutMs },
        'in-flight requests did not finish in time; exiting',
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    app.close().then(
      () => {
        app.log.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    fail(`cannot listen on ${config.host}:${config.port}: ${(err as Error).message}`);
  }
  app.log.info(
    { playground: `${address}/`, ...(config.docsEnabled ? { docs: `${address}/docs` } : {}) },
    startupLine(address, config.docsEnabled),
  );
}

/** Where a person starts: the playground, and the API reference when DOCS_ENABLED. */
function startupLine(address: string, docs: boolean): string {
  return `playground at ${address}/${docs ? `, API reference (Swagger UI) at ${address}/docs` : ''}`;
}

await main();
