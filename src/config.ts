/**
 * Service configuration: environment variables, validated with zod once at boot. An invalid value
 * stops the start with a message that names the variable and says what is expected.
 * `CONFIG_VARS` is the documented list (the README's configuration table is tested against it).
 */
import { ConfigError } from './config-error.js';
import { loadGeneratorConfig, type GeneratorEnvConfig } from './http/generators.js';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { bundledGraphsDir } from './graphs/registry.js';
import { loadSecurityConfig, SECURITY_VARS, type SecurityConfig } from './http/security-config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const integer = (what: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `${what} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

const boolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

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
    description: 'Trust `X-Forwarded-*` headers (set when behind a reverse proxy).',
  },
  DOCS_ENABLED: { default: 'true', description: 'Serve Swagger UI at `/docs`.' },
  // Security, limits and storage (src/http/security-config.ts).
  ...SECURITY_VARS,
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
  BODY_LIMIT: integer('BODY_LIMIT', 1024, 1024 * 1024 * 1024).default(1048576),
  MAX_BATCH_SIZE: integer('MAX_BATCH_SIZE', 1, 100_000).default(100),
  MAX_INLINE_GRAPH_NODES: integer('MAX_INLINE_GRAPH_NODES', 1, 5000).default(1000),
  REQUEST_TIMEOUT_MS: integer('REQUEST_TIMEOUT_MS', 0, 3_600_000).default(30_000),
  SHUTDOWN_TIMEOUT_MS: integer('SHUTDOWN_TIMEOUT_MS', 0, 3_600_000).default(10_000),
  TRUST_PROXY: boolean.default(false),
  DOCS_ENABLED: boolean.default(true),
});

export interface Config extends SecurityConfig {
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** Absolute path of the graph folder. */
  graphsDir: string;
  bodyLimit: number;
  maxBatchSize: number;
  maxInlineGraphNodes: number;
  requestTimeoutMs: number;
  shutdownTimeoutMs: number;
  trustProxy: boolean;
  docsEnabled: boolean;
  /** The language-model backends (GENERATOR, OPENAI_*, UPSTREAM_*): see src/http/generators.ts. */
  generator: GeneratorEnvConfig;
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
    bodyLimit: e.BODY_LIMIT,
    maxBatchSize: e.MAX_BATCH_SIZE,
    maxInlineGraphNodes: e.MAX_INLINE_GRAPH_NODES,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    trustProxy: e.TRUST_PROXY,
    docsEnabled: e.DOCS_ENABLED,
    ...security,
    generator,
  };
}
