/**
 * Upstream failures as the rest of the service sees them: one error class with a stable `code` (the
 * API error code; no HTTP status: the front ends look it up in the catalogue, src/errors.ts), the
 * attempts made, and a finer `kind` for logs and metrics. Messages are safe to show: no credentials, no URLs, and at most a short
 * sanitised excerpt of what the upstream said.
 *
 * The statuses the HTTP front end answers with (the catalogue's; the reasons are in docs/generator.md):
 * - UPSTREAM_TIMEOUT      504  total deadline, first-token timeout, idle (stalled stream) timeout
 * - UPSTREAM_UNAVAILABLE  503  connection refused/reset, connect timeout, circuit breaker open
 * - UPSTREAM_RATE_LIMITED 503  the upstream answered 429 (retries exhausted or Retry-After beyond the
 *                              deadline). 503 + Retry-After, not 429: the limit is on *our* upstream key,
 *                              not on the caller, and 429 stays reserved for the service's own per-caller limits.
 * - UPSTREAM_ERROR        502  non-retryable 4xx, 5xx after retries, malformed response, stream cut or
 *                              ended without a finish_reason, in-band stream error
 * - UPSTREAM_CANCELLED    499  the caller's own signal aborted (client went away); nobody is usually left to answer
 */

export const UPSTREAM_ERROR_CODES = {
  UPSTREAM_TIMEOUT: {
    summary: 'The model backend did not answer in time (total deadline, first token or a stalled stream).',
  },
  UPSTREAM_UNAVAILABLE: {
    summary:
      'The model backend cannot be reached (connection refused or timed out) or its circuit breaker is open.',
  },
  UPSTREAM_RATE_LIMITED: {
    summary: 'The model backend is rate limiting the service (HTTP 429); retry after the Retry-After delay.',
  },
  UPSTREAM_ERROR: {
    summary:
      'The model backend answered with an error or an unusable response (non-retryable 4xx, 5xx after retries, malformed or truncated output).',
  },
  UPSTREAM_CANCELLED: {
    summary: 'The caller cancelled the request before the model backend answered.',
  },
} as const satisfies Record<string, { summary: string }>;

export type UpstreamErrorCode = keyof typeof UPSTREAM_ERROR_CODES;

/** What went wrong, finer than the code; stable strings for logs and metrics labels. */
export type FailureKind =
  | 'deadline'
  | 'connect_timeout'
  | 'first_token_timeout'
  | 'idle_timeout'
  | 'connection'
  | 'http_status'
  | 'malformed_response'
  | 'stream_cut'
  | 'stream_error'
  | 'breaker_open'
  | 'cancelled'
  | 'unexpected';

/** The API code for a failure kind (an HTTP-status failure needs its status: 429 is rate limiting). */
export function codeFor(kind: FailureKind, upstreamStatus?: number): UpstreamErrorCode {
  switch (kind) {
    case 'deadline':
    case 'first_token_timeout':
    case 'idle_timeout':
      return 'UPSTREAM_TIMEOUT';
    case 'connect_timeout':
    case 'connection':
    case 'breaker_open':
      return 'UPSTREAM_UNAVAILABLE';
    case 'http_status':
      return upstreamStatus === 429 ? 'UPSTREAM_RATE_LIMITED' : 'UPSTREAM_ERROR';
    case 'cancelled':
      return 'UPSTREAM_CANCELLED';
    case 'malformed_response':
    case 'stream_cut':
    case 'stream_error':
    case 'unexpected':
      return 'UPSTREAM_ERROR';
  }
}

export interface UpstreamErrorInit {
  kind: FailureKind;
  message: string;
  attempts: number;
  upstreamStatus?: number;
  /** How long the caller should wait before trying again (from Retry-After, or the breaker's cool-down). */
  retryAfterMs?: number;
  cause?: unknown;
}

export class UpstreamError extends Error {
  readonly code: UpstreamErrorCode;
  /** Upstream attempts made (0 when the breaker rejected the call before any). */
  readonly attempts: number;
  readonly kind: FailureKind;
  /** The status the upstream answered with, when it answered. */
  readonly upstreamStatus?: number;
  readonly retryAfterMs?: number;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'UpstreamError';
    this.kind = init.kind;
    this.code = codeFor(init.kind, init.upstreamStatus);
    this.attempts = init.attempts;
    if (init.upstreamStatus !== undefined) this.upstreamStatus = init.upstreamStatus;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** Plain fields for structured logs (the cause is left out: log it separately at debug level). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      kind: this.kind,
      message: this.message,
      attempts: this.attempts,
      upstreamStatus: this.upstreamStatus,
      retryAfterMs: this.retryAfterMs,
    };
  }
}

const MAX_EXCERPT = 160;

/**
 * A short, single-line excerpt of upstream text that is safe to put in a message: whitespace collapsed,
 * bearer tokens, `sk-…` keys and the given secrets redacted, cut to 160 characters.
 */
export function safeExcerpt(text: unknown, secrets: readonly string[] = []): string {
  let s = typeof text === 'string' ? text : text === undefined ? '' : safeStringify(text);
  for (const secret of secrets) if (secret.length >= 4) s = s.split(secret).join('[redacted]');
  s = s
    .replace(/Bearer\s+\S+/gi, 'Bearer [redacted]')
    .replace(/\b(sk|pk|rk)-[A-Za-z0-9_*-]{6,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim();
  return s.length > MAX_EXCERPT ? `${s.slice(0, MAX_EXCERPT - 1)}…` : s;
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return String(v);
  }
}
