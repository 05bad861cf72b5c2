/**
 * Service configuration: environment variables, validated with zod once at boot. An invalid value
 * stops the start with a message that names the variable and says what is expected.
 * `CONFIG_VARS` is the documented list (the README's configuration table is tested against it).
 */
import { ConfigError } from './error.js';
import { GENERATOR_VARS, loadGeneratorConfig, type GeneratorEnvConfig } from '../generator/registry.js';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { bundledGraphsDir } from '../graphs/registry.js';
import { envTrustProxy, type TrustProxy } from './trust-proxy.js';
import {
  envBoolean,
  envInteger,
  loadSecurityConfig,
  SECURITY_VARS,
  type SecurityConfig,
} from './security.js';

/** Most unfinished batch work one API key may have (both queues); 0 = no limit on that measure. */
export interface BatchQuota {
  /** Lines queued or running. */
  lines: number;
  /** Bytes of request bodies in unfinished batches. */
  bytes: number;
}

/** Inline graphs up to this many nodes are compiled on the event loop (under ~20 ms); larger ones on a worker. */
const INLINE_COMPILE_NODES = 50;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (what: string, min: number, max: number) => envInteger(min, max, what);
const boolean = envBoolean;

/** Every variable the service reads: name, default (as written in the environment) and meaning. */
export const CONFIG_VARS = {
  PORT: { default: '8080', description: 'TCP port to listen on (0 picks a free port).' },
  HOST: { default: '127.0.0.1', description: 'Interface to bind; `0.0.0.0` to listen on every interface.' },
  LOG_LEVEL: { default: 'info', description: `pino log level: ${LOG_LEVELS.join(', ')}.` },
  GRAPHS_DIR: {
    default: '(bundled graphs/)',
    description:
      'Folder of graph files (`*.json`) loaded and validated at boot; an invalid graph stops the start.',
  },
  VALUE_DETECTOR_FILE: {
    default: '(bundled)',
    description:
      'The learned value detector’s artefact (default `graphs/detectors/value-detector.json`), validated at boot; a corrupt one stops the start.',
  },
  BODY_LIMIT: { default: '1048576', description: 'Largest accepted request body, in bytes (413 beyond).' },
  MAX_BATCH_SIZE: { default: '100', description: 'Most queries in one `POST /v1/counterfactuals` batch.' },
  MAX_INLINE_GRAPH_NODES: {
    default: '1000',
    description: 'Most nodes in an inline graph sent with a request.',
  },
  REQUEST_TIMEOUT_MS: {
    default: '30000',
    description: 'Time allowed to receive a whole request (408 beyond); 0 disables.',
  },
  SHUTDOWN_TIMEOUT_MS: {
    default: '10000',
    description: 'On SIGTERM/SIGINT, how long in-flight requests may take before the process exits anyway.',
  },
  TRUST_PROXY: {
    default: 'false',
    description:
      'Behind reverse proxies: `true` (one) or the number of proxies, or their addresses (`10.0.0.1,10.1.0.0/16`, `loopback`); the client is the entry they added to `X-Forwarded-For`.',
  },
  DOCS_ENABLED: { default: 'true', description: 'Serve Swagger UI at `/docs`.' },
  RESPONSE_VALIDATION: {
    default: 'false',
    description:
      'Check every JSON response against its schema before sending it (500 when a response does not match it exactly). The test suite runs with it on; off, responses are serialized without the check.',
  },
  // The work budget of counterfactual requests (src/compute).
  COUNTERFACTUAL_BUDGET_MS: {
    default: '1000',
    description:
      "Most computing time of one `POST /v1/counterfactuals`, or of an alignment's counterfactual profile, on a worker thread (then 422 `WORK_BUDGET_EXCEEDED`), and most wait for a worker (then 503 `OVERLOADED`).",
  },
  COUNTERFACTUAL_WORKERS: {
    default: '2',
    description:
      'Worker threads for counterfactual requests too large for the event loop (started on first use).',
  },
  COUNTERFACTUAL_QUEUE: {
    default: '16',
    description: 'Most counterfactual requests waiting for a busy worker thread; beyond, 503 `OVERLOADED`.',
  },
  COUNTERFACTUAL_INLINE_WORK: {
    default: '200000',
    description:
      'Requests estimated at most this much work (node evaluations) run on the event loop, the rest on a worker; `0`: all on workers.',
  },
  // Security, limits and storage (src/http/security-config.ts).
  ...SECURITY_VARS,
  // Language-model backends (parsed in src/http/generators.ts).
  ...GENERATOR_VARS,
  // Batch jobs (src/batch).
  BATCH_MAX_LINES: { default: '50000', description: 'Most request lines in one `POST /v1/batches` input.' },
  BATCH_MAX_BYTES: {
    default: '104857600',
    description: 'Largest `POST /v1/batches` body, in bytes (413 beyond); overrides `BODY_LIMIT` there.',
  },
  BATCH_CONCURRENCY: {
    default: '4',
    description:
      'Batch lines worked at once: by the service (embedded queue), or by each `pluralign worker` (Redis); `0`: the service runs no batch work.',
  },
  BATCH_QUOTA_LINES: {
    default: '100000',
    description:
      'Most lines one API key may have queued or running over all its batches, over all replicas in Redis mode (429 `BATCH_QUOTA_EXCEEDED` beyond); `0` = no quota.',
  },
  BATCH_QUOTA_BYTES: {
    default: '209715200',
    description:
      'Most bytes of request bodies in the unfinished batches of one API key, over all replicas in Redis mode (429 `BATCH_QUOTA_EXCEEDED` beyond); `0` = no quota.',
  },
  BATCH_RETENTION_SECONDS: {
    default: '604800',
    description:
      'A finished (completed or cancelled) batch, its lines and output are deleted this long after it finished (then 404 `UNKNOWN_BATCH`), in both queues (Redis: EXPIRE on its keys); `0` = kept.',
  },
  REDIS_URL: {
    default: '(none)',
    description:
      'Redis for batch jobs (`redis://host:6379`): lines go through BullMQ and are worked by `pluralign worker` processes; the rate limits are counted there too, shared by every replica. Unset: the embedded SQLite queue and in-memory limits.',
  },
  DATABASE_URL: {
    default: '(none)',
    description:
      'PostgreSQL for the custom graphs (`postgresql://user:password@host:5432/db`), shared by every replica and batch worker (schema migrated at boot); unset: the SQLite database in `DATA_DIR`.',
  },
  BATCH_MAX_ATTEMPTS: {
    default: '3',
    description: 'Redis mode: attempts per line when the backend fails (502/503/504), the first included.',
  },
  BATCH_BACKOFF_MS: {
    default: '1000',
    description: 'Redis mode: first retry delay of a line (exponential backoff).',
  },
  BATCH_LOCK_MS: {
    default: '30000',
    description: 'Redis mode: how long a dead worker holds a line before another worker takes it over.',
  },
  BATCH_RATE_LIMIT: {
    default: '0',
    description: 'Redis mode: most lines per second started by all workers together; `0` = no limit.',
  },
} as const;

