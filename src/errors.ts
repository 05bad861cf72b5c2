/**
 * The error catalogue: every stable `error.code` the service reports, with the HTTP status front ends
 * answer it with and what it means. `docs/errors.md` documents the same codes (a test keeps the two in
 * sync).
 *
 * The domain (graphs, pipeline, compute, values, attribution…) throws `DomainError`: a catalogued code,
 * a message that says what to fix, details; no HTTP status. Only the front ends look the status up
 * (`statusOf`): the HTTP error handler (src/http/api-error.ts, `{ "error": { "code", "message",
 * "details" } }` for every 4xx/5xx) and the batch output lines (`status_code`). 4xx messages say what to
 * fix; 5xx messages are generic and carry only the request id.
 * This module is plain data plus one error class: no fastify imports.
 */

export const ERROR_CATALOGUE = {
  VALIDATION_FAILED: {
    status: 400,
    summary: 'The request body, query string or path parameters do not match the schema.',
  },
  MALFORMED_JSON: {
    status: 400,
    summary: 'The body is not valid JSON (or is empty while declared as JSON).',
  },
  JSON_TOO_DEEP: {
    status: 400,
    summary: 'The JSON body nests arrays and objects more than 64 levels deep.',
  },
  BAD_REQUEST: {
    status: 400,
    summary:
      'The HTTP request itself is malformed (bad URL encoding, bad Content-Length, unparsable request).',
  },
  UNKNOWN_NODE: { status: 400, summary: 'Evidence or an intervention names a node the graph does not have.' },
  INVALID_QUERY: {
    status: 400,
    summary: 'A counterfactual query is inconsistent (e.g. the same node intervened on twice).',
  },
  GRAPH_INVALID: {
    status: 400,
    summary:
      'An inline graph breaks a structural rule (unknown parent, missing coefficient, duplicate node…).',
  },
  GRAPH_CYCLE: { status: 400, summary: 'An inline graph has a directed cycle; the message lists it.' },
  GRAPH_TOO_LARGE: {
    status: 400,
    summary: 'An inline graph has more nodes than MAX_INLINE_GRAPH_NODES allows.',
  },
  BATCH_TOO_LARGE: { status: 400, summary: 'A batch has more queries than MAX_BATCH_SIZE allows.' },
  INVALID_PROFILE: { status: 400, summary: 'A value profile is malformed or out of range for its scale.' },
  UNKNOWN_VALUE: { status: 400, summary: 'A value profile names a value the value system does not have.' },
  UNKNOWN_PRESET: {
    status: 400,
    summary: 'The factual preset named in the request does not exist (GET /v1/presets).',
  },
  GENERATOR_UNAVAILABLE: {
    status: 400,
    summary:
      'The requested generator is not configured on this server (e.g. `openai` without OPENAI_BASE_URL).',
  },
  AUTH_REQUIRED: {
    status: 401,
    summary: 'The route needs an API key: send `Authorization: Bearer <key>`.',
  },
  INVALID_API_KEY: {
    status: 401,
    summary: 'The Authorization header is not a bearer token, or the key is not one of the configured keys.',
  },
  INSUFFICIENT_SCOPE: {
    status: 403,
    summary: 'The API key is valid but lacks the scope the route needs (`read`, `align` or `admin`).',
  },
  UNKNOWN_GRAPH: { status: 404, summary: 'No bundled or custom graph has this id.' },
  NOT_FOUND: { status: 404, summary: 'No route matches this method and path.' },
  UNKNOWN_GRAPH_VERSION: { status: 404, summary: 'The graph has no version with this content hash.' },
  BATCH_INVALID_INPUT: {
    status: 400,
    summary:
      'The batch input has malformed lines (not JSON, missing or duplicate custom_id, unknown url); `details` lists them.',
  },
  UNKNOWN_BATCH: { status: 404, summary: 'No batch of this API key has this id.' },
  UNKNOWN_EXPLANATION: {
    status: 404,
    summary: 'No chat-completion explanation has this id (never made, expired or evicted).',
  },
  BATCH_CANCELLED: {
    status: 409,
    summary: 'In a batch output line: the batch was cancelled before this line ran.',
  },
  BATCH_TOO_MANY_LINES: { status: 413, summary: 'The batch input has more lines than BATCH_MAX_LINES.' },
  REQUEST_TIMEOUT: {
    status: 408,
    summary: 'The request was not received completely in time (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS).',
  },
  GRAPH_EXISTS: {
    status: 409,
    summary: 'A custom graph with this id exists already (POST creates; PUT adds a version).',
  },
  GRAPH_READ_ONLY: {
    status: 409,
    summary: 'The graph is bundled with the service (GRAPHS_DIR): it cannot be replaced or deleted.',
  },
  GRAPH_QUOTA_EXCEEDED: {
    status: 409,
    summary: 'Storing the graph would exceed MAX_CUSTOM_GRAPHS or MAX_GRAPH_VERSIONS.',
  },
  BODY_TOO_LARGE: { status: 413, summary: 'The body is larger than BODY_LIMIT bytes.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, summary: 'The body is not sent as application/json.' },
  UNSUPPORTED_QUERY: {
    status: 422,
    summary:
      'The query is valid but the graph cannot answer it (e.g. partial evidence on a nonlinear graph).',
  },
  WORK_BUDGET_EXCEEDED: {
    status: 422,
    summary:
      'The request needs more computation than COUNTERFACTUAL_BUDGET_MS allows (e.g. a sampled explanation over hundreds of actions on a large nonlinear graph); ask for less: `explain: "none"`, fewer queries or interventions, full evidence.',
  },
  NON_FINITE_RESULT: {
    status: 422,
    summary: 'The query overflows: a counterfactual number is not finite (e.g. exp() of a huge value).',
  },
  BATCH_QUOTA_EXCEEDED: {
    status: 429,
    summary:
      'The API key has too much unfinished batch work (BATCH_QUOTA_LINES lines or BATCH_QUOTA_BYTES bytes); wait for its batches to finish or cancel one.',
  },
  RATE_LIMITED: {
    status: 429,
    summary:
      'Too many requests from this API key or client IP in the window; retry after `Retry-After` seconds.',
  },
  HEADERS_TOO_LARGE: { status: 431, summary: 'The request headers are too large.' },
  ATTRIBUTION_UNSUPPORTED_GRAPH: {
    status: 422,
    summary:
      'The graph cannot be used for attribution (it needs value and concept nodes and linear mechanisms).',
  },
  UPSTREAM_CANCELLED: { status: 499, summary: 'The caller went away before the model backend answered.' },
  INTERNAL: { status: 500, summary: 'An unexpected server error; the message carries the request id only.' },
  UPSTREAM_ERROR: {
    status: 502,
    summary:
      'The model backend answered with an error or an unusable response (after retries where retryable).',
  },
  ATTRIBUTION_LLM_MALFORMED: {
    status: 502,
    summary: 'The model backend answered the concept-rating request with text that is not JSON.',
  },
  ATTRIBUTION_LLM_INVALID: {
    status: 502,
    summary:
      'The model backend answered the concept-rating request with JSON that does not match the schema.',
  },
  UPSTREAM_UNAVAILABLE: {
    status: 503,
    summary: 'The model backend cannot be reached, or its circuit breaker is open.',
  },
  UPSTREAM_RATE_LIMITED: {
    status: 503,
    summary: 'The model backend is rate limiting the service (it answered 429 on every attempt).',
  },
  NOT_READY: { status: 503, summary: 'The service has not finished loading its graphs, or is draining.' },
  SHUTTING_DOWN: { status: 503, summary: 'The server is shutting down; retry on another instance.' },
  OVERLOADED: {
    status: 503,
    summary: 'The server is overloaded (event-loop delay or heap); retry after `Retry-After` seconds.',
  },
  STORAGE_UNAVAILABLE: {
    status: 503,
    summary:
      'The graph database could not complete the write (nothing was stored), or a shared backend (PostgreSQL of DATABASE_URL, the Redis of the rate limits) cannot be reached. Retry later.',
  },
  UPSTREAM_TIMEOUT: {
    status: 504,
    summary: 'The model backend did not answer in time (total deadline, first token, or a stalled stream).',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

export interface ErrorDetail {
  /** Where the problem is: a dotted path in the body (`queries.0.interventions.1.type`), or `query.x` / `params.x`. */
  path: string;
  message: string;
  /** The graph node the problem is about, when there is one. */
  node?: string;
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details: ErrorDetail[] };
}

/** The most details an error lists (one more says how many were left out), and its longest message. */
export const MAX_ERROR_DETAILS = 100;
const MAX_MESSAGE_LENGTH = 2000;
const OMITTED = /^…and \d+ more problems of the same request$/;

/**
 * An error the domain throws and every front end reports as is: a catalogued code, a message that says
 * what to fix, details (paths into the request). It carries no HTTP status: src/http maps it.
 */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH)}…` : message);
    this.name = 'DomainError';
    this.code = code;
    // Error bodies stay small whatever the input (60,000 unknown evidence keys were a 14 MB 400).
    // A list capped before (an error rebuilt from another's details) keeps its count of the rest.
    const alreadyCapped =
      details.length === MAX_ERROR_DETAILS + 1 && OMITTED.test(details[MAX_ERROR_DETAILS]!.message);
    this.details =
      details.length > MAX_ERROR_DETAILS && !alreadyCapped
        ? [
            ...details.slice(0, MAX_ERROR_DETAILS),
            {
              path: '',
              message: `…and ${details.length - MAX_ERROR_DETAILS} more problems of the same request`,
            },
          ]
        : details;
  }

  /** The error body of the envelope (HTTP responses, batch output lines, batch items, the CLI). */
  toEnvelope(): ErrorEnvelope {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** The HTTP status a front end answers a code with (the HTTP error handler, batch output lines). */
export function statusOf(code: ErrorCode): number {
  return ERROR_CATALOGUE[code].status;
}
