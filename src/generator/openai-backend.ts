/**
 * The `openai` generator backend: any OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp).
 * Offered when OPENAI_BASE_URL or OPENAI_API_KEY is set. Its variables (validated with zod at boot,
 * documented in README's configuration table) are listed here only.
 */
import { z } from 'zod';
import { DEFAULT_BREAKER } from './circuit-breaker.js';
import { DEFAULT_OPENAI_BASE_URL, DEFAULT_OPENAI_MODEL } from './env.js';
import type { GeneratorBackend } from './backend.js';
import { createOpenAIGenerator } from './openai.js';
import { DEFAULT_RELIABILITY } from './reliability.js';

const ms = (name: string, def: number, min = 1) =>
  z.coerce
    .number({ error: `${name} must be a whole number of milliseconds` })
    .int(`${name} must be a whole number of milliseconds`)
    .min(min, `${name} must be at least ${min}`)
    .max(3_600_000, `${name} must be at most 3600000 (one hour)`)
    .default(def);

const url = z
  .string()
  .url('OPENAI_BASE_URL must be a URL such as http://127.0.0.1:11434/v1')
  .refine((u) => /^https?:\/\//.test(u), 'OPENAI_BASE_URL must be an http(s) URL')
  .optional();

const R = DEFAULT_RELIABILITY;
const B = DEFAULT_BREAKER;

const env = {
  OPENAI_BASE_URL: url,
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_MODEL: z.string().min(1).max(200).default(DEFAULT_OPENAI_MODEL),
  UPSTREAM_DEADLINE_MS: ms('UPSTREAM_DEADLINE_MS', DEFAULT_RELIABILITY.deadlineMs),
  UPSTREAM_CONNECT_TIMEOUT_MS: ms('UPSTREAM_CONNECT_TIMEOUT_MS', DEFAULT_RELIABILITY.connectTimeoutMs),
  UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: ms(
    'UPSTREAM_FIRST_TOKEN_TIMEOUT_MS',
    DEFAULT_RELIABILITY.firstTokenTimeoutMs,
  ),
  UPSTREAM_IDLE_TIMEOUT_MS: ms('UPSTREAM_IDLE_TIMEOUT_MS', DEFAULT_RELIABILITY.idleTimeoutMs),
  UPSTREAM_MAX_ATTEMPTS: z.coerce
    .number({ error: 'UPSTREAM_MAX_ATTEMPTS must be a whole number' })
    .int('UPSTREAM_MAX_ATTEMPTS must be a whole number')
    .min(1, 'UPSTREAM_MAX_ATTEMPTS must be at least 1')
    .max(10, 'UPSTREAM_MAX_ATTEMPTS must be at most 10')
    .default(DEFAULT_RELIABILITY.maxAttempts),
  UPSTREAM_BACKOFF_BASE_MS: ms('UPSTREAM_BACKOFF_BASE_MS', DEFAULT_RELIABILITY.backoff.baseMs, 0),
  UPSTREAM_BACKOFF_MAX_MS: ms('UPSTREAM_BACKOFF_MAX_MS', DEFAULT_RELIABILITY.backoff.maxMs, 0),
  UPSTREAM_BREAKER_THRESHOLD: z.coerce
    .number({ error: 'UPSTREAM_BREAKER_THRESHOLD must be a whole number' })
    .int('UPSTREAM_BREAKER_THRESHOLD must be a whole number')
    .min(0, 'UPSTREAM_BREAKER_THRESHOLD must be >= 0 (0 disables the breaker)')
    .max(1000)
    .default(DEFAULT_BREAKER.failureThreshold),
  UPSTREAM_BREAKER_COOLDOWN_MS: ms('UPSTREAM_BREAKER_COOLDOWN_MS', DEFAULT_BREAKER.cooldownMs),
  UPSTREAM_BREAKER_MAX_COOLDOWN_MS: ms('UPSTREAM_BREAKER_MAX_COOLDOWN_MS', DEFAULT_BREAKER.maxCooldownMs),
};

export const openaiBackend: GeneratorBackend<typeof env> = {
  name: 'openai',
  env,
  vars: {
    OPENAI_BASE_URL: {
      default: '(none)',
      description:
        'Base URL of an OpenAI-compatible API (OpenAI, vLLM `http://host:8000/v1`, Ollama `http://host:11434/v1`, llama.cpp); setting it (or `OPENAI_API_KEY`) enables the `openai` generator.',
    },
    OPENAI_API_KEY: {
      default: '(none)',
      description: 'Key sent to that API as a bearer token (local servers need none).',
    },
    OPENAI_MODEL: {
      default: DEFAULT_OPENAI_MODEL,
      description: 'Default model id (a request may override it with `model`).',
    },
    UPSTREAM_DEADLINE_MS: {
      default: String(R.deadlineMs),
      description: 'Total time for one model call: every attempt, backoff and the whole stream (504 beyond).',
    },
    UPSTREAM_CONNECT_TIMEOUT_MS: {
      default: String(R.connectTimeoutMs),
      description: 'Per attempt: time to connect.',
    },
    UPSTREAM_FIRST_TOKEN_TIMEOUT_MS: {
      default: String(R.firstTokenTimeoutMs),
      description: 'Streams: time to the first token (retried, since nothing was sent yet).',
    },
    UPSTREAM_IDLE_TIMEOUT_MS: {
      default: String(R.idleTimeoutMs),
      description: 'Streams: longest silence between chunks (the stream then ends with an `error` event).',
    },
    UPSTREAM_MAX_ATTEMPTS: {
      default: String(R.maxAttempts),
      description:
        'Attempts per call, the first included (retried: connection errors, timeouts, 408, 409, 429, 5xx).',
    },
    UPSTREAM_BACKOFF_BASE_MS: {
      default: String(R.backoff.baseMs),
      description: 'Backoff cap of the first retry (full jitter, doubling); Retry-After overrides it.',
    },
    UPSTREAM_BACKOFF_MAX_MS: { default: String(R.backoff.maxMs), description: 'Largest backoff cap.' },
    UPSTREAM_BREAKER_THRESHOLD: {
      default: String(B.failureThreshold),
      description: 'Consecutive failures that open the circuit breaker (0 disables it).',
    },
    UPSTREAM_BREAKER_COOLDOWN_MS: {
      default: String(B.cooldownMs),
      description: 'Time the breaker stays open before one probe call.',
    },
    UPSTREAM_BREAKER_MAX_COOLDOWN_MS: {
      default: String(B.maxCooldownMs),
      description: 'The cool-down doubles after each failed probe, up to this.',
    },
  },
  enabled: (c) => Boolean(c.OPENAI_BASE_URL || c.OPENAI_API_KEY),
  requires: ['OPENAI_BASE_URL'],
  howToEnable:
    'set OPENAI_BASE_URL (and OPENAI_API_KEY if the server needs one) to use an OpenAI-compatible backend',
  create: (c) =>
    createOpenAIGenerator({
      model: c.OPENAI_MODEL,
      baseURL: c.OPENAI_BASE_URL ?? DEFAULT_OPENAI_BASE_URL,
      apiKey: c.OPENAI_API_KEY,
      reliability: {
        deadlineMs: c.UPSTREAM_DEADLINE_MS,
        connectTimeoutMs: c.UPSTREAM_CONNECT_TIMEOUT_MS,
        firstTokenTimeoutMs: c.UPSTREAM_FIRST_TOKEN_TIMEOUT_MS,
        idleTimeoutMs: c.UPSTREAM_IDLE_TIMEOUT_MS,
        maxAttempts: c.UPSTREAM_MAX_ATTEMPTS,
        backoff: { baseMs: c.UPSTREAM_BACKOFF_BASE_MS, maxMs: c.UPSTREAM_BACKOFF_MAX_MS },
      },
      breaker: {
        failureThreshold: c.UPSTREAM_BREAKER_THRESHOLD,
        cooldownMs: c.UPSTREAM_BREAKER_COOLDOWN_MS,
        maxCooldownMs: c.UPSTREAM_BREAKER_MAX_COOLDOWN_MS,
      },
    }),
};
