/**
 * The OpenAI-compatible route, POST /v1/chat/completions, and GET /v1/explanations/{id}.
 *
 * - With `value_profile`: the whole conversation goes to the model, steered (conditioning.ts says in
 *   which order); every other OpenAI field is forwarded as given (the template generator refuses the
 *   ones it cannot honour with a 400); the upstream's own chunks and body come back with this
 *   completion's `id`, `created` and `model` on every chunk, and the explanation rides on the last
 *   chunk (`pluralign`), in the `x-pluralign-explanation-id` header and behind GET /v1/explanations/{id}.
 * - Without it: a plain proxy (generator/passthrough.ts): same body, same streaming, same errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  ChatCompletionBody,
  ChatCompletionResponseBody,
  StoredExplanationBody,
  type ChatCompletionRequest,
  type ChatCompletionResponse,
  type StoredExplanation,
} from '../../../schemas/align.js';
import { errorResponses } from '../../../schemas/api.js';
import { passThrough } from '../../generator/passthrough.js';
import type { OpenAIGenerator } from '../../generator/openai.js';
import { alignEvents, generatorInfo, type AlignEvent } from '../../pipeline/align.js';
import type { RewriteInfo } from '../../pipeline/rewrite.js';
import { routeScope } from '../auth.js';
import { forwardedParams, readConversation, templateRefusals } from '../chat-messages.js';
import { ApiError } from '../api-error.js';
import { replyHeaders } from '../security.js';
import { ExplanationStore } from '../explanation-store.js';
import { ALIGN_ERRORS, clientSignal, streamEvents, type AlignRouteDeps } from './align.js';

type ChatBody = z.output<typeof ChatCompletionRequest>;
type CompletionT = z.output<typeof ChatCompletionResponse>;
type Stored = z.output<typeof StoredExplanation>;
type Chunk = Record<string, unknown>;

export const EXPLANATION_HEADER = 'x-pluralign-explanation-id';

/** OpenAI fields that shape a non-text answer: the rewrite mode (which rewrites text) refuses them. */
const REWRITE_REFUSED = new Set([
  'tools',
  'tool_choice',
  'functions',
  'function_call',
  'response_format',
  'n',
]);

/** A rewrite that failed after its first streamed text: the error, with the answer kept (the draft). */
function rewriteFailure(rewrite: RewriteInfo, kept: string): ApiError {
  const code = (rewrite.error?.code ?? 'UPSTREAM_ERROR') as ConstructorParameters<typeof ApiError>[0];
  return new ApiError(
    code,
    `${rewrite.error?.message ?? 'the rewrite failed'}; the draft answer is kept: details[0].message`,
    [{ path: 'draft', message: kept }],
  );
}

const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;

const hasFinish = (c: Chunk) =>
  Array.isArray(c['choices']) &&
  c['choices'].some((ch: { finish_reason?: unknown }) => typeof ch?.finish_reason === 'string');

