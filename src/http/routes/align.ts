/**
 * The alignment routes: POST /v1/align (and its alias POST /align) and POST /v1/attributions (the
 * OpenAI-compatible POST /v1/chat/completions is in chat.ts, on the same streaming helpers).
 *
 * Streaming (`stream: true`) uses server-sent events. Headers are held until the model's first text
 * delta: a failure before it (upstream down, deadline, bad profile) is a normal HTTP error in the
 * envelope; after it the stream ends with an `error` event and never with `done`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  AlignBody,
  AlignResponseBody,
  AttributionBody,
  AttributionResponseBody,
  type AlignRequestT,
} from '../../../schemas/align.js';
import { errorResponses } from '../../../schemas/api.js';
import { attributeLearned, attributeText, attributeWithLlm } from '../../attribution/index.js';
import { withLanguageNote } from '../../attribution/language.js';
import { radarFromExplanation } from '../../render/index.js';
import type { GenerateResult } from '../../generator/types.js';
import { DEFAULT_GRAPH } from '../../graphs/registry.js';
import { ServedGraphsView } from '../../graphs/served-view.js';
import { jsonBytesWithExplanation } from '../../pipeline/explanation.js';
import {
  alignEvents,
  alignResponseBytes,
  collectResponse,
  generatorInfo,
  type AlignDeps,
  type AlignEvent,
  type AlignRequest as PipelineRequest,
} from '../../pipeline/align.js';
import { routeScope } from '../auth.js';
import { checkedJson } from '../serialization.js';
import { toApiError } from '../error-handler.js';
import { ApiError } from '../api-error.js';
import { replyHeaders } from '../security.js';
import type { ErrorCode } from '../../errors.js';
import type { RouteDeps } from './deps.js';

export interface AlignRouteDeps extends RouteDeps {
  align: Omit<AlignDeps, 'graphs'>;
}

export const ALIGN_ERRORS = {
  400: [
    'VALIDATION_FAILED',
    'MALFORMED_JSON',
    'INVALID_PROFILE',
    'UNKNOWN_VALUE',
    'UNKNOWN_PRESET',
    'GENERATOR_UNAVAILABLE',
  ],
  404: ['UNKNOWN_GRAPH'],
  413: ['BODY_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  422: ['UNSUPPORTED_QUERY', 'WORK_BUDGET_EXCEEDED'],
  500: ['INTERNAL'],
  502: ['UPSTREAM_ERROR', 'ATTRIBUTION_LLM_MALFORMED', 'ATTRIBUTION_LLM_INVALID'],
  503: ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_RATE_LIMITED', 'SHUTTING_DOWN', 'OVERLOADED'],
  504: ['UPSTREAM_TIMEOUT'],
} as const satisfies Record<number, readonly ErrorCode[]>;

const STREAM_DOC = `With \`stream: true\` the answer is \`text/event-stream\`: in \`mode: "rewrite"\` first \`stage\` events (\`{stage: "draft", status: "done", draft, source}\`, then \`{stage: "attribution", status: "done", attributor, attributed}\`); then \`profile\` (graph, generator, factual source and the explanation — the same object as in the JSON response; with \`explain.chart\` also \`chart\`, the SVG radar chart), then \`delta\` events (\`{text, attempt}\`), then \`verification\` when asked (and \`revision\` with \`{attempt, reason}\` before a regenerated answer: reset the text), then \`done\` (\`{answer, attempt, servedModel, usage, verification, notes}\`, and \`rewrite\` in mode rewrite; \`notes\` also on \`profile\`, each only when there are some). In mode rewrite a failed rewrite sends \`{stage: "rewrite", status: "failed", error}\` and then \`done\` with the draft as \`answer\` (reset the text): the same answer and \`rewrite\` object as the JSON response. A failed draft or attribution is the request's error (its code, the message naming the stage). A failure after the first event ends the stream with an \`error\` event (\`{error: {code, message, details}}\`) and never with \`done\`; a failure before it is an ordinary HTTP error.`;

function toPipeline(body: AlignRequestT, requestId: string): PipelineRequest {
  return {
    question: body.question,
    target: body.target,
    graph: body.graph,
    factual: body.factual,
    action: body.action,
    lambda: body.lambda,
    conditioning: body.conditioning,
    mode: body.mode,
    verify: body.verify,
    refine: body.refine,
    attributor: body.attributor,
    generator: body.generator,
    model: body.model,
    temperature: body.temperature,
    maxTokens: body.maxTokens,
    requestId,
  };
}

/** An AbortSignal that fires when the client goes away. */
export function clientSignal(request: FastifyRequest, reply: FastifyReply): AbortController {
  const controller = new AbortController();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  };
  reply.raw.on('close', onClose);
  request.raw.on('aborted', onClose);
  return controller;
}

