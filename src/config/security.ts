/**
 * The security, limits and storage variables (API keys, rate limits, CORS, overload, timeouts, graph
 * caps, data folder), validated with zod at boot like the rest of `src/config.ts`, which spreads
 * `SECURITY_VARS` into its documented list and `loadSecurityConfig` into the configuration.
 *
 * The value of `API_KEYS` is never repeated in a message (it holds keys). Without keys the service may
 * only bind a loopback `HOST`, unless `ALLOW_UNAUTHENTICATED=true`.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { z } from 'zod';
import { ConfigError } from './error.js';
import { duplicateKeyErrors, parseApiKeys, type ApiKeyRecord } from './api-keys.js';

export const SECURITY_VARS = {
  API_KEYS: {
    default: '(none)',
    description:
      'API keys as JSON: `[{"name", "key", "scopes", "rateLimit"?}]`; `key` is the key itself (16+ characters, hashed at boot) or `sha256:<64 hex>`; `scopes` among `read`, `align`, `admin`. Never logged.',
  },
  API_KEYS_FILE: {
    default: '(none)',
    description: 'A JSON file of API keys in the same format (added to `API_KEYS`).',
  },
  ALLOW_UNAUTHENTICATED: {
    default: 'false',
    description:
      'Serve without API keys on a non-loopback `HOST` (without keys the service refuses to bind anything but loopback).',
  },
  RATE_LIMIT_WINDOW_MS: { default: '60000', description: 'The window of the rate limits, in milliseconds.' },
  RATE_LIMIT_PER_IP: {
    default: '120',
    description:
      'Requests per window from one client IP (IPv6: per /64) that carry no valid key (429 beyond); `0` disables.',
  },
  RATE_LIMIT_LOOPBACK: {
    default: 'false',
    description:
      'Count loopback clients (127.0.0.0/8, ::1) against `RATE_LIMIT_PER_IP` even when no API keys are configured; by default a local service without keys does not limit its own machine (local eval loops, tests).',
  },
  RATE_LIMIT_PER_KEY: {
    default: '600',
    description: 'Requests per window per API key, unless the key sets its own `rateLimit`; `0` disables.',
  },
  CORS_ORIGINS: {
    default: '(none)',
    description:
      'Comma-separated browser origins allowed to call the API (`https://app.example.com`), or `*`; unset: CORS off.',
  },
  MAX_EVENT_LOOP_DELAY_MS: {
    default: '1000',
    description: 'Answer 503 `OVERLOADED` while the mean event-loop delay is above this; `0` disables.',
  },
  MAX_HEAP_USED_MB: {
    default: 'auto',
    description:
      'Answer 503 `OVERLOADED` while the V8 heap in use is above this many MiB; `auto`: 90% of the heap limit; `0` disables.',
  },
  HEADERS_TIMEOUT_MS: {
    default: '10000',
    description:
      'Time allowed to receive the request headers (408 beyond); at most `REQUEST_TIMEOUT_MS` when that is set.',
  },
  KEEP_ALIVE_TIMEOUT_MS: {
    default: '72000',
    description: 'How long an idle kept-alive connection stays open (keep it above your load balancer’s).',
  },
  DATA_DIR: {
    default: './data',
    description: 'Folder of the SQLite database of custom graphs (created when missing).',
  },
  MAX_GRAPH_EDGES: { default: '20000', description: 'Most edges in an inline or uploaded graph.' },
  MAX_EXPRESSION_LENGTH: {
    default: '1000',
    description: 'Longest expression mechanism (characters) in an inline or uploaded graph.',
  },
  MAX_CUSTOM_GRAPHS: { default: '1000', description: 'Most custom graphs stored in `DATA_DIR`.' },
  MAX_GRAPH_VERSIONS: { default: '100', description: 'Most stored versions of one custom graph.' },
} as const;

export interface SecurityConfig {
  /** The configured API keys (hashes only); empty: the service runs open. */
  apiKeys: ApiKeyRecord[];
  allowUnauthenticated: boolean;
  rateLimitWindowMs: number;
  /** Requests per window per IP without a valid key; 0 = off. */
  rateLimitPerIp: number;
  /** Loopback clients count against rateLimitPerIp when no keys are configured (otherwise exempt). */
  rateLimitLoopback: boolean;
  /** Default requests per window per key; 0 = off. */
  rateLimitPerKey: number;
  /** Allowed browser origins (`['*']`: any); empty: CORS off. */
  corsOrigins: string[];
  /** 0 = off. */
  maxEventLoopDelayMs: number;
  /** 0 = off. */
  maxHeapUsedBytes: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** Absolute path of the data folder. */
  dataDir: string;
  maxGraphEdges: number;
  maxExpressionLength: number;
  maxCustomGraphs: number;
  maxGraphVersions: number;
}

