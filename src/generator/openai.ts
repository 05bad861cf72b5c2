/**
 * The `openai` generator: any OpenAI-compatible chat-completions endpoint through the official SDK,
 * with the SDK's own retries off (`maxRetries: 0`) and our retry loop, timeouts and circuit breaker on
 * (reliability.ts). Non-streaming and streaming (`stream_options.include_usage`), and JSON-schema
 * structured output for the judge/attributor.
 *
 * A stream is retried only before its first text delta reached the caller. After that, any failure
 * (socket cut, stall, deadline, an in-band error, an end without `finish_reason`) is thrown from the
 * iterator as an UpstreamError: a broken stream never looks like a normal end.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { CircuitBreaker, type BreakerConfig } from './circuit-breaker.js';
import { systemClock, type Clock } from './clock.js';
import { CORRELATION_HEADER, watchConnect } from './connect-watch.js';
import { DEFAULT_OPENAI_BASE_URL } from './env.js';
import { safeExcerpt, type UpstreamError } from './errors.js';
import {
  AttemptFailure,
  AttemptGuard,
  CallScope,
  DEFAULT_RELIABILITY,
  recordLateFailure,
  runWithRetries,
  type AttemptFailedInfo,
  type ReliabilityConfig,
} from './reliability.js';
import { isRetryableStatus, parseRetryAfter, type BackoffConfig } from './retry-policy.js';
import type { ChatMessage, GenerateRequest, GenerateResult, Generator, StreamEvent } from './types.js';

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParams;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

/** Sent as the key when none is configured (local servers ignore it; the SDK insists on one). */
const NO_KEY = 'sk-no-key-required';

export interface OpenAIGeneratorConfig {
  /** Default model id (OPENAI_MODEL). */
  model: string;
  /** OPENAI_BASE_URL; default https://api.openai.com/v1. */
  baseURL?: string | undefined;
  /** OPENAI_API_KEY; may be empty for local servers. */
  apiKey?: string | undefined;
  organization?: string | undefined;
  project?: string | undefined;
  reliability?:
    (Partial<Omit<ReliabilityConfig, 'backoff'>> & { backoff?: Partial<BackoffConfig> }) | undefined;
  /** Breaker settings, or a breaker shared with other generators that call the same upstream. */
  breaker?: Partial<BreakerConfig> | CircuitBreaker | undefined;
  /** Ask for a usage chunk at the end of streams (default true; turn off for servers that reject `stream_options`). */
  streamUsage?: boolean | undefined;
  /** Which field carries `maxTokens` (default `max_tokens`, which every compatible server accepts). */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens' | undefined;
  /** Called after each failed attempt (logs, metrics). */
  onAttemptFailed?: ((info: AttemptFailedInfo) => void) | undefined;
  /** Test seams. */
  clock?: Clock | undefined;
  random?: (() => number) | undefined;
  fetch?: typeof fetch | undefined;
}

/** The upstream's chat-completions endpoint and credentials, for a plain proxy. */
export interface ProxyTarget {
  url: string;
  headers: Record<string, string>;
  fetch: typeof fetch;
}

let callSeq = 0;

/** A correlation id base that is safe in a header: the caller's request id (sanitised) and a sequence. */
function callIdFor(requestId: string | undefined): string {
  callSeq = (callSeq + 1) % Number.MAX_SAFE_INTEGER;
  const base = (requestId ?? '').replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 96) || 'pluralign';
  return `${base}.${callSeq.toString(36)}`;
}

function breakerName(baseURL: string): string {
  try {
    const u = new URL(baseURL);
    return `openai:${u.host}${u.pathname.replace(/\/$/, '')}`;
  } catch {
    return 'openai';
  }
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** The first system/undici error code in an error's cause chain (AggregateError included). */
function networkCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || seen.has(e)) continue;
    seen.add(e);
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    queue.push((e as { cause?: unknown }).cause);
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}

