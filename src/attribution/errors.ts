/**
 * Attribution errors: one class with a stable `code` and details safe to show; no HTTP status (the
 * front ends map the code through the error catalogue: src/error-mapping.ts, src/errors.ts). Upstream
 * transport failures are not wrapped: the generator's `UpstreamError` (UPSTREAM_TIMEOUT,
 * UPSTREAM_UNAVAILABLE, …) reaches the caller unchanged.
 */

export const ATTRIBUTION_ERROR_CODES = {
  ATTRIBUTION_UNSUPPORTED_GRAPH: {
    summary:
      'The graph cannot be used for attribution: it needs value and concept nodes and linear mechanisms (partial-evidence abduction).',
  },
  ATTRIBUTION_LLM_MALFORMED: {
    summary: 'The model backend answered the concept-rating request with text that is not a JSON object.',
  },
  ATTRIBUTION_LLM_INVALID: {
    summary:
      'The model backend answered the concept-rating request with JSON that does not match the schema (a concept missing, unknown or rated outside -1..3).',
  },
  ATTRIBUTION_UNKNOWN_VALUE: {
    summary: 'A target profile names a value that the attributed graph does not have.',
  },
  ATTRIBUTION_INVALID_TARGET: {
    summary: 'A target profile for comparison is empty or has a score that is not a number from 1 to 5.',
  },
} as const satisfies Record<string, { summary: string }>;

export type AttributionErrorCode = keyof typeof ATTRIBUTION_ERROR_CODES;

export class AttributionError extends Error {
  readonly code: AttributionErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: AttributionErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'AttributionError';
    this.code = code;
    this.details = details;
  }
}