const CHAT_DOC = `Point an OpenAI client at pluralign (base URL \`http://host:8080/v1\`).

**With \`value_profile\`** (\`extra_body\` in the Python SDK) the answer is steered to the profile. The whole conversation reaches the model: one system turn holds the value conditioning, then the caller's system (and developer) messages in order inside \`<caller-instructions>\` tags (they set language, format, persona and task, and cannot change the profile), then the guard; then the user, assistant and tool turns in order, each user turn delimited like /v1/align's question. The last user message is the question (at most 8,000 characters). Every other field (\`response_format\`, \`tools\`, \`tool_choice\`, \`stop\`, \`seed\`, \`n\`, \`logprobs\`, \`user\`…) is sent upstream as given; the embedded \`template\` generator answers 400 naming any it cannot honour. The response carries \`pluralign\` (explanation, generator, verification, \`explanation_id\`) and the header \`x-pluralign-explanation-id\`.

**With \`value_profile.mode: "rewrite"\`** the model first answers the conversation as sent (the draft), the attributor (\`value_profile.attributor\`) reads the draft's values as the factual profile, and the model rewrites its draft to the counterfactual profile, keeping its style; \`pluralign.rewrite\` carries the draft and the calls per stage. \`tools\`, \`tool_choice\`, \`response_format\` and \`n\` are refused (400). A failed rewrite keeps the draft: it is the content (non-streamed, or streamed before any rewrite text), or, after some streamed text, the error event's \`details[0].message\`.

**Without \`value_profile\`** the request is passed to the OpenAI-compatible upstream unchanged: same JSON body, same streaming, the upstream's errors with their status and body (400 \`GENERATOR_UNAVAILABLE\` when no upstream is configured).

**Streaming** (\`stream: true\`): \`chat.completion.chunk\` events with one \`id\`, \`created\` and \`model\` on every chunk, then \`data: [DONE]\`. The chunk with \`finish_reason\` also carries \`pluralign\`; the \`x-pluralign-explanation-id\` header arrives with the first byte, and GET /v1/explanations/{id} returns the same object. A usage chunk is sent only when \`stream_options.include_usage\` asks for it. A failure mid-stream sends \`data: {"error": …}\` and no \`[DONE]\`.`;

