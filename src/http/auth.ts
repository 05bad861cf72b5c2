/**
 * API keys and scopes. Keys come from `API_KEYS` (JSON) and/or the file named by `API_KEYS_FILE`
 * (same JSON): a list of `{ "name", "key", "scopes", "rateLimit"? }`. A key is given either in plain
 * text (hashed once at boot, then forgotten) or as `sha256:<64 hex digits>`; only the SHA-256 hashes
 * are kept. A presented bearer token is hashed and compared with every configured hash with
 * `crypto.timingSafeEqual` (all of them, whatever matches), so neither the answer nor the time it
 * takes says how much of a key was right, or which key it was close to.
 *
 * Scopes: `read` (GET routes, counterfactuals, profile conversion), `align` (routes that spend LLM
 * budget), `admin` (graph writes). A key has exactly the scopes it lists (they do not imply each other).
 * Routes declare theirs with `config: routeScope('align')`; a route that declares nothing needs `admin`
 * (fail closed).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BEARER_TOKEN, type ApiKeyRecord, type Scope } from '../config/api-keys.js';

export {
  HASH_PREFIX,
  MIN_KEY_LENGTH,
  SCOPES,
  duplicateKeyErrors,
  parseApiKeys,
  sha256Hex,
} from '../config/api-keys.js';
export type { ApiKeyRecord, Scope } from '../config/api-keys.js';
/** `public`: no key needed (health, the OpenAPI document). */
export type RouteScope = Scope | 'public';

/** What a probe route is exempt from: `liveness` (rate limits and overload), `readiness` (rate limits). */
export type ProbeKind = 'liveness' | 'readiness';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a caller's key needs for this route (default `admin`); see `routeScope`. */
    scope?: RouteScope;
    /** Health probes are never rate-limited; liveness also answers under overload. */
    probe?: ProbeKind;
  }
  interface FastifyRequest {
    /** The name of the API key that authenticated this request (never the key), if any. */
    apiKeyName?: string;
  }
}

/**
 * The route config that marks a route's scope, e.g. for a route that calls the LLM:
 * `app.post('/v1/align', { config: routeScope('align'), schema }, handler)`.
 */
export function routeScope(scope: RouteScope, probe?: ProbeKind): { scope: RouteScope; probe?: ProbeKind } {
  return probe ? { scope, probe } : { scope };
}

export interface AuthenticatedKey {
  name: string;
  scopes: ReadonlySet<Scope>;
  rateLimit: number | null;
}

type Compare = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => boolean;

/** The configured keys, ready to check bearer tokens in constant time. */
export class KeyRing {
  private readonly keys: Array<AuthenticatedKey & { hash: Buffer }>;
  private readonly compare: Compare;

  /** `compare` is `crypto.timingSafeEqual`; tests pass a wrapper to watch it being used. */
  constructor(records: readonly ApiKeyRecord[], compare: Compare = timingSafeEqual) {
    this.keys = records.map((r) => ({
      name: r.name,
      scopes: new Set(r.scopes),
      rateLimit: r.rateLimit,
      hash: Buffer.from(r.sha256, 'hex'),
    }));
    this.compare = compare;
  }

  get size(): number {
    return this.keys.length;
  }

  /**
   * The key a token is, or null. The token is hashed (so every comparison is over 32 bytes, whatever
   * its length) and compared with every key, without stopping at a match.
   */
  authenticate(token: string): AuthenticatedKey | null {
    const presented = createHash('sha256').update(token, 'utf8').digest();
    let found: AuthenticatedKey | null = null;
    for (const key of this.keys) {
      const same = this.compare(presented, key.hash);
      if (same && found === null) found = key;
    }
    return found;
  }
}

/**
 * The token of an `Authorization: Bearer <token>` header, or why there is none: `missing` (no header)
 * or `malformed` (not a bearer token).
 */
export function bearerToken(
  header: string | string[] | undefined,
): { token: string } | { problem: 'missing' | 'malformed' } {
  if (header === undefined || header === '') return { problem: 'missing' };
  if (Array.isArray(header)) return { problem: 'malformed' };
  const m = /^Bearer +(\S+) *$/i.exec(header);
  if (!m || m[1]!.length > 4096 || !BEARER_TOKEN.test(m[1]!)) return { problem: 'malformed' };
  return { token: m[1]! };
}