/** A broken body read: undici reports a socket closed mid-body as TypeError('terminated'). */
function isBrokenBody(err: unknown): boolean {
  return (
    networkCode(err) !== undefined || (err instanceof TypeError && /terminated|aborted/i.test(err.message))
  );
}

function malformed(detail: string, cause?: unknown): AttemptFailure {
  return new AttemptFailure('malformed_response', `the upstream returned a malformed response (${detail})`, {
    retryable: false,
    breaker: 'failure',
    cause,
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function usageOf(v: unknown): GenerateResult['usage'] | undefined {
  if (!isRecord(v)) return undefined;
  const p = v['prompt_tokens'];
  const c = v['completion_tokens'];
  return typeof p === 'number' && typeof c === 'number'
    ? { promptTokens: p, completionTokens: c }
    : undefined;
}

type Completed = Omit<GenerateResult, 'attempts'>;

/** Validate a non-streaming chat completion body (the SDK returns a string when it was not JSON). */
function parseCompletion(body: unknown, requestedModel: string, raw = false): Completed {
  if (!isRecord(body)) return fail('not a JSON object');
  const choices = body['choices'];
  if (!Array.isArray(choices) || choices.length === 0) return fail('no choices');
  const choice: unknown = choices[0];
  if (!isRecord(choice) || !isRecord(choice['message'])) return fail('choices[0].message missing');
  const content = choice['message']['content'];
  if (content !== null && content !== undefined && typeof content !== 'string')
    return fail('content is not a string');
  const finish = choice['finish_reason'];
  const result: Completed = {
    text: content ?? '',
    model: typeof body['model'] === 'string' && body['model'] !== '' ? body['model'] : requestedModel,
    finishReason: typeof finish === 'string' ? finish : null,
  };
  const usage = usageOf(body['usage']);
  if (usage) result.usage = usage;
  if (raw) result.raw = { body };
  return result;

  function fail(detail: string): never {
    throw malformed(detail);
  }
}

/**
 * Reads one streaming attempt chunk by chunk. Until the first token of any kind (text, reasoning,
 * tool call) the guard's first-token timer runs; after it, every wait for a chunk is bounded by the
 * idle timeout. Throws AttemptFailures only.
 */
class ChunkReader {
  text = '';
  deltas = 0;
  model: string;
  finishReason: string | null = null;
  usage: GenerateResult['usage'];
  /** With `keepRaw`: the chunks read since the last delta was returned. */
  pending: Array<Record<string, unknown>> = [];
  /** A token of any kind arrived: the first-token timer is off, the idle timer on. */
  private started = false;
  private closed = false;
  /** The stream was read to its clean end (nothing left to abort). */
  private ended = false;
  private readonly idleMessage: string;

  constructor(
    private readonly it: AsyncIterator<Chunk>,
    readonly guard: AttemptGuard,
    private readonly idleTimeoutMs: number,
    private readonly classify: (err: unknown, guard: AttemptGuard) => AttemptFailure,
    requestedModel: string,
    private readonly keepRaw = false,
  ) {
    this.model = requestedModel;
    this.idleMessage = `the upstream stream stalled for ${idleTimeoutMs} ms`;
  }

  /**
   * The next text delta, or null at a clean end (the stream ended after a finish_reason). With
   * `toEnd`, read on to the clean end (the text accumulates in `text`) and return null. With
   * `keepRaw`, a chunk with a token of another kind (a tool call, another choice's text) returns ''.
   */
  async next(toEnd = false): Promise<string | null> {
    for (;;) {
      if (this.started) this.guard.beginWait(this.idleTimeoutMs, this.idleMessage);
      let r: IteratorResult<Chunk>;
      try {
        r = await this.it.next();
      } catch (err) {
        throw this.classify(err, this.guard);
      } finally {
        this.guard.endWait();
      }
      // The SDK ends its iterator quietly when the request is aborted: check our reasons first (every
      // reason aborts the attempt's signal, so a live one costs a flag read per chunk).
      const aborted = this.guard.signal.aborted ? this.guard.failure() : undefined;
      if (aborted) throw aborted;
      if (r.done) {
        if (this.finishReason === null) {
          throw new AttemptFailure('stream_cut', 'the upstream stream ended before a finish_reason', {
            retryable: true,
            breaker: 'failure',
          });
        }
        this.ended = true;
        return null;
      }
      const { text, activity } = this.absorb(r.value);
      if (toEnd) continue;
      if (text) return text;
      if (this.keepRaw && activity) return '';
    }
  }

  /** Read one chunk: the text of choice 0, and whether any choice carries a token. */
  private absorb(chunk: unknown): { text: string; activity: boolean } {
    if (!isRecord(chunk)) throw malformed('a stream chunk is not a JSON object');
    if (typeof chunk['model'] === 'string' && chunk['model'] !== '') this.model = chunk['model'];
    const usage = usageOf(chunk['usage']);
    if (usage) this.usage = usage;
    const choices = chunk['choices'] ?? [];
    if (!Array.isArray(choices)) throw malformed('a stream chunk has no choices array');
    if (this.keepRaw) this.pending.push(chunk);
    let text = '';
    let activity = false;
    for (const choice of choices) {
      if (!isRecord(choice)) continue;
      const delta = isRecord(choice['delta']) ? choice['delta'] : {};
      activity ||= isTokenActivity(delta);
      // With `n` > 1 each choice streams under its own index; the answer is choice 0.
      if ((choice['index'] ?? 0) !== 0) continue;
      if (typeof choice['finish_reason'] === 'string') this.finishReason = choice['finish_reason'];
      const content = delta['content'];
      if (typeof content === 'string' && content !== '') text += content;
    }
    if (!this.started && activity) {
      this.started = true;
      this.guard.disarm('first_token_timeout');
    }
    if (text === '') return { text, activity };
    this.text += text;
    this.deltas += 1;
    return { text, activity };
  }

  /** The raw chunks read since the last call (with `keepRaw`). */
  takeRaw(): Array<Record<string, unknown>> | undefined {
    if (!this.keepRaw) return undefined;
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Stop reading and release the connection. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.guard.dispose(this.ended);
    void Promise.resolve(this.it.return?.()).catch(() => undefined);
  }
}

/** Whether a delta carries a generated token: text, reasoning (vLLM, DeepSeek, OpenRouter), a refusal or a tool call. */
function isTokenActivity(delta: Record<string, unknown>): boolean {
  for (const key of ['content', 'reasoning_content', 'reasoning', 'refusal']) {
    const v = delta[key];
    if (typeof v === 'string' && v !== '') return true;
  }
  return Array.isArray(delta['tool_calls']) && delta['tool_calls'].length > 0;
}

/** A message as the upstream gets it: role, content and the message's other OpenAI fields. */
function messageParam(m: ChatMessage): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  const content = m.content === '' && m.extra && 'tool_calls' in m.extra ? null : m.content;
  return { ...m.extra, role: m.role, content } as OpenAI.Chat.Completions.ChatCompletionMessageParam;
}

/** The result of a stream read to its end. */
function resultOf(reader: ChunkReader, attempts: number): GenerateResult {
  const result: GenerateResult = {
    text: reader.text,
    model: reader.model,
    attempts,
    finishReason: reader.finishReason,
  };
  if (reader.usage) result.usage = reader.usage;
  const chunks = reader.takeRaw();
  if (chunks) result.raw = { chunks };
  return result;
}

/** A streaming attempt that got its first delta (or ended cleanly with no text). */
interface OpenedStream {
  reader: ChunkReader;
  first: string | null;
}

export class OpenAIGenerator implements Generator {
  readonly name = 'openai';
  readonly model: string;
  readonly capabilities = {
    embedded: false,
    readsPlan: false,
    structuredOutput: true,
    forwardsParams: true,
  } as const;
  readonly baseURL: string;
  readonly reliability: ReliabilityConfig;
  /** This upstream's circuit breaker (state and transitions for metrics). */
  readonly breaker: CircuitBreaker;
  private readonly client: OpenAI;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly secrets: string[];
  private readonly streamUsage: boolean;
  private readonly maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  private readonly onAttemptFailed: ((info: AttemptFailedInfo) => void) | undefined;
  private readonly proxy: ProxyTarget;

  constructor(config: OpenAIGeneratorConfig) {
    this.model = config.model;
    this.baseURL = config.baseURL || DEFAULT_OPENAI_BASE_URL;
    const r = config.reliability ?? {};
    this.reliability = {
      ...DEFAULT_RELIABILITY,
      ...r,
      backoff: { ...DEFAULT_RELIABILITY.backoff, ...r.backoff },
    };
    this.clock = config.clock ?? systemClock;
    this.random = config.random ?? Math.random;
    this.breaker =
      config.breaker instanceof CircuitBreaker
        ? config.breaker
        : new CircuitBreaker(breakerName(this.baseURL), config.breaker, this.clock);
    this.secrets = config.apiKey ? [config.apiKey] : [];
    this.streamUsage = config.streamUsage ?? true;
    this.maxTokensParam = config.maxTokensParam ?? 'max_tokens';
    this.onAttemptFailed = config.onAttemptFailed;
    this.proxy = {
      url: `${this.baseURL.replace(/\/+$/, '')}/chat/completions`,
      headers: {
        authorization: `Bearer ${config.apiKey || NO_KEY}`,
        ...(config.organization ? { 'openai-organization': config.organization } : {}),
        ...(config.project ? { 'openai-project': config.project } : {}),
      },
      fetch: config.fetch ?? fetch,
    };
    // Every option is explicit so the SDK reads nothing from the environment.
    this.client = new OpenAI({
      apiKey: config.apiKey || NO_KEY,
      adminAPIKey: null,
      webhookSecret: null,
      baseURL: this.baseURL,
      organization: config.organization ?? null,
      project: config.project ?? null,
      maxRetries: 0, // the one retry loop is ours
      // Our deadline and attempt timers abort first; this only backstops the SDK's 10-minute default.
      timeout: Math.ceil(this.reliability.deadlineMs) + 1_000,
      logLevel: 'off',
      ...(config.fetch ? { fetch: config.fetch } : {}),
    });
  }

  /** Where a request passed through unchanged goes (the chat route without a value profile). */
  proxyTarget(): ProxyTarget {
    return this.proxy;
  }

  async generate(req: GenerateRequest): Promise<GenerateResult> {
    const scope = new CallScope(this.reliability.deadlineMs, this.clock, req.signal);
    const callId = callIdFor(req.requestId);
    try {
      const { value, attempts } = await runWithRetries(
        (n) => this.attemptGenerate(req, scope, callId, n),
        this.loopOptions(scope),
      );
      return { ...value, attempts };
    } finally {
      scope.dispose();
    }
  }

  async *stream(req: GenerateRequest): AsyncGenerator<StreamEvent, void, undefined> {
    const scope = new CallScope(this.reliability.deadlineMs, this.clock, req.signal);
    let reader: ChunkReader | undefined;
    try {
      const { value, attempts } = await this.openStream(req, scope);
      reader = value.reader;
      for (let delta = value.first; delta !== null;) {
        const chunks = reader.takeRaw();
        yield chunks ? { type: 'delta', text: delta, chunks } : { type: 'delta', text: delta };
        // Inline (not a helper's promise per chunk): any failure now is final, the caller has text.
        try {
          delta = await reader.next();
        } catch (err) {
          throw this.lateFailure(err, reader, attempts);
        }
      }
      yield { type: 'end', result: resultOf(reader, attempts) };
    } finally {
      reader?.close();
      scope.dispose();
    }
  }

  async collect(req: GenerateRequest): Promise<GenerateResult> {
    const scope = new CallScope(this.reliability.deadlineMs, this.clock, req.signal);
    let reader: ChunkReader | undefined;
    try {
      const { value, attempts } = await this.openStream(req, scope);
      reader = value.reader;
      // The reader keeps the text: read to the end, with no event per chunk.
      try {
        if (value.first !== null) await reader.next(true);
      } catch (err) {
        throw this.lateFailure(err, reader, attempts);
      }
      return resultOf(reader, attempts);
    } finally {
      reader?.close();
      scope.dispose();
    }
  }

  /** Streaming attempts, retried until one yields its first delta (or ends cleanly with none). */
  private openStream(req: GenerateRequest, scope: CallScope) {
    const callId = callIdFor(req.requestId);
    return runWithRetries((n) => this.attemptStream(req, scope, callId, n), this.loopOptions(scope));
  }

  /** A failure of a committed stream: final (the caller already has text), counted by the breaker. */
  private lateFailure(err: unknown, reader: ChunkReader, attempts: number): UpstreamError {
    const failure = err instanceof AttemptFailure ? err : this.classify(err, reader.guard);
    recordLateFailure(this.breaker, failure);
    const n = reader.deltas;
    return failure.toUpstreamError(attempts, `; the stream broke after ${n} text delta${n === 1 ? '' : 's'}`);
  }

  private loopOptions(scope: CallScope) {
    return {
      scope,
      maxAttempts: this.reliability.maxAttempts,
      backoff: this.reliability.backoff,
      clock: this.clock,
      random: this.random,
      breaker: this.breaker,
      onAttemptFailed: this.onAttemptFailed,
    };
  }

  private async attemptGenerate(
    req: GenerateRequest,
    scope: CallScope,
    callId: string,
    n: number,
  ): Promise<Completed> {
    const guard = new AttemptGuard(scope, this.clock);
    const id = `${callId}.${n}`;
    const unwatch = this.watchConnect(id, guard);
    let read = false;
    try {
      let body: unknown;
      try {
        body = await this.client.chat.completions.create(
          this.params(req, false),
          this.requestOptions(guard, id, n),
        );
      } catch (err) {
        throw this.classify(err, guard);
      }
      read = true; // the SDK has read the whole body
      return parseCompletion(body, req.model ?? this.model, req.raw === true);
    } finally {
      unwatch();
      guard.dispose(read);
    }
  }

  private async attemptStream(
    req: GenerateRequest,
    scope: CallScope,
    callId: string,
    n: number,
  ): Promise<OpenedStream> {
    const guard = new AttemptGuard(scope, this.clock);
    const ms = this.reliability.firstTokenTimeoutMs;
    guard.arm('first_token_timeout', ms, `the upstream sent no first token within ${ms} ms`);
    const id = `${callId}.${n}`;
    const unwatch = this.watchConnect(id, guard);
    let reader: ChunkReader | undefined;
    try {
      let stream: AsyncIterable<Chunk>;
      try {
        stream = await this.client.chat.completions.create(
          this.params(req, true),
          this.requestOptions(guard, id, n),
        );
      } catch (err) {
        throw this.classify(err, guard);
      }
      guard.disarm('connect_timeout');
      reader = new ChunkReader(
        stream[Symbol.asyncIterator](),
        guard,
        this.reliability.idleTimeoutMs,
        (err, g) => this.classify(err, g),
        req.model ?? this.model,
        req.raw === true,
      );
      const first = await reader.next();
      guard.disarm('first_token_timeout'); // also when the stream ended with no text at all
      return { reader, first };
    } catch (err) {
      if (reader) reader.close();
      else guard.dispose();
      throw err;
    } finally {
      unwatch();
    }
  }

  private watchConnect(id: string, guard: AttemptGuard): () => void {
    const ms = this.reliability.connectTimeoutMs;
    return watchConnect(id, {
      onStart: () => guard.arm('connect_timeout', ms, `could not connect to the upstream within ${ms} ms`),
      onConnected: () => guard.disarm('connect_timeout'),
    });
  }

  private requestOptions(guard: AttemptGuard, id: string, n: number) {
    return {
      signal: guard.signal,
      headers: { [CORRELATION_HEADER]: id, 'X-Stainless-Retry-Count': String(n - 1) },
    };
  }

  private params(
    req: GenerateRequest,
    stream: false,
  ): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;
  private params(
    req: GenerateRequest,
    stream: true,
  ): OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
  private params(req: GenerateRequest, stream: boolean): ChatParams {
    const p: Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, 'stream'> & {
      stream?: boolean;
    } = {
      model: req.model ?? this.model,
      messages: req.messages.map((m) => messageParam(m)),
    };
    if (req.temperature !== undefined) p.temperature = req.temperature;
    if (req.maxTokens !== undefined) p[this.maxTokensParam] = req.maxTokens;
    if (req.jsonSchema) {
      p.response_format = {
        type: 'json_schema',
        json_schema: {
          name: req.jsonSchema.name,
          schema: req.jsonSchema.schema,
          strict: req.jsonSchema.strict ?? true,
        },
      };
    }
    // The caller's own OpenAI fields (the chat route) win over the ones derived above.
    Object.assign(p, req.params);
    if (stream) {
      p.stream = true;
      if (this.streamUsage) p.stream_options = { include_usage: true };
    }
    return p as ChatParams;
  }

  /** Turn anything the SDK (or fetch) threw into a classified attempt failure. */
  private classify(err: unknown, guard: AttemptGuard): AttemptFailure {
    const aborted = guard.failure();
    if (aborted) return aborted;
    if (err instanceof AttemptFailure) return err;
    if (err instanceof APIConnectionTimeoutError) {
      return new AttemptFailure('connect_timeout', 'the connection to the upstream timed out', {
        retryable: true,
        breaker: 'failure',
        cause: err,
      });
    }
    if (err instanceof APIConnectionError) {
      const code = networkCode(err);
      return new AttemptFailure('connection', `could not reach the upstream${code ? ` (${code})` : ''}`, {
        retryable: true,
        breaker: 'failure',
        cause: err,
      });
    }
    if (err instanceof APIError) {
      const detail = safeExcerpt(
        (err.error as { message?: unknown } | undefined)?.message ?? err.error,
        this.secrets,
      );
      if (typeof err.status !== 'number') {
        // An error event inside a 200 stream (OpenRouter, vLLM): the upstream gave up mid-answer.
        return new AttemptFailure(
          'stream_error',
          `the upstream reported an error in the stream${detail ? `: ${detail}` : ''}`,
          {
            retryable: false,
            breaker: 'failure',
            cause: err,
          },
        );
      }
      const status = err.status;
      const init: ConstructorParameters<typeof AttemptFailure>[2] = {
        retryable: isRetryableStatus(status, err.headers),
        breaker: status >= 500 ? 'failure' : 'success',
        upstreamStatus: status,
        cause: err,
      };
      const retryAfterMs = parseRetryAfter(err.headers, this.clock.wallNow());
      if (retryAfterMs !== undefined) init.retryAfterMs = retryAfterMs;
      return new AttemptFailure(
        'http_status',
        `the upstream answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
        init,
      );
    }
    if (err instanceof SyntaxError) return malformed('invalid JSON', err);
    if (isBrokenBody(err)) {
      const code = networkCode(err);
      return new AttemptFailure(
        'stream_cut',
        `the upstream closed the connection mid-response${code ? ` (${code})` : ''}`,
        {
          retryable: true,
          breaker: 'failure',
          cause: err,
        },
      );
    }
    return new AttemptFailure('unexpected', 'the upstream call failed unexpectedly', {
      retryable: false,
      breaker: 'neutral',
      cause: err,
    });
  }
}

export function createOpenAIGenerator(config: OpenAIGeneratorConfig): OpenAIGenerator {
  return new OpenAIGenerator(config);
}