export const chatRoutes: FastifyPluginAsyncZod<AlignRouteDeps> = async (app, deps) => {
  const explanations = new ExplanationStore<Stored>();

  async function proxy(request: FastifyRequest, reply: FastifyReply, body: ChatBody) {
    const upstream = deps.align.generators.get('openai') as OpenAIGenerator | undefined;
    if (!upstream) {
      throw new ApiError(
        'GENERATOR_UNAVAILABLE',
        'a request without value_profile is passed to the OpenAI-compatible upstream unchanged, and none is configured: set OPENAI_BASE_URL, or add value_profile (e.g. {"target": {"values": {"benevolence": 5}}}) to have the embedded template answer',
      );
    }
    const controller = clientSignal(request, reply);
    const res = await passThrough(upstream.proxyTarget(), JSON.stringify(body), {
      signal: controller.signal,
      deadlineMs: upstream.reliability.deadlineMs,
      requestId: request.id,
    });
    reply.hijack();
    const raw = reply.raw;
    // The reply's headers (security headers, request id) and the upstream's.
    const headers = replyHeaders(reply);
    for (const name of ['content-type', 'retry-after', 'cache-control', 'openai-processing-ms']) {
      const v = res.headers.get(name);
      if (v !== null) headers[name] = v;
    }
    raw.writeHead(res.status, headers);
    try {
      if (res.body) for await (const piece of res.body) raw.write(piece);
      raw.end();
    } catch (err) {
      // The upstream broke off: so does the proxy (a cut, not a clean end).
      request.log.warn({ err }, 'pass-through: the upstream broke off mid-response');
      raw.destroy();
    }
    return reply;
  }

  app.post(
    '/v1/chat/completions',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'createChatCompletion',
        summary: 'OpenAI-compatible chat completions, steered by an optional value profile',
        description: CHAT_DOC,
        tags: ['align'],
        body: ChatCompletionBody,
        response: {
          200: ChatCompletionResponseBody,
          ...errorResponses(ALIGN_ERRORS),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const vp = body.value_profile;
      if (!vp) return proxy(request, reply, body);
      const { conversation, question } = readConversation(body.messages);
      const params = forwardedParams(body);
      const generatorName = vp.generator ?? deps.align.defaultGenerator;
      const generator = deps.align.generators.get(generatorName);
      if (generator && !generator.capabilities.forwardsParams) {
        const refused = templateRefusals(params);
        if (refused.length) {
          throw new ApiError(
            'VALIDATION_FAILED',
            `the ${generator.name} generator cannot honour ${refused.join(', ')}; remove ${refused.length === 1 ? 'it' : 'them'}, or use an OpenAI-compatible backend (set OPENAI_BASE_URL)`,
            refused.map((path) => ({ path, message: `not supported by the ${generator.name} generator` })),
          );
        }
        if (params['user'] !== undefined) request.log.info({ user: params['user'] }, 'chat completion user');
      }
      if (vp.mode === 'rewrite') {
        const refused = Object.keys(params).filter((k) => REWRITE_REFUSED.has(k));
        if (refused.length) {
          throw new ApiError(
            'VALIDATION_FAILED',
            `value_profile.mode "rewrite" rewrites a text answer and cannot honour ${refused.join(', ')}; remove ${refused.length === 1 ? 'it' : 'them'}, or use the default mode`,
            refused.map((path) => ({ path, message: 'not supported with value_profile.mode "rewrite"' })),
          );
        }
      }
      const controller = clientSignal(request, reply);
      const events = alignEvents(
        { ...deps.align, graphs: deps.store.servedGraphs() },
        {
          question,
          conversation,
          params,
          target: vp.target,
          graph: vp.graph,
          factual: vp.factual,
          action: vp.action,
          lambda: vp.lambda,
          verify: vp.verify,
          generator: vp.generator,
          ...(vp.mode ? { mode: vp.mode } : {}),
          ...(vp.attributor ? { attributor: vp.attributor } : {}),
          model: body.model,
          requestId: request.id,
        },
        controller.signal,
        { deltas: body.stream === true },
      );
      const id = `chatcmpl-${request.id.replace(/[^A-Za-z0-9]/g, '').slice(0, 24) || 'pluralign'}`;
      const created = Math.floor(Date.now() / 1000);
      const explanationId = ExplanationStore.newId();
      const remember = (
        head: Extract<AlignEvent, { type: 'profile' }>,
        verification: Stored['pluralign']['verification'],
        rewrite?: RewriteInfo,
      ): Stored['pluralign'] => {
        const pluralign = {
          explanation_id: explanationId,
          generator: generatorInfo(head.generator),
          explanation: head.explanation,
          verification,
          factual: head.factual,
          ...(rewrite ? { rewrite } : {}),
        };
        explanations.put(explanationId, { id: explanationId, created, completion_id: id, pluralign });
        return pluralign;
      };

      if (body.stream) {
        const includeUsage =
          (body['stream_options'] as { include_usage?: unknown } | undefined)?.include_usage === true;
        let head: Extract<AlignEvent, { type: 'profile' }> | undefined;
        let model: string | undefined;
        const own = (c: Chunk): Chunk => {
          const { usage, ...rest } = c;
          return {
            ...rest,
            id,
            object: 'chat.completion.chunk',
            created,
            model,
            ...(includeUsage ? { usage: usage ?? null } : {}),
          };
        };
        // Upstream chunks: an empty-choices usage chunk only when the caller asked for usage.
        const upstreamChunks = (chunks: Chunk[]) =>
          chunks.filter((c) => includeUsage || !(Array.isArray(c['choices']) && c['choices'].length === 0));
        let first = true;
        let sent = false;
        await streamEvents(
          request,
          reply,
          events,
          (ev) => {
            switch (ev.type) {
              case 'profile':
                head = ev;
                remember(ev, null);
                return '';
              case 'delta': {
                sent = true;
                model ??=
                  (ev.chunks?.map((c) => c['model']).find((m) => typeof m === 'string' && m !== '') as
                    string | undefined) ?? head!.generator.model;
                if (ev.chunks)
                  return upstreamChunks(ev.chunks)
                    .map((c) => data(own(c)))
                    .join('');
                const delta = first ? { role: 'assistant', content: ev.text } : { content: ev.text };
                first = false;
                return data(own({ choices: [{ index: 0, delta, finish_reason: null }] }));
              }
              case 'done': {
                model ??= ev.servedModel;
                const pluralign = remember(head!, ev.verification, ev.rewrite);
                if (ev.rewrite && !ev.rewrite.rewritten) {
                  // The rewrite failed: before any text, the kept answer is sent; after some, it cannot be
                  // taken back, so the stream ends with the error and the kept answer in its details.
                  if (sent) return data(rewriteFailure(ev.rewrite, ev.answer).toEnvelope());
                  const delta = { role: 'assistant', content: ev.answer };
                  return [
                    data(own({ choices: [{ index: 0, delta, finish_reason: null }] })),
                    data(own({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], pluralign })),
                    'data: [DONE]\n\n',
                  ].join('');
                }
                const tail: Chunk[] = ev.raw?.chunks
                  ? upstreamChunks(ev.raw.chunks).map(own)
                  : [own({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })];
                const last = tail.findLastIndex(hasFinish);
                if (last >= 0) tail[last] = { ...tail[last], pluralign };
                else tail.push(own({ choices: [], pluralign }));
                if (includeUsage && !ev.raw?.chunks) {
                  const u = ev.usage;
                  tail.push(
                    own({
                      choices: [],
                      usage: {
                        prompt_tokens: u.promptTokens,
                        completion_tokens: u.completionTokens,
                        total_tokens: u.promptTokens + u.completionTokens,
                      },
                    }),
                  );
                }
                return tail.map(data).join('') + 'data: [DONE]\n\n';
              }
              default:
                return '';
            }
          },
          (e) => data(e.toEnvelope()),
          deps.config.bodyLimit,
          { [EXPLANATION_HEADER]: explanationId },
        );
        return reply;
      }

      let head: Extract<AlignEvent, { type: 'profile' }> | undefined;
      let done: Extract<AlignEvent, { type: 'done' }> | undefined;
      for await (const ev of events) {
        if (ev.type === 'profile') head = ev;
        else if (ev.type === 'done') done = ev;
      }
      if (!head || !done) throw new Error('the alignment ended without a result');
      reply.header('x-upstream-attempts', String(done.usage.upstreamAttempts));
      reply.header('x-served-model', done.servedModel);
      reply.header(EXPLANATION_HEADER, explanationId);
      const pluralign = remember(head, done.verification, done.rewrite);
      const usage = {
        prompt_tokens: done.usage.promptTokens,
        completion_tokens: done.usage.completionTokens,
        total_tokens: done.usage.promptTokens + done.usage.completionTokens,
      };
      const fields = { id, object: 'chat.completion' as const, created, model: done.servedModel };
      // The upstream's own completion (tool calls, `n` choices, logprobs), under this completion's id.
      if (done.raw?.body) return { usage, ...(done.raw.body as CompletionT), ...fields, pluralign };
      return {
        ...fields,
        choices: [
          { index: 0, message: { role: 'assistant' as const, content: done.answer }, finish_reason: 'stop' },
        ],
        usage,
        pluralign,
      };
    },
  );

  app.get(
    '/v1/explanations/:id',
    {
      config: routeScope('align'),
      schema: {
        operationId: 'getChatExplanation',
        summary: 'The explanation of a steered chat completion',
        description:
          'The `pluralign` object of a chat completion made with `value_profile`, by the id in its `x-pluralign-explanation-id` header (or `pluralign.explanation_id`): for streams read with an SDK that drops the last chunk’s extra field. Kept in memory by the process that answered, for 15 minutes, the newest 1,000.',
        tags: ['align'],
        params: z.strictObject({ id: z.string().min(1).max(100) }),
        response: {
          200: StoredExplanationBody,
          ...errorResponses({ 400: ['VALIDATION_FAILED'], 404: ['UNKNOWN_EXPLANATION'], 500: ['INTERNAL'] }),
        },
      },
    },
    async (request) => {
      const found = explanations.get(request.params.id);
      if (!found) {
        throw new ApiError(
          'UNKNOWN_EXPLANATION',
          `no explanation "${request.params.id}": ids come from the x-pluralign-explanation-id header of a steered chat completion and are kept 15 minutes`,
        );
      }
      return found;
    },
  );
};
