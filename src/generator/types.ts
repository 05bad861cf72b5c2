/**
 * The one generator interface: every text backend (the OpenAI-compatible client, the embedded template
 * writer, a local model) implements `Generator`, and the alignment pipeline only sees this file.
 */

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  /**
   * Other OpenAI message fields sent as given (`tool_calls` on an assistant turn, `tool_call_id` on a
   * tool turn, `name`); `content: null` is sent when `content` is '' and `tool_calls` are present.
   */
  extra?: Record<string, unknown>;
}

export interface JsonSchemaFormat {
  /** Schema name sent to the backend (`[A-Za-z0-9_-]`, at most 64 characters for OpenAI). */
  name: string;
  /** A JSON Schema object. */
  schema: Record<string, unknown>;
  /**
   * OpenAI strict structured outputs (default true): the backend guarantees a match, but the schema
   * must use OpenAI's strict subset (every property required, `additionalProperties: false`).
   */
  strict?: boolean;
}

/** What the template-style writers read instead of the prompt: the conditioning in structured form. */
export interface AnswerPlan {
  /** Values most → least important, with their 1–5 level. */
  priorities: Array<{ value: string; label: string; level: number; description: string }>;
  /** Concepts to express, strongest first. */
  express: Array<{ label: string; description: string; phrases: string[]; values: string[] }>;
  /** The question (the template names it and takes a stance on it). */
  question?: string;
  /** Concepts the profile does not hold (for the stance only: they are never written). */
  avoid?: Array<{ phrases: string[]; values: string[] }>;
}

/**
 * What a generator can do; the pipeline, routes, batches, eval and CLI read these instead of testing
 * generator names.
 */
export interface GeneratorCapabilities {
  /**
   * Runs in the process, not a language model behind an upstream: no upstream calls or token usage to
   * count, no model value profile (the factual default is the human mean), and text is attributed
   * with the embedded detector.
   */
  embedded: boolean;
  /** Writes from `GenerateRequest.plan` (the structured conditioning) rather than from the prompt. */
  readsPlan: boolean;
  /** Answers with JSON matching `GenerateRequest.jsonSchema` (the LLM concept detector needs it). */
  structuredOutput: boolean;
  /**
   * Sends further OpenAI chat-completions fields (`GenerateRequest.params`: tools, response_format,
   * stop, seed…) upstream as given; without it, the chat route refuses the ones it cannot honour.
   */
  forwardsParams: boolean;
  /** A note every response made with it carries (e.g. that it is not a language model). */
  note?: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  /** Overrides the generator's default model. */
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Ask for JSON matching this JSON Schema (OpenAI response_format json_schema), for the LLM judge/attributor. */
  jsonSchema?: JsonSchemaFormat;
  /** Aborting it cancels the call (UPSTREAM_CANCELLED, or UPSTREAM_TIMEOUT when its reason is a TimeoutError). */
  signal?: AbortSignal;
  /** Correlation id; forwarded upstream inside `x-client-request-id`. */
  requestId?: string;
  /** The structured conditioning, for generators that read it (`capabilities.readsPlan`). */
  plan?: AnswerPlan;
  /**
   * Further OpenAI chat-completions fields sent as given (`tools`, `tool_choice`, `response_format`,
   * `stop`, `seed`, `n`, `logprobs`, `user`…), for the OpenAI-compatible route. They override the
   * fields above. A generator that cannot honour one refuses the request (see `supportsParams`).
   */
  params?: Record<string, unknown>;
  /** Keep the upstream's own chunks (streams) or body (non-streamed) in the events and the result. */
  raw?: boolean;
}

export interface GenerateResult {
  text: string;
  /** The model that actually served the answer (the upstream's `model` field), for `x-served-model`. */
  model: string;
  /** Upstream attempts made (1 = no retry), for `x-upstream-attempts`. */
  attempts: number;
  finishReason: string | null;
  usage?: { promptTokens: number; completionTokens: number };
  /** With `raw`: the upstream's completion body (non-streamed) or the chunks not yet sent in a delta. */
  raw?: { body?: Record<string, unknown>; chunks?: Array<Record<string, unknown>> };
}

export type StreamEvent =
  /** `chunks` (with `raw`): the upstream chunks this delta came from, tool-call and logprob chunks included. */
  | { type: 'delta'; text: string; chunks?: Array<Record<string, unknown>> }
  | { type: 'end'; result: GenerateResult };

export interface Generator {
  /** 'openai' | 'template' | ... */
  readonly name: string;
  /** Default model id. */
  readonly model: string;
  readonly capabilities: GeneratorCapabilities;
  /** Resolves with the whole answer or rejects with an `UpstreamError`. */
  generate(req: GenerateRequest): Promise<GenerateResult>;
  /**
   * Text deltas, then exactly one `end`. A failure before the first delta may be retried internally;
   * a failure after it throws an `UpstreamError` from the iterator (the HTTP layer turns it into an SSE
   * `error` event, never `done`). Breaking out of the loop cancels the upstream request.
   */
  stream(req: GenerateRequest): AsyncIterable<StreamEvent>;
  /**
   * The whole answer of a streamed generation, for a caller that needs no deltas: the same upstream
   * request as `stream` (so the first-token and idle timeouts apply), read to its end without an
   * event per chunk. Optional: without it, callers read `stream`.
   */
  collect?(req: GenerateRequest): Promise<GenerateResult>;
}
