/**
 * COUPLE's counterfactual rewrite as an alignment mode (`mode: "rewrite"`, couple.md §4):
 *
 *   draft (the model answers the bare question, as itself) → attribution of the draft (the learned
 *   detector by default, or the LLM judge, which sees the question) → abduction on the SCM from the
 *   draft's value posterior (the model's own values *for this question* are the factual) → action →
 *   prediction → the model rewrites its draft to the counterfactual profile, keeping its style.
 *
 * This module holds the stages that differ from the one-call mode: the draft and its attribution
 * (`draftStage`, an async generator yielding `stage` events and returning the factual), and the
 * conversation the rewrite is asked in (`rewriteConversation`: the question, the draft as the model's
 * previous turn, then a request to rewrite it; the value conditioning is the one-call mode's,
 * conditioning.ts, in its conversation form, so it asks for no format of its own and the draft's is kept).
 *
 * Failures: the draft's or the attribution's error is the request's error (the same code, its message
 * naming the stage); a failed rewrite keeps the draft as the answer (`rewrite.rewritten: false` with the
 * error), since the draft is a valid, unsteered answer.
 */
import { AttributionError, type Attribution, type DetectorName } from '../attribution/index.js';
import { UpstreamError } from '../generator/errors.js';
import type { ChatMessage, GenerateRequest, GenerateResult } from '../generator/types.js';
import type { Conversation } from './conditioning.js';

export type AlignMode = 'prompt' | 'rewrite';

export const ALIGN_MODES: readonly AlignMode[] = ['prompt', 'rewrite'];

/** The stages of the rewrite mode, in order. */
export type RewriteStage = 'draft' | 'attribution' | 'rewrite';

/** What the draft said about values, as the attributor read it (likert5, with the posterior sd). */
export interface DraftValue {
  value: string;
  likert5: number;
  sd: number;
}

/** The rewrite mode's part of a response (`rewrite`), the same in the JSON body and the `done` event. */
export interface RewriteInfo {
  /** The model's own answer to the bare question (or the caller's `factual.response`). */
  draft: string;
  /** Where the draft came from. */
  draftSource: 'generated' | 'factual.response';
  attributor: DetectorName;
  /** The draft's values as read back: the factual profile of the abduction. */
  attributed: DraftValue[];
  /** False when the rewrite failed: the answer is the draft. */
  rewritten: boolean;
  error?: { code: string; message: string };
  /** Upstream calls per stage (0 for embedded work). */
  calls: Record<RewriteStage, number>;
}

export type StageEvent =
  | { type: 'stage'; stage: 'draft'; status: 'done'; draft: string; source: RewriteInfo['draftSource'] }
  | {
      type: 'stage';
      stage: 'attribution';
      status: 'done';
      attributor: DetectorName;
      attributed: DraftValue[];
    }
  | { type: 'stage'; stage: 'rewrite'; status: 'failed'; error: { code: string; message: string } };

/** The user turn that asks for the rewrite, after the draft (the model's previous turn). */
export const REWRITE_REQUEST =
  'Rewrite your previous answer so that it follows the value priorities and the concerns of the system message. Keep its style: the same language, format, structure, length and tone, and the facts and advice that do not depend on values. Change only what it says or implies about values: bring in the concerns to express, and leave out or push against the concerns this person does not hold. Reply with the rewritten answer only.';

/** The draft's request: the bare question, or the caller's conversation as sent (no conditioning). */
export function draftMessages(question: string, conversation?: Conversation): ChatMessage[] {
  if (!conversation) return [{ role: 'user', content: question }];
  return [
    ...conversation.system.map((content) => ({ role: 'system' as const, content })),
    ...conversation.turns,
  ];
}

/** The conversation the rewrite is asked in: the question (or the caller's turns), the draft, the request. */
export function rewriteConversation(
  question: string,
  draft: string,
  conversation?: Conversation,
): Conversation {
  const turns: ChatMessage[] = conversation ? [...conversation.turns] : [{ role: 'user', content: question }];
  return {
    system: conversation ? [...conversation.system] : [],
    turns: [...turns, { role: 'assistant', content: draft }, { role: 'user', content: REWRITE_REQUEST }],
  };
}

/** Name the stage in the message of a stage's error (same class, code and status). */
export function atStage<E>(err: E, stage: RewriteStage): E {
  if (err instanceof UpstreamError || err instanceof AttributionError) {
    if (!err.message.startsWith('rewrite mode,'))
      err.message = `rewrite mode, ${stage} stage: ${err.message}`;
  }
  return err;
}

export interface DraftStageDeps {
  question: string;
  conversation?: Conversation;
  /** A draft given by the caller (`factual.response`): no draft call. */
  given?: string;
  attributor: DetectorName;
  /** The draft request without its messages (model, temperature, plan…). */
  request: Omit<GenerateRequest, 'messages'>;
  generate(req: GenerateRequest): Promise<GenerateResult>;
  /** Count an upstream result (calls, attempts, tokens) in the response's usage. */
  count(r: { attempts: number; usage?: { promptTokens: number; completionTokens: number } }): void;
  attribute(text: string): Promise<Attribution>;
  /** Upstream calls counted so far (to split them by stage). */
  calls(): number;
  signal?: AbortSignal | undefined;
}

export interface DraftOutcome {
  draft: string;
  /** The draft's value posterior means (the graph's scale): the factual profile. */
  factual: Record<string, number>;
  info: Omit<RewriteInfo, 'rewritten' | 'error'>;
}

/** Stages 1 and 2: the draft and its attribution, as events; returns the factual profile. */
export async function* draftStage(deps: DraftStageDeps): AsyncGenerator<StageEvent, DraftOutcome> {
  const before = deps.calls();
  let draft: string;
  if (deps.given !== undefined) draft = deps.given;
  else {
    let result: GenerateResult;
    try {
      result = await deps.generate({
        ...deps.request,
        messages: draftMessages(deps.question, deps.conversation),
      });
    } catch (err) {
      if (err instanceof UpstreamError && !deps.signal?.aborted) deps.count({ attempts: err.attempts });
      throw atStage(err, 'draft');
    }
    deps.count(result);
    draft = result.text;
  }
  const source = deps.given !== undefined ? 'factual.response' : 'generated';
  yield { type: 'stage', stage: 'draft', status: 'done', draft, source };
  const afterDraft = deps.calls();
  let a: Attribution;
  try {
    a = await deps.attribute(draft);
  } catch (err) {
    if (!deps.signal?.aborted) {
      // The judge's call was made even when its reply was unusable.
      if (err instanceof UpstreamError) deps.count({ attempts: err.attempts });
      const attempts = err instanceof AttributionError ? err.details['attempts'] : undefined;
      if (typeof attempts === 'number') deps.count({ attempts });
    }
    throw atStage(err, 'attribution');
  }
  const attributed = a.values.map((v) => ({ value: v.value, likert5: v.likert5, sd: v.likert5Sd }));
  yield { type: 'stage', stage: 'attribution', status: 'done', attributor: a.detector, attributed };
  return {
    draft,
    factual: Object.fromEntries(a.values.map((v) => [v.value, v.mean])),
    info: {
      draft,
      draftSource: source,
      attributor: a.detector,
      attributed,
      calls: { draft: afterDraft - before, attribution: deps.calls() - afterDraft, rewrite: 0 },
    },
  };
}
