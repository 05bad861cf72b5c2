/**
 * The environment variables an OpenAI-compatible backend is configured with. Parsing and validation
 * live with the service configuration; this is the list of names, defaults (as written in the
 * environment) and where each one lands in `OpenAIGeneratorConfig`.
 */
import { DEFAULT_BREAKER } from './circuit-breaker.js';
import { DEFAULT_RELIABILITY } from './reliability.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';

const R = DEFAULT_RELIABILITY;
const B = DEFAULT_BREAKER;

export const GENERATOR_ENV_VARS = {
  OPENAI_BASE_URL: {
    default: DEFAULT_OPENAI_BASE_URL,
    config: 'baseURL',
    description:
      'Base URL of any OpenAI-compatible API (OpenAI, vLLM `http://host:8000/v1`, Ollama `http://host:11434/v1`, llama.cpp server).',
  },
  OPENAI_API_KEY: {
    default: '(none)',
    config: 'apiKey',
    description: 'API key sent as a bearer token; local servers usually need none.',
  },
  OPENAI_MODEL: { default: DEFAULT_OPENAI_MODEL, config: 'model', description: 'Default model id.' },
  UPSTREAM_DEADLINE_MS: {
    default: String(R.deadlineMs),
    config: 'reliability.deadlineMs',
    description:
      'Total time for one upstream call: all attempts, backoff waits and the whole stream (504 beyond).',
  },
  UPSTREAM_CONNECT_TIMEOUT_MS: {
    default: String(R.connectTimeoutMs),
    config: 'reliability.connectTimeoutMs',
    description: 'Per attempt: time to connect (DNS, TCP, TLS) before the attempt is abandoned and retried.',
  },
  UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: {
    default: String(R.firstTokenTimeoutMs),
    config: 'reliability.firstTokenTimeoutMs',
    description:
      'Streams: time from the attempt start to the first text delta; retried, since nothing was sent yet.',
  },
  UPSTREAM_IDLE_TIMEOUT_MS: {
    default: String(R.idleTimeoutMs),
    config: 'reliability.idleTimeoutMs',
    description:
      'Streams: longest silence between chunks after the first delta (the stream then ends with an error).',
  },
  UPSTREAM_MAX_ATTEMPTS: {
    default: String(R.maxAttempts),
    config: 'reliability.maxAttempts',
    description:
      'Attempts per call including the first (retries: connection errors, timeouts, 408, 409, 429, 5xx).',
  },
  UPSTREAM_BACKOFF_BASE_MS: {
    default: String(R.backoff.baseMs),
    config: 'reliability.backoff.baseMs',
    description:
      'Backoff cap of the first retry (full jitter), doubling per retry; Retry-After overrides it.',
  },
  UPSTREAM_BACKOFF_MAX_MS: {
    default: String(R.backoff.maxMs),
    config: 'reliability.backoff.maxMs',
    description: 'Largest backoff cap.',
  },
  UPSTREAM_BREAKER_THRESHOLD: {
    default: String(B.failureThreshold),
    config: 'breaker.failureThreshold',
    description: 'Consecutive upstream failures that open the circuit breaker (0 disables it).',
  },
  UPSTREAM_BREAKER_COOLDOWN_MS: {
    default: String(B.cooldownMs),
    config: 'breaker.cooldownMs',
    description: 'Time the breaker stays open before letting one probe call through.',
  },
  UPSTREAM_BREAKER_MAX_COOLDOWN_MS: {
    default: String(B.maxCooldownMs),
    config: 'breaker.maxCooldownMs',
    description: 'The cool-down doubles after each failed probe, up to this.',
  },
} as const satisfies Record<string, { default: string; config: string; description: string }>;

export type GeneratorEnvVar = keyof typeof GENERATOR_ENV_VARS;