/** An environment variable holding a whole number in [min, max] (`what` names it in the message). */
export const envInteger = (min: number, max: number, what?: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, what ? `${what} must be a whole number` : 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));

/** An environment variable holding a boolean: true/false, 1/0 or yes/no. */
export const envBoolean = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' }))
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

function isOrigin(o: string): boolean {
  try {
    const u = new URL(o);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === o;
  } catch {
    return false;
  }
}

const Env = z.object({
  API_KEYS: z.string().optional(),
  API_KEYS_FILE: z.string().trim().min(1, 'must not be empty').optional(),
  ALLOW_UNAUTHENTICATED: envBoolean.default(false),
  RATE_LIMIT_WINDOW_MS: envInteger(1000, 86_400_000).default(60_000),
  RATE_LIMIT_PER_IP: envInteger(0, 1_000_000_000).default(120),
  RATE_LIMIT_LOOPBACK: envBoolean.default(false),
  RATE_LIMIT_PER_KEY: envInteger(0, 1_000_000_000).default(600),
  CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(
      z
        .array(z.string().refine((o) => o === '*' || isOrigin(o), 'must be scheme://host[:port] (no path)'))
        .refine((list) => !list.includes('*') || list.length === 1, '`*` cannot be combined with origins'),
    )
    .optional(),
  MAX_EVENT_LOOP_DELAY_MS: envInteger(0, 3_600_000).default(1000),
  MAX_HEAP_USED_MB: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.union([z.literal('auto'), envInteger(0, 1_048_576)], { error: 'must be auto or a whole number' }))
    .default('auto'),
  HEADERS_TIMEOUT_MS: envInteger(1, 3_600_000).default(10_000),
  KEEP_ALIVE_TIMEOUT_MS: envInteger(1, 3_600_000).default(72_000),
  DATA_DIR: z.string().trim().min(1, 'must not be empty').default('./data'),
  MAX_GRAPH_EDGES: envInteger(0, 50_000).default(20_000),
  MAX_EXPRESSION_LENGTH: envInteger(1, 2000).default(1000),
  MAX_CUSTOM_GRAPHS: envInteger(0, 1_000_000).default(1000),
  MAX_GRAPH_VERSIONS: envInteger(1, 100_000).default(100),
});

/** Variables whose value is never repeated in a message (it holds keys). */
const SECRET = new Set<string>(['API_KEYS']);

/** Is `host` a loopback address (only this machine can connect)? */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice('::ffff:'.length) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * Read the security variables from `env`. `host` and `requestTimeoutMs` are the already validated
 * HOST and REQUEST_TIMEOUT_MS. Throws ConfigError naming every invalid variable.
 */