export type ConfigVar = keyof typeof CONFIG_VARS;

const EnvSchema = z.object({
  PORT: integer('PORT', 0, 65535).default(8080),
  HOST: z.string().trim().min(1, 'must not be empty').default('127.0.0.1'),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }))
    .default('info'),
  GRAPHS_DIR: z.string().trim().min(1, 'must not be empty').optional(),
  VALUE_DETECTOR_FILE: z.string().trim().min(1, 'must not be empty').optional(),
  BODY_LIMIT: integer('BODY_LIMIT', 1024, 1024 * 1024 * 1024).default(1048576),
  MAX_BATCH_SIZE: integer('MAX_BATCH_SIZE', 1, 100_000).default(100),
  MAX_INLINE_GRAPH_NODES: integer('MAX_INLINE_GRAPH_NODES', 1, 5000).default(1000),
  REQUEST_TIMEOUT_MS: integer('REQUEST_TIMEOUT_MS', 0, 3_600_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 0, 3_600_000).default(10_000),
  TRUST_PROXY: envTrustProxy.default(false),
  DOCS_ENABLED: boolean.default(true),
  RESPONSE_VALIDATION: boolean.default(false),
  COUNTERFACTUAL_BUDGET_MS: integer('COUNTERFACTUAL_BUDGET_MS', 10, 600_000).default(1000),
  COUNTERFACTUAL_WORKERS: integer('COUNTERFACTUAL_WORKERS', 1, 64).default(2),
  COUNTERFACTUAL_QUEUE: integer('COUNTERFACTUAL_QUEUE', 0, 10_000).default(16),
  COUNTERFACTUAL_INLINE_WORK: integer('COUNTERFACTUAL_INLINE_WORK', 0, 1_000_000_000).default(200_000),
  BATCH_MAX_LINES: integer('BATCH_MAX_LINES', 1, 10_000_000).default(50_000),
  BATCH_MAX_BYTES: integer('BATCH_MAX_BYTES', 1024, 1024 * 1024 * 1024).default(104_857_600),
  BATCH_CONCURRENCY: integer('BATCH_CONCURRENCY', 0, 1000).default(4),
  BATCH_QUOTA_LINES: integer('BATCH_QUOTA_LINES', 0, 1_000_000_000).default(100_000),
  BATCH_QUOTA_BYTES: integer('BATCH_QUOTA_BYTES', 0, 1024 ** 4).default(209_715_200),
  BATCH_RETENTION_SECONDS: integer('BATCH_RETENTION_SECONDS', 0, 10 * 365 * 86_400).default(604_800),
  REDIS_URL: z
    .string()
    .trim()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
  DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgresql:// URL')
    .optional(),
  BATCH_MAX_ATTEMPTS: integer('BATCH_MAX_ATTEMPTS', 1, 100).default(3),
  BATCH_BACKOFF_MS: integer('BATCH_BACKOFF_MS', 0, 3_600_000).default(1000),
  BATCH_LOCK_MS: integer('BATCH_LOCK_MS', 500, 3_600_000).default(30_000),
  BATCH_RATE_LIMIT: integer('BATCH_RATE_LIMIT', 0, 1_000_000).default(0),
});

