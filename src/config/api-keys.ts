/**
 * API keys as configured (`API_KEYS`, `API_KEYS_FILE`): parsing and validation of the JSON list into
 * records that keep only SHA-256 hashes. Part of the configuration (src/config/security.ts reads it);
 * the HTTP layer's auth (src/http/auth.ts) checks bearer tokens against these records.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

export const SCOPES = ['read', 'align', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

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
export const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
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
      if (key.length < MIN_KEY_LENGTH || !BEARER_TOKEN.test(key)) {
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