export function loadSecurityConfig(
  env: Readonly<Record<string, string | undefined>>,
  host: string,
  requestTimeoutMs: number,
): SecurityConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(SECURITY_VARS)) {
    const v = env[name];
    if (v !== undefined && v !== '') input[name] = v;
  }
  const problems: Array<[string, string]> = [];
  const shown = (name: string) => (SECRET.has(name) ? '(redacted)' : JSON.stringify(input[name] ?? ''));
  const parsed = Env.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      problems.push([name, `${name}=${shown(name)}: ${issue.message}`]);
    }
    throw configError(problems);
  }
  const e = parsed.data;

  const apiKeys: ApiKeyRecord[] = [];
  const keySources: string[] = [];
  if (e.API_KEYS !== undefined) {
    keySources.push('API_KEYS');
    const r = parseApiKeys(e.API_KEYS);
    if ('errors' in r) for (const m of r.errors) problems.push(['API_KEYS', `API_KEYS=(redacted): ${m}`]);
    else apiKeys.push(...r.keys);
  }
  if (e.API_KEYS_FILE !== undefined) {
    keySources.push('API_KEYS_FILE');
    const label = `API_KEYS_FILE=${shown('API_KEYS_FILE')}`;
    let text: string | undefined;
    try {
      text = readFileSync(resolve(e.API_KEYS_FILE), 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(['API_KEYS_FILE', `${label}: cannot read the file (${code})`]);
    }
    if (text !== undefined) {
      const r = parseApiKeys(text);
      if ('errors' in r) for (const m of r.errors) problems.push(['API_KEYS_FILE', `${label}: ${m}`]);
      else apiKeys.push(...r.keys);
    }
  }
  for (const m of duplicateKeyErrors(apiKeys)) {
    const name = keySources.at(-1) ?? 'API_KEYS';
    problems.push([name, `${name}: ${m}`]);
  }
  let headersTimeoutMs = e.HEADERS_TIMEOUT_MS;
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    // The default follows a shorter REQUEST_TIMEOUT_MS; an explicit value must fit in it.
    if (input.HEADERS_TIMEOUT_MS === undefined) headersTimeoutMs = requestTimeoutMs;
    else
      problems.push([
        'HEADERS_TIMEOUT_MS',
        `HEADERS_TIMEOUT_MS=${shown('HEADERS_TIMEOUT_MS')}: must be at most REQUEST_TIMEOUT_MS (${requestTimeoutMs})`,
      ]);
  }
  if (problems.length > 0) throw configError(problems);
  if (apiKeys.length === 0 && !isLoopback(host) && !e.ALLOW_UNAUTHENTICATED) {
    throw configError([
      [
        'HOST',
        `HOST=${JSON.stringify(host)}: no API keys are configured, so the service only binds a loopback address; set API_KEYS or API_KEYS_FILE, or ALLOW_UNAUTHENTICATED=true to serve anyone who can reach ${host} without a key`,
      ],
    ]);
  }

  const heapMb =
    e.MAX_HEAP_USED_MB === 'auto'
      ? Math.floor((0.9 * getHeapStatistics().heap_size_limit) / 1024 / 1024)
      : e.MAX_HEAP_USED_MB;
  return {
    apiKeys,
    allowUnauthenticated: e.ALLOW_UNAUTHENTICATED,
    rateLimitWindowMs: e.RATE_LIMIT_WINDOW_MS,
    rateLimitPerIp: e.RATE_LIMIT_PER_IP,
    rateLimitLoopback: e.RATE_LIMIT_LOOPBACK,
    rateLimitPerKey: e.RATE_LIMIT_PER_KEY,
    corsOrigins: e.CORS_ORIGINS ?? [],
    maxEventLoopDelayMs: e.MAX_EVENT_LOOP_DELAY_MS,
    maxHeapUsedBytes: heapMb * 1024 * 1024,
    headersTimeoutMs,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    dataDir: resolve(e.DATA_DIR),
    maxGraphEdges: e.MAX_GRAPH_EDGES,
    maxExpressionLength: e.MAX_EXPRESSION_LENGTH,
    maxCustomGraphs: e.MAX_CUSTOM_GRAPHS,
    maxGraphVersions: e.MAX_GRAPH_VERSIONS,
  };
}

function configError(problems: ReadonlyArray<[string, string]>): ConfigError {
  return new ConfigError(
    `invalid environment variable(s):\n${problems.map(([, m]) => `  ${m}`).join('\n')}`,
    [...new Set(problems.map(([n]) => n))],
  );
}
