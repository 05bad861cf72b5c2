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
import { z } from 'zod';

export const SCOPES = ['read', 'align', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
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

/** One configured key, as kept in the configuration: a hash, never the key. */
export interface ApiKeyRecord {
  /** A label for logs and rate-limit buckets (letters, digits, `._-`). */
  name: string;
  /** SHA-256 of the key, 64 lower-case hex digits. */
  sha256: string;
  scopes: Scope[];
  /** Requests per RATE_LIMIT_WINDOW_MS for this key; `null` = RATE_LIMIT_PER_KEY. */
  rateLimit: number | null;
}

export const HASH_PREFIX = 'sha256:';
/** RFC 6750 `b64token`: what a bearer token may contain. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
export const MIN_KEY_LENGTH = 16;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const KeyEntry = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores'),
  key: z.string(),
  scopes: z
    .array(z.enum(SCOPES, { error: `must be one of ${SCOPES.join(', ')}` }))
    .min(1, 'must list at least one scope'),
  rateLimit: z.int().min(0).max(1_000_000_000).optional(),
});

/**
 * Parse one JSON list of keys. Returns the records, or messages that say what is wrong without ever
 * quoting a key (nor the JSON text, which holds keys).
 */
export function parseApiKeys(text: string): { keys: ApiKeyRecord[] } | { errors: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the input: never repeat it.
    return { errors: ['is not valid JSON (expected a list of {"name", "key", "scopes"} objects)'] };
  }
  if (!Array.isArray(json)) return { errors: ['must be a JSON list of {"name", "key", "scopes"} objects'] };
  const errors: string[] = [];
  const keys: ApiKeyRecord[] = [];
  json.forEach((item, i) => {
    const parsed = KeyEntry.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.join('.');
        errors.push(`entry ${i}${field ? ` field "${field}"` : ''}: ${issue.message}`);
      }
      return;
    }
    const { name, key, scopes, rateLimit } = parsed.data;
    let sha256: string;
    if (key.startsWith(HASH_PREFIX)) {
      sha256 = key.slice(HASH_PREFIX.length).toLowerCase();
      if (!/^[0-9a-f]{64}$/.test(sha256)) {
        errors.push(`entry ${i} ("${name}"): a hashed key is "sha256:" followed by 64 hex digits`);
        return;
      }
    } else {
      if (key.length < MIN_KEY_LENGTH || !TOKEN.test(key)) {
        errors.push(
          `entry ${i} ("${name}"): a plain-text key needs at least ${MIN_KEY_LENGTH} characters among letters, digits and -._~+/ (e.g. 32 random bytes in base64url)`,
        );
        return;
      }
      sha256 = sha256Hex(key);
    }
    keys.push({ name, sha256, scopes: [...new Set(scopes)], rateLimit: rateLimit ?? null });
  });
  return errors.length > 0 ? { errors } : { keys };
}

/** Names and hashes must be unique across every source. */
export function duplicateKeyErrors(keys: readonly ApiKeyRecord[]): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  const hashes = new Map<string, string>();
  for (const k of keys) {
    if (names.has(k.name)) errors.push(`two keys are named "${k.name}"; names must be unique`);
    names.add(k.name);
    const other = hashes.get(k.sha256);
    if (other !== undefined) errors.push(`keys "${other}" and "${k.name}" are the same key`);
    hashes.set(k.sha256, k.name);
  }
  return errors;
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
  if (!m || m[1]!.length > 4096 || !TOKEN.test(m[1]!)) return { problem: 'malformed' };
  return { token: m[1]! };
}