function apiErrorOf(err: unknown, bodyLimit: number): ApiError {
  return toApiError(err, { bodyLimit }) ?? new ApiError('INTERNAL', 'internal error');
}

/**
 * Run `events`, holding everything until the first text delta (or the end), then stream them as SSE
 * written by `write`. Errors before the first write are thrown (an ordinary HTTP error).
 */
export async function streamEvents(
  request: FastifyRequest,
  reply: FastifyReply,
  events: AsyncIterable<AlignEvent>,
  write: (ev: AlignEvent) => string | Uint8Array,
  onError: (err: ApiError) => string,
  bodyLimit: number,
  headers: Record<string, string> = {},
): Promise<void> {
  const held: AlignEvent[] = [];
  const iterator = events[Symbol.asyncIterator]();
  // Phase 1: until the first delta or done; errors propagate to fastify's error handler.
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) break;
    held.push(value);
    if (value.type === 'delta' || value.type === 'done') break;
  }
  const head = held.find((e) => e.type === 'profile');
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, {
    ...replyHeaders(reply), // security headers, request id
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': request.id,
    ...(head && head.type === 'profile' ? { 'x-served-model': head.generator.model } : {}),
    ...headers,
  });
  for (const ev of held) raw.write(write(ev));
  try {
    if (held.at(-1)?.type !== 'done') {
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) break;
        if (raw.destroyed) break;
        raw.write(write(value));
      }
    }
  } catch (err) {
    const api = apiErrorOf(err, bodyLimit);
    request.log.warn({ err, code: api.code }, 'stream failed after the first event');
    if (!raw.destroyed) raw.write(onError(api));
  } finally {
    raw.end();
  }
}

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * The profile event as sent: JSON.stringify of `{graph, generator, factual, explanation, notes?,
 * chart?}` as its data, the explanation's bytes encoded once per cached profile and question rather
 * than on every stream (`explanationChunks`).
 */
function profileEvent(ev: Extract<AlignEvent, { type: 'profile' }>, chart?: string): Buffer {
  const data = {
    graph: ev.explanation.graph,
    generator: generatorInfo(ev.generator),
    factual: ev.factual,
    explanation: ev.explanation,
    notes: ev.notes.length ? ev.notes : undefined,
    chart,
  };
  return jsonBytesWithExplanation(data, 'event: profile\ndata: ', '\n\n');
}

function alignSse(ev: AlignEvent): string | Buffer {
  switch (ev.type) {
    case 'profile':
      return profileEvent(ev);
    case 'delta':
      // One per chunk of the answer: the text is the only part to serialize.
      return `event: delta\ndata: {"text":${JSON.stringify(ev.text)},"attempt":${ev.attempt}}\n\n`;
    case 'verification':
      return sse('verification', ev.verification);
    case 'revision':
      return sse('revision', { attempt: ev.attempt, reason: ev.reason });
    case 'stage': {
      const { type: _type, ...data } = ev;
      return sse('stage', data);
    }
    case 'done':
      return sse('done', {
        answer: ev.answer,
        attempt: ev.attempt,
        servedModel: ev.servedModel,
        usage: ev.usage,
        verification: ev.verification,
        ...(ev.rewrite ? { rewrite: ev.rewrite } : {}),
        ...(ev.notes.length ? { notes: ev.notes } : {}),
      });
  }
}

