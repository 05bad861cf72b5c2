/**
 * Running one batch line: the same work as `POST /v1/align`, `POST /v1/attributions` or
 * `POST /v1/decisions` (non-streamed), with the result as the status code and body that route would
 * have answered. Used by the embedded
 * queue (the service) and by `pluralign worker` (Redis mode), so both give byte-identical outputs.
 */
import type { z } from 'zod';
import { AlignRequest, AttributionRequest } from '../../schemas/align.js';
import { DecisionRequest } from '../../schemas/decisions.js';
import { decide } from '../decisions/decide.js';
import { attributeLearned, attributeText, attributeWithLlm } from '../attribution/index.js';
import { withLanguageNote } from '../attribution/language.js';
import { align, type AlignDeps } from '../pipeline/align.js';
import { DEFAULT_GRAPH } from '../graphs/registry.js';
import { radarFromExplanation } from '../render/index.js';
import { fromPipelineError } from '../error-mapping.js';
import { DomainError, statusOf } from '../errors.js';

export const BATCH_URLS = ['/v1/align', '/v1/attributions', '/v1/decisions'] as const;
export type BatchUrl = (typeof BATCH_URLS)[number];

/** The outcome of one line: an HTTP-like status and body (the route's JSON or its error envelope). */
export interface LineResult {
  status_code: number;
  body: unknown;
}

function validationError(err: z.ZodError): DomainError {
  return new DomainError(
    'VALIDATION_FAILED',
    'the line body does not match the schema of its url',
    err.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message })),
  );
}

function errorResult(err: unknown): LineResult {
  const error =
    err instanceof DomainError
      ? err
      : (fromPipelineError(err) ?? new DomainError('INTERNAL', 'internal error'));
  // A batch output line answers like the HTTP route would: the catalogue's status for the code.
  return { status_code: statusOf(error.code), body: error.toEnvelope() };
}

/** Run one line. Never throws: failures are results with a 4xx/5xx status and the error envelope. */
export async function executeLine(
  deps: AlignDeps,
  url: string,
  body: unknown,
  requestId: string,
  signal?: AbortSignal,
): Promise<LineResult> {
  try {
    if (url === '/v1/align') {
      const parsed = AlignRequest.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error);
      const b = parsed.data;
      if (b.stream) {
        throw new DomainError('VALIDATION_FAILED', 'batch lines cannot stream', [
          { path: 'body.stream', message: 'must be false or absent in a batch' },
        ]);
      }
      const response = await align(
        deps,
        {
          question: b.question,
          target: b.target,
          graph: b.graph,
          factual: b.factual,
          action: b.action,
          lambda: b.lambda,
          conditioning: b.conditioning,
          mode: b.mode,
          verify: b.verify,
          refine: b.refine,
          attributor: b.attributor,
          generator: b.generator,
          model: b.model,
          temperature: b.temperature,
          maxTokens: b.maxTokens,
          requestId,
        },
        signal,
      );
      const chart = b.explain?.chart === true;
      return {
        status_code: 200,
        body: chart ? { ...response, chart: radarFromExplanation(response.explanation) } : response,
      };
    }
    if (url === '/v1/attributions') {
      const parsed = AttributionRequest.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error);
      const { text, graph, detector } = parsed.data;
      const id = graph ?? deps.defaultGraph ?? DEFAULT_GRAPH;
      const entry = deps.graphs.get(id);
      if (!entry) throw new DomainError('UNKNOWN_GRAPH', `no graph "${id}"; GET /v1/graphs lists them`);
      if (detector === 'llm') {
        const generator = [...deps.generators.values()].find((g) => g.capabilities.structuredOutput);
        if (!generator) {
          throw new DomainError(
            'GENERATOR_UNAVAILABLE',
            'detector "llm" needs an OpenAI-compatible backend (set OPENAI_BASE_URL); use detector "learned" or "phrases"',
          );
        }
        return { status_code: 200, body: await attributeWithLlm(entry, text, generator, { requestId }) };
      }
      const attribution = detector === 'phrases' ? attributeText(entry, text) : attributeLearned(entry, text);
      return { status_code: 200, body: withLanguageNote(text, attribution) };
    }
    if (url === '/v1/decisions') {
      const parsed = DecisionRequest.safeParse(body);
      if (!parsed.success) throw validationError(parsed.error);
      return { status_code: 200, body: await decide(deps, { ...parsed.data, requestId, signal }) };
    }
    throw new DomainError('VALIDATION_FAILED', `unknown url ${url}`);
  } catch (err) {
    return errorResult(err);
  }
}
