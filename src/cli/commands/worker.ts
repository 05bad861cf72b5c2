/** `pluralign worker`: work batch lines from Redis (BullMQ) until SIGTERM/SIGINT. */
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { RedisWorker } from '../../batch/redis.js';
import { loadConfig } from '../../config/index.js';
import { buildGenerators } from '../../generator/registry.js';
import { GraphStore } from '../../graphs/store.js';
import { UsageError } from '../io.js';

export const help = `pluralign worker — work batch jobs from Redis (BullMQ)

Usage:
  pluralign worker [--name <name>] [--concurrency <n>]

Options:
  --name <name>        worker name in logs and stats (default: <hostname>-<pid>)
  --concurrency <n>    lines at once (default: BATCH_CONCURRENCY or 4)
  -h, --help           this help

Needs REDIS_URL (the same as the service's). Graphs, generators and data folder come from the same
environment as the service (GRAPHS_DIR, DATABASE_URL or DATA_DIR, OPENAI_*, …): run the same image with
the same settings; with DATABASE_URL every worker reads the custom graphs the replicas write, current
before each line. Retries (BATCH_MAX_ATTEMPTS, BATCH_BACKOFF_MS) and the rate limit shared by all workers
(BATCH_RATE_LIMIT) are read here. Start as many workers as you like, on any machines.

Examples:
  pluralign worker                     (with REDIS_URL=redis://127.0.0.1:6379 set)
  pluralign worker --name gpu-1 --concurrency 16

Exit codes: 0 after SIGTERM/SIGINT (lines in flight finish first), 1 configuration error, 2 usage error.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      concurrency: { type: 'string' },
    },
    strict: true,
  });
  if (values.concurrency !== undefined) {
    if (!/^\d+$/.test(values.concurrency) || Number(values.concurrency) < 1) {
      throw new UsageError('--concurrency must be a whole number ≥ 1');
    }
    process.env.BATCH_CONCURRENCY = values.concurrency;
  }
  const config = loadConfig();
  if (!config.batch.redis) throw new UsageError('pluralign worker needs REDIS_URL (redis://host:6379)');
  const log = pino({ level: config.logLevel });
  const store = await GraphStore.connect(config, log as never);
  const setup = buildGenerators(config.generator);
  const name = values.name ?? `${hostname()}-${process.pid}`;
  const worker = new RedisWorker(
    config.batch.redis,
    // A shared graph database (DATABASE_URL): the custom graphs are made current before each line.
    async () => {
      await store.refresh();
      return { ...setup, graphs: store.servedGraphs() };
    },
    Math.max(1, config.batch.concurrency),
    name,
  );
  worker.worker.on('error', (err) => log.error({ err }, 'worker error'));
  worker.worker.on('stalled', (jobId) =>
    log.warn({ jobId }, 'took over a stalled batch line (its worker died)'),
  );
  await worker.worker.waitUntilReady();
  log.info({ worker: name, concurrency: config.batch.concurrency }, 'batch worker ready');
  return await new Promise<number>((resolve) => {
    const stop = () => {
      log.info({ worker: name }, 'batch worker stopping');
      void worker.close().then(async () => {
        await store.close();
        resolve(0);
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