export const alignRoutes: FastifyPluginAsyncZod<AlignRouteDeps> = async (app, deps) => {
  // One graph per request: looked up by id, not a snapshot of every served graph (served-view.ts).
  const graphs = new ServedGraphsView(deps.store);
  const pipeline = (): AlignDeps => ({ ...deps.align, graphs });

  const handler = async (request: FastifyRequest<{ Body: AlignRequestT }>, reply: FastifyReply) => {
    const body = request.body;
    const controller = clientSignal(request, reply);
    const events = alignEvents(pipeline(), toPipeline(body, request.id), controller.signal, {
      deltas: body.stream,
    });
    const chart = body.explain?.chart === true;
    if (body.stream) {
      const write = (ev: AlignEvent) =>
        ev.type === 'profile' && chart
          ? profileEvent(ev, radarFromExplanation(ev.explanation))
          : alignSse(ev);
      await streamEvents(
        request,
        reply,
        events,
        write,
        (e) => sse('error', e.toEnvelope()),
        deps.config.bodyLimit,
      );
      return reply;
    }
    const response = await collectResponse(events);
    reply.header('x-upstream-attempts', String(response.usage.upstreamAttempts));
    reply.header('x-served-model', response.servedModel);
    if (chart) return { ...response, chart: radarFromExplanation(response.explanation) };
    // The JSON text's bytes: the explanation's are encoded once per cached profile (and question).
    const bytes = alignResponseBytes(response);
    if (deps.config.responseValidation) alignJson(bytes.toString('utf8'));
    return reply.type('application/json; charset=utf-8').send(bytes);
  };
  const alignJson = checkedJson(deps.config.responseValidation, {
    schema: AlignResponseBody,
    method: 'POST',
    url: '/v1/align',
  });

  const alignSchema = (operationId: string, summary: string, extra = '') => ({
    operationId,
    summary,
    description: `Abduction → action → prediction on the value SCM, one model call (two with \`verify\`), and the causal explanation. With \`mode: "rewrite"\`, COUPLE's counterfactual rewrite: draft → attribution of the draft → abduction from it → action → prediction → rewrite of the draft. Works offline with the embedded \`template\` generator; \`openai\` when OPENAI_BASE_URL is set.${extra}\n\n${STREAM_DOC}`,
    tags: ['align'],
    body: AlignBody,
    response: {
      200: AlignResponseBody,
      ...errorResponses(ALIGN_ERRORS),
    },
  });

  app.post(
    '/v1/align',
    {
      config: routeScope('align'),
      schema: alignSchema('align', 'Answer a question from a target value profile'),
    },
    handler,
  );
  app.post(
    '/align',
    {
      config: routeScope('align'),
      schema: alignSchema(
        'alignAlias',
        'Answer a question from a target value profile (alias of POST /v1/align)',
        '\n\nThis route is an alias of `POST /v1/align`: same request, same response.',
      ),
    },
    handler,
  );

  app.post(
    '/v1/attributions',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'attribute',
        summary: 'Read a value profile from a text',
        description:
          'A concept detector turns the text into evidence on the concept nodes (`learned`, the default: an embedded detector learned from human-labelled arguments, giving each concept a calibrated probability and the words that drove it; `phrases`: the embedded phrase matcher; `llm`: the configured backend rates each concept through a JSON schema), and the SCM’s partial-evidence abduction gives the posterior of every value (mean, sd, 1–5 level and a 95% interval). The model never scores values directly.',
        tags: ['align'],
        body: AttributionBody,
        response: {
          200: AttributionResponseBody,
          ...errorResponses({
            400: ['VALIDATION_FAILED', 'MALFORMED_JSON', 'GENERATOR_UNAVAILABLE'],
            404: ['UNKNOWN_GRAPH'],
            413: ['BODY_TOO_LARGE'],
            415: ['UNSUPPORTED_MEDIA_TYPE'],
            422: ['ATTRIBUTION_UNSUPPORTED_GRAPH'],
            500: ['INTERNAL'],
            502: ['UPSTREAM_ERROR', 'ATTRIBUTION_LLM_MALFORMED', 'ATTRIBUTION_LLM_INVALID'],
            503: ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_RATE_LIMITED', 'SHUTTING_DOWN'],
            504: ['UPSTREAM_TIMEOUT'],
          }),
        },
      },
    },
    async (request, reply) => {
      const { text, graph, detector } = request.body;
      const id = graph ?? deps.align.defaultGraph ?? DEFAULT_GRAPH;
      const entry = deps.store.servedGraphs().get(id);
      if (!entry) throw new ApiError('UNKNOWN_GRAPH', `no graph "${id}"; GET /v1/graphs lists them`);
      if (detector === 'llm') {
        const generator = [...deps.align.generators.values()].find((g) => g.capabilities.structuredOutput);
        if (!generator) {
          throw new ApiError(
            'GENERATOR_UNAVAILABLE',
            'detector "llm" needs an OpenAI-compatible backend (set OPENAI_BASE_URL); use detector "learned" or "phrases"',
          );
        }
        // Which model answered, and after how many attempts, go in headers, not in the body.
        const { upstream, ...attribution } = await attributeWithLlm(entry, text, generator, {
          requestId: request.id,
        });
        reply.header('x-upstream-attempts', String(upstream.attempts));
        reply.header('x-served-model', upstream.model);
        return attribution;
      }
      return withLanguageNote(
        text,
        detector === 'phrases' ? attributeText(entry, text) : attributeLearned(entry, text),
      );
    },
  );
};

export type { GenerateResult };
