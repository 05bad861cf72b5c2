/** Generators: the one interface, the OpenAI-compatible provider and the upstream reliability pieces. */
export type {
  ChatMessage,
  GenerateRequest,
  GenerateResult,
  AnswerPlan,
  Generator,
  GeneratorCapabilities,
  JsonSchemaFormat,
  StreamEvent,
} from './types.js';
export {
  UPSTREAM_ERROR_CODES,
  UpstreamError,
  codeFor,
  safeExcerpt,
  type FailureKind,
  type UpstreamErrorCode,
} from './errors.js';
export { OpenAIGenerator, createOpenAIGenerator, type OpenAIGeneratorConfig } from './openai.js';
export {
  CircuitBreaker,
  DEFAULT_BREAKER,
  type BreakerConfig,
  type BreakerSnapshot,
  type BreakerState,
} from './circuit-breaker.js';
export { DEFAULT_RELIABILITY, type AttemptFailedInfo, type ReliabilityConfig } from './reliability.js';
export {
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  planRetry,
  type BackoffConfig,
} from './retry-policy.js';
export { DEFAULT_OPENAI_BASE_URL, DEFAULT_OPENAI_MODEL } from './env.js';
export { systemClock, type Clock } from './clock.js';