export interface Config extends SecurityConfig {
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Absolute path of the graph folder. */
  graphsDir: string;
  /** Absolute path of the learned detector's artefact (default: the bundled one). */
  detectorFile?: string;
  bodyLimit: number;
  maxBatchSize: number;
  maxInlineGraphNodes: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  /** false, a number of proxy hops, or a list of proxy addresses (src/http/trust-proxy.ts). */
  trustProxy: TrustProxy;
  docsEnabled: boolean;
  /** Check responses against their schemas (RESPONSE_VALIDATION). */
  responseValidation: boolean;
  /** The work budget of counterfactual requests (src/compute/pool.ts). */
  counterfactualBudget: {
    workers: number;
    budgetMs: number;
    maxQueue: number;
    /** Estimated work (src/compute/estimate.ts) up to which a request runs on the event loop. */
    inlineWork: number;
    /** Inline graphs with more nodes are compiled on a worker thread, not on the event loop. */
    inlineCompileNodes: number;
  };
  /** Batch jobs: most lines, most bytes per input, lines worked at once by the embedded queue. */
  batch: {
    maxLines: number;
    maxBytes: number;
    concurrency: number;
    /** Per-key quota of unfinished work (both queues; 0 = none). */
    quota: BatchQuota;
    /** Seconds a finished batch is kept (both queues; 0 = forever). */
    retentionSeconds: number;
    /** Redis mode (REDIS_URL): BullMQ settings; null = the embedded SQLite queue. */
    redis: {
      url: string;
      maxAttempts: number;
      backoffMs: number;
      lockMs: number;
      rateLimit: number;
    } | null;
  };
  /** The language-model backends (GENERATOR, OPENAI_*, UPSTREAM_*): see src/http/generators.ts. */
  generator: GeneratorEnvConfig;
  /** PostgreSQL for the custom graphs (DATABASE_URL); null = SQLite in `dataDir`. */
  databaseUrl: string | null;
}

export { ConfigError };

/**
 * Read the configuration from `env` (default `process.env`). Empty strings count as unset.
 * Throws ConfigError naming every invalid variable.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const input: Record<string, string> = {};
  for (const name of Object.keys(CONFIG_VARS)) {
    const v = env[name];
    if (v !== undefined && v !== '') input[name] = v;
  }
  const parsed = EnvSchema.safeParse(input);
  if (!parsed.success) {
    const lines: string[] = [];
    const names: string[] = [];
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      names.push(name);
      lines.push(`  ${name}=${JSON.stringify(input[name] ?? '')}: ${issue.message}`);
    }
    throw new ConfigError(`invalid environment variable(s):\n${lines.join('\n')}`, [...new Set(names)]);
  }
  const e = parsed.data;
  const generator = loadGeneratorConfig(env);
  if (e.GRAPHS_DIR !== undefined) {
    const dir = resolve(e.GRAPHS_DIR);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new ConfigError(
        `invalid environment variable(s):\n  GRAPHS_DIR=${JSON.stringify(e.GRAPHS_DIR)}: no such folder (${dir})`,
        ['GRAPHS_DIR'],
      );
    }
  }
  const security = loadSecurityConfig(env, e.HOST, e.REQUEST_TIMEOUT_MS);
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    graphsDir: e.GRAPHS_DIR !== undefined ? resolve(e.GRAPHS_DIR) : bundledGraphsDir(),
    ...(e.VALUE_DETECTOR_FILE !== undefined ? { detectorFile: resolve(e.VALUE_DETECTOR_FILE) } : {}),
    bodyLimit: e.BODY_LIMIT,
    maxBatchSize: e.MAX_BATCH_SIZE,
    maxInlineGraphNodes: e.MAX_INLINE_GRAPH_NODES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    docsEnabled: e.DOCS_ENABLED,
    responseValidation: e.RESPONSE_VALIDATION,
    counterfactualBudget: {
      workers: e.COUNTERFACTUAL_WORKERS,
      budgetMs: e.COUNTERFACTUAL_BUDGET_MS,
      maxQueue: e.COUNTERFACTUAL_QUEUE,
      inlineWork: e.COUNTERFACTUAL_INLINE_WORK,
      inlineCompileNodes: INLINE_COMPILE_NODES,
    },
    batch: {
      maxLines: e.BATCH_MAX_LINES,
      maxBytes: e.BATCH_MAX_BYTES,
      concurrency: e.BATCH_CONCURRENCY,
      quota: { lines: e.BATCH_QUOTA_LINES, bytes: e.BATCH_QUOTA_BYTES },
      retentionSeconds: e.BATCH_RETENTION_SECONDS,
      redis:
        e.REDIS_URL === undefined
          ? null
          : {
              url: e.REDIS_URL,
              maxAttempts: e.BATCH_MAX_ATTEMPTS,
              backoffMs: e.BATCH_BACKOFF_MS,
              lockMs: e.BATCH_LOCK_MS,
              rateLimit: e.BATCH_RATE_LIMIT,
            },
    },
    ...security,
    generator,
    databaseUrl: e.DATABASE_URL ?? null,
  };
}
