/**
 * align(): the whole pipeline in one place (DESIGN.md): factual → abduction → action → prediction →
 * conditioning → one generation → verification (optional, with refinement) → explanation.
 *
 * It is written once, as an async stream of events; the JSON route collects the same events, so the
 * streamed and the non-streamed responses carry the same explanation object:
 *   profile (graph, counterfactual profile, explanation) → delta* → [verification → revision → delta*]* → done
 * A failure after the first event is thrown from the iterator; the HTTP layer ends the stream with an
 * `error` event (never `done`).
 */
import {
  attributeLearned,
  AttributionError,
  attributeText,
  attributeWithLlm,
  compareProfiles,
  type Attribution,
  type DetectorName,
  type ProfileComparison,
} from '../attribution/index.js';
import { languageNote } from '../attribution/language.js';
import { enablingVars } from '../generator/registry.js';
import { UpstreamError } from '../generator/errors.js';
import type {
  AnswerPlan,
  GenerateRequest,
  GenerateResult,
  Generator,
  GeneratorCapabilities,
} from '../generator/types.js';
import { DEFAULT_GRAPH, type GraphEntry } from '../graphs/registry.js';
import { getPreset, ProfileError, toCentered, type Profile, type ValueSystem } from '../values/index.js';
import {
  buildConditioning,
  type Conditioning,
  type ConditioningMode,
  type Conversation,
} from './conditioning.js';
import { jsonBytesWithExplanation, type AlignExplanation } from './explanation.js';
import { defaultPresetFor, PRIOR_WHY, priorFactual } from './factual.js';
import { conceptsForQuestion } from './concepts.js';
import {
  cachedProfile,
  type ActionMode,
  type CounterfactualProfile,
  type ProfileRequest,
} from './profile.js';
import {
  atStage,
  draftStage,
  rewriteConversation,
  type AlignMode,
  type RewriteInfo,
  type StageEvent,
} from './rewrite.js';
import { Lru } from './lru.js';
import { questionHead } from './question-head.js';
import { targetNotes } from './target-notes.js';

export class AlignError extends Error {
  constructor(
    readonly code:
      | 'UNKNOWN_GRAPH'
      | 'UNKNOWN_PRESET'
      | 'INVALID_PROFILE'
      | 'GENERATOR_UNAVAILABLE'
      | 'NO_TARGET'
      | 'VALIDATION_FAILED',
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AlignError';
  }
}

export interface AlignRequest {
  question: string;
  graph?: string;
  /** The target value profile (only the dimensions the caller cares about). */
  target: Profile;
  /**
   * The responder before steering: a preset id, a profile, or a factual response to attribute. In
   * `rewrite` mode only `response` (the draft to rewrite) may be given.
   */
  factual?: { preset?: string; profile?: Profile; response?: string };
  /**
   * `prompt` (default): one generation conditioned on the counterfactual profile. `rewrite`: COUPLE's
   * counterfactual rewrite (rewrite.ts): draft → attribution → abduction from the draft → rewrite.
   */
  mode?: AlignMode;
  action?: ActionMode;
  lambda?: number;
  conditioning?: ConditioningMode;
  verify?: boolean;
  /** Regenerate up to this many times with feedback on the dimensions that missed (1–3). */
  refine?: number;
  /** Who reads the answer back for verify/refine and a factual response: default `learned`. */
  attributor?: DetectorName;
  generator?: string;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  requestId?: string;
  /**
   * The OpenAI-compatible route: the caller's whole conversation (its last user turn is `question`),
   * conditioned as conditioning.ts says, the caller's other OpenAI fields sent as given, and the
   * upstream's own chunks or body kept (`delta.chunks`, `done.raw`).
   */
  conversation?: Conversation;
  params?: Record<string, unknown>;
}

export interface AlignDeps {
  graphs: ReadonlyMap<string, GraphEntry>;
  generators: ReadonlyMap<string, Generator>;
  defaultGenerator: string;
  /** Graph used when the request names none. */
  defaultGraph?: string;
  /**
   * How counterfactual profiles are computed: in place and cached by default; the service passes one
   * that runs large ones on worker threads under the work budget (src/compute/profile-budget.ts).
   */
  profiles?: (
    entry: GraphEntry,
    req: ProfileRequest,
  ) => CounterfactualProfile | Promise<CounterfactualProfile>;
}

export interface Verification {
  attributor: DetectorName;
  mae: number;
  spearman: number | null;
  dimensions: ProfileComparison['dimensions'];
  attributed: Array<{ value: string; likert5: number; sd: number }>;
  /** The attempt these numbers are for (1 = first answer). */
  attempt: number;
}

/**
 * A verification that could not be made (the attributor failed, e.g. a small model's incomplete JSON):
 * the answer is kept, and this says why it is not verified.
 */
export interface VerificationFailure {
  attributor: DetectorName;
  error: { code: string; message: string };
  attempt: number;
}

export type VerificationOutcome = Verification | VerificationFailure;

export const isVerified = (v: VerificationOutcome | null): v is Verification => v !== null && !('error' in v);

export interface FactualSource {
  /**
   * `prior`: no preset fits the graph, so the graph's own population prior (its value nodes' means);
   * `draft`: the rewrite mode's draft answer, attributed.
   */
  kind: 'preset' | 'profile' | 'response' | 'prior' | 'draft';
  preset?: string;
  /** Why this factual profile: named by the caller, or which model's preset and how its id matched. */
  why: string;
  /** How the answering model's id matched its preset (default presets only). */
  match?: 'exact' | 'alias' | 'family';
}

export interface UsageInfo {
  upstreamCalls: number;
  upstreamAttempts: number;
  promptTokens: number;
  completionTokens: number;
}

export type AlignEvent =
  | {
      type: 'profile';
      graph: GraphEntry;
      generator: { name: string; model: string; capabilities: GeneratorCapabilities };
      factual: FactualSource;
      explanation: AlignExplanation;
      /** Warnings about the request (target-notes.ts, a non-English factual.response). */
      notes: string[];
    }
  | StageEvent
  | { type: 'delta'; text: string; attempt: number; chunks?: Array<Record<string, unknown>> }
  | { type: 'verification'; verification: VerificationOutcome }
  | { type: 'revision'; attempt: number; reason: string }
  | {
      type: 'done';
      answer: string;
      attempt: number;
      servedModel: string;
      usage: UsageInfo;
      verification: VerificationOutcome | null;
      /** The profile's notes, and a non-English answer read back by an embedded detector. */
      notes: string[];
      /** With a conversation: the upstream's body (non-streamed) or its last chunks (streamed). */
      raw?: GenerateResult['raw'];
      /** `rewrite` mode: the draft, its attribution and whether the rewrite succeeded. */
      rewrite?: RewriteInfo;
    };

/** Profiles as centered scores, recently converted, per value system (frozen and shared). */
export const CENTERED_CACHE_SIZE = 256;
const centeredCache = new WeakMap<ValueSystem, Lru<string, Readonly<Record<string, number>>>>();

/**
 * A profile as centered scores; profile errors name the request field (`target.values.x`). The same
 * profile (by its JSON) converted again is the same frozen record.
 */
export function centered(
  profile: Profile,
  system: ValueSystem,
  field: string,
): Readonly<Record<string, number>> {
  let cache = centeredCache.get(system);
  if (!cache) centeredCache.set(system, (cache = new Lru(CENTERED_CACHE_SIZE)));
  const key = JSON.stringify(profile);
  return cache.get(key) ?? cache.set(key, Object.freeze(convertCentered(profile, system, field)));
}

function convertCentered(profile: Profile, system: ValueSystem, field: string): Record<string, number> {
  try {
    return toCentered(profile, system);
  } catch (err) {
    if (!(err instanceof ProfileError)) throw err;
    const issues = err.issues.map((i) => ({ ...i, path: i.path ? `${field}.${i.path}` : field }));
    const first = err.issues[0]?.path;
    const message =
      first && err.message.startsWith(`${first}:`) ? `${field}.${err.message}` : `${field}: ${err.message}`;
    throw new ProfileError(err.code, message, issues);
  }
}

export function resolveEntry(
  deps: Pick<AlignDeps, 'graphs' | 'defaultGraph'>,
  id: string | undefined,
): GraphEntry {
  const key = id ?? deps.defaultGraph ?? DEFAULT_GRAPH;
  const entry = deps.graphs.get(key);
  if (!entry) {
    throw new AlignError(
      'UNKNOWN_GRAPH',
      `no graph "${key}"; use one of ${[...deps.graphs.keys()].join(', ')}`,
      {
        graph: key,
      },
    );
  }
  return entry;
}

function resolveGenerator(deps: AlignDeps, name: string | undefined): Generator {
  const key = name ?? deps.defaultGenerator;
  const g = deps.generators.get(key);
  if (!g) {
    const known = [...deps.generators.keys()].join(', ');
    const vars = enablingVars(key);
    const hint = vars.length ? ` (set ${vars.join(' and ')} to enable it)` : '';
    throw new AlignError(
      'GENERATOR_UNAVAILABLE',
      `generator "${key}" is not configured${hint}; available: ${known}`,
      {
        generator: key,
      },
    );
  }
  return g;
}

/**
 * What the embedded template generator writes from. It reads no prompt, so its plan must carry only
 * what the conditioning tells a language model, or the baselines would see the target:
 * - `scm`: the counterfactual profile (structured action, inferred values, concepts);
 * - `value-prompt`: the caller's value:score list and nothing else, i.e. the set values at their targets
 *   and every other value left at the responder's own (factual) level — a plain `do()`, no structure;
 * - `none`: the responder's own factual profile (the target is never seen).
 */
export async function planFor(
  entry: GraphEntry,
  profile: CounterfactualProfile,
  mode: ConditioningMode,
  factual: Readonly<Record<string, number>>,
  target: Readonly<Record<string, number>>,
  question?: string,
  profiles: NonNullable<AlignDeps['profiles']> = cachedProfile,
): Promise<AnswerPlan> {
  if (mode === 'scm') return planOf(profile, question);
  if (mode === 'none') return planOf(await profiles(entry, { factual, target: {} }), question);
  return planOf(await profiles(entry, { factual, target, action: 'do' }), question);
}

/** The plan of a profile; with a question, its concepts are the question's (conceptsForQuestion). */
function planOf(base: CounterfactualProfile, question?: string): AnswerPlan {
  const profile = question ? { ...base, ...conceptsForQuestion(base.cues, question, base.limits) } : base;
  return {
    ...(question !== undefined ? { question } : {}),
    avoid: profile.avoid.map((c) => ({ phrases: c.phrases, values: c.values })),
    // What the prompt names: the caller's values and the salient inferred ones (conditioning.ts).
    priorities: profile.values
      .filter((v) => v.status === 'set' || v.salient)
      .map((v) => ({
        value: v.value,
        label: v.label,
        level: v.level,
        description: v.description,
      })),
    express: profile.express.map((c) => ({
      label: c.label,
      description: c.description,
      phrases: c.phrases,
      values: c.values,
    })),
  };
}

/** What an alignment reads from its profile besides the head: the same for every question. */
interface ProfileFacts {
  /** The caller's targets as 1–5 levels, by value id. */
  targetLikert: Record<string, number>;
  /** Value labels by id (revision feedback). */
  labels: ReadonlyMap<string, string>;
  /** The target's notes (target-notes.ts). */
  notes: readonly string[];
  /** The question-blind plan, for the generators that do not read one (they get it all the same). */
  plan: AnswerPlan;
}

const factsCache = new WeakMap<CounterfactualProfile, ProfileFacts>();

/** The facts of a profile, once per shared (frozen) profile. */
function profileFacts(entry: GraphEntry, profile: CounterfactualProfile): ProfileFacts {
  const hit = factsCache.get(profile);
  if (hit) return hit;
  const targetLikert = Object.fromEntries(
    profile.values.filter((v) => v.target !== null).map((v) => [v.value, v.likert5.target!]),
  );
  const facts: ProfileFacts = {
    targetLikert,
    labels: new Map(profile.values.map((v) => [v.value, v.label])),
    notes: targetNotes(entry, targetLikert),
    plan: planOf(profile),
  };
  if (!Object.isFrozen(profile)) return facts;
  Object.freeze(targetLikert);
  Object.freeze(facts.notes);
  Object.freeze(facts.plan);
  factsCache.set(profile, Object.freeze(facts));
  return facts;
}

async function attribute(
  entry: GraphEntry,
  text: string,
  generator: Generator,
  attributor: DetectorName = 'learned',
  requestId?: string,
  question?: string,
  signal?: AbortSignal,
): Promise<Attribution> {
  if (attributor === 'phrases') return attributeText(entry, text);
  if (attributor === 'learned') return attributeLearned(entry, text);
  if (!generator.capabilities.structuredOutput) {
    throw new AlignError(
      'GENERATOR_UNAVAILABLE',
      `attributor "llm" needs a generator that can rate concepts (${generator.name} cannot); use attributor "learned" or "phrases"`,
      { attributor },
    );
  }
  return attributeWithLlm(entry, text, generator, { requestId, question, signal });
}

/**
 * Attribute the answer and compare it with the target. A failure of the attributor (an LLM judge's
 * malformed or invalid JSON, an upstream error) keeps the answer: the outcome carries the error. The
 * caller going away is not a failure to report: it propagates.
 */
async function verify(
  entry: GraphEntry,
  answer: string,
  generator: Generator,
  targetLikert: Record<string, number>,
  attributor: DetectorName,
  attempt: number,
  requestId: string | undefined,
  signal: AbortSignal | undefined,
  count: (r: { attempts: number }) => void,
  question?: string,
): Promise<{ outcome: VerificationOutcome; note?: string }> {
  let a: Attribution;
  try {
    a = await attribute(entry, answer, generator, attributor, requestId, question, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    if (err instanceof UpstreamError) count({ attempts: err.attempts });
    if (err instanceof AttributionError || err instanceof UpstreamError) {
      return { outcome: { attributor, error: { code: err.code, message: err.message }, attempt } };
    }
    throw err;
  }
  if ('upstream' in a) count((a as Attribution & { upstream: { attempts: number } }).upstream);
  const cmp = compareProfiles(targetLikert, a, entry.system);
  const note = languageNote(answer, a, `the answer (attempt ${attempt})`);
  return {
    outcome: {
      attributor: a.detector,
      mae: cmp.mae,
      spearman: cmp.spearman,
      dimensions: cmp.dimensions,
      attributed: a.values.map((v) => ({ value: v.value, likert5: v.likert5, sd: v.sd })),
      attempt,
    },
    ...(note ? { note } : {}),
  };
}

function feedbackFor(v: Verification, labels: ReadonlyMap<string, string>): string {
  const missed = v.dimensions.filter((d) => Math.abs(d.error) >= 1);
  return (
    'the previous answer missed the profile on ' +
    missed
      .map(
        (d) =>
          `${labels.get(d.value) ?? d.value} (read as ${d.attributed.toFixed(1)}, should be ${d.target.toFixed(1)}: ${d.error > 0 ? 'tone it down' : 'make it more present'})`,
      )
      .join('; ') +
    '. Rewrite the whole answer.'
  );
}

export interface AlignEventOptions {
  /**
   * Yield a `delta` event per piece of text (default true). A caller that only wants the result
   * passes false: the answer still streams from the upstream (so the first-token and idle timeouts
   * apply), without an event per chunk.
   */
  deltas?: boolean;
}

/** The alignment pipeline as a stream of events. */
export async function* alignEvents(
  deps: AlignDeps,
  req: AlignRequest,
  signal?: AbortSignal,
  options: AlignEventOptions = {},
): AsyncGenerator<AlignEvent> {
  const deltas = options.deltas ?? true;
  const entry = resolveEntry(deps, req.graph);
  const generator = resolveGenerator(deps, req.generator);
  const system = entry.system;
  const usage: UsageInfo = { upstreamCalls: 0, upstreamAttempts: 0, promptTokens: 0, completionTokens: 0 };
  const count = (r: { attempts: number; usage?: { promptTokens: number; completionTokens: number } }) => {
    if (generator.capabilities.embedded) return;
    usage.upstreamCalls++;
    usage.upstreamAttempts += r.attempts;
    usage.promptTokens += r.usage?.promptTokens ?? 0;
    usage.completionTokens += r.usage?.completionTokens ?? 0;
  };

  // 1. Factual.
  const target = centered(req.target, system, 'target');
  if (Object.keys(target).length === 0) {
    throw new AlignError(
      'NO_TARGET',
      'the target profile sets no value; give at least one value in target.values or target.ranking',
    );
  }
  let factual: Record<string, number>;
  let factualSource: FactualSource;
  const notes: string[] = [];
  const rewriting = req.mode === 'rewrite';
  let draft: { text: string; info: Omit<RewriteInfo, 'rewritten' | 'error'> } | undefined;
  const readBack = (text: string) =>
    attribute(entry, text, generator, req.attributor, req.requestId, req.question, signal).then((a) => {
      if ('upstream' in a) count((a as Attribution & { upstream: { attempts: number } }).upstream);
      return a;
    });
  if (rewriting) {
    if (req.factual?.preset !== undefined || req.factual?.profile) {
      throw new AlignError(
        'VALIDATION_FAILED',
        'mode "rewrite" reads the factual profile from the draft answer: remove factual.preset and factual.profile (factual.response is taken as the draft to rewrite)',
      );
    }
    // The draft is the responder as itself: for a plan-reading generator, the default factual profile.
    const own = defaultPresetFor(entry, generator, req.model);
    const ownProfile = cachedProfile(entry, {
      factual: own?.preset.values ?? priorFactual(entry),
      target: {},
    });
    const outcome = yield* draftStage({
      question: req.question,
      ...(req.conversation ? { conversation: req.conversation } : {}),
      ...(req.factual?.response !== undefined ? { given: req.factual.response } : {}),
      attributor: req.attributor ?? 'learned',
      request: {
        model: req.model,
        temperature: req.temperature,
        maxTokens: req.maxTokens,
        signal,
        requestId: req.requestId,
        plan: planOf(ownProfile, req.question),
        ...(req.params ? { params: req.params } : {}),
      },
      generate: (r) => (generator.collect ? generator.collect(r) : generator.generate(r)),
      count,
      attribute: readBack,
      calls: () => usage.upstreamCalls,
      signal,
    });
    draft = { text: outcome.draft, info: outcome.info };
    factual = outcome.factual;
    factualSource = {
      kind: 'draft',
      why: `${outcome.info.draftSource === 'generated' ? `the draft answer of ${generator.capabilities.embedded ? `the ${generator.name} generator` : `model "${req.model ?? generator.model}"`} to the bare question` : 'the draft given in factual.response'}, read back by the ${outcome.info.attributor} attributor (the model’s own values for this question)`,
    };
  } else if (req.factual?.profile) {
    factual = centered(req.factual.profile, system, 'factual.profile');
    factualSource = { kind: 'profile', why: 'given in factual.profile' };
  } else if (req.factual?.response) {
    const a = await readBack(req.factual.response);
    factual = Object.fromEntries(a.values.map((v) => [v.value, v.mean]));
    factualSource = { kind: 'response', why: `factual.response read back by the ${a.detector} attributor` };
    const note = languageNote(req.factual.response, a, 'factual.response');
    if (note) notes.push(note);
  } else if (req.factual?.preset !== undefined) {
    const id = req.factual.preset;
    const preset = getPreset(id);
    if (!preset)
      throw new AlignError('UNKNOWN_PRESET', `no preset "${id}"; GET /v1/presets lists them`, { preset: id });
    if (preset.system !== entry.id) {
      throw new AlignError(
        'UNKNOWN_PRESET',
        `preset "${id}" is for graph "${preset.system}", not "${entry.id}"; GET /v1/presets?system=${entry.id} lists this graph's presets (or name none: the graph's own prior is used)`,
        { preset: id },
      );
    }
    factual = preset.values;
    factualSource = { kind: 'preset', preset: preset.id, why: 'named in factual.preset' };
  } else {
    const found = defaultPresetFor(entry, generator, req.model);
    factual = found ? found.preset.values : priorFactual(entry);
    factualSource = found
      ? {
          kind: 'preset',
          preset: found.preset.id,
          why: found.why,
          ...(found.match ? { match: found.match } : {}),
        }
      : { kind: 'prior', why: PRIOR_WHY };
  }

  // 2–4. Abduction, action, prediction.
  const profiles = deps.profiles ?? cachedProfile;
  const profile = await profiles(entry, { factual, target, action: req.action, lambda: req.lambda });
  const facts = profileFacts(entry, profile);
  const mode = req.conditioning ?? 'scm';
  // The rewrite is asked in a conversation: the question (or the caller's turns), the draft, the request.
  const conversation = draft
    ? rewriteConversation(req.question, draft.text, req.conversation)
    : req.conversation;
  // The concepts for this question (chosen after the question-blind profile cache), the conditioning
  // and the explanation: cached per profile and question (question-head.ts).
  const head = questionHead(profile, req.question, mode, conversation);
  const { concepts, explanation } = head;
  let conditioning: Conditioning = head.conditioning;
  const { targetLikert } = facts;
  notes.unshift(...facts.notes);
  yield {
    type: 'profile',
    graph: entry,
    // An embedded generator has one model: a requested one is not what answered.
    generator: {
      name: generator.name,
      model: generator.capabilities.embedded ? generator.model : (req.model ?? generator.model),
      capabilities: generator.capabilities,
    },
    factual: factualSource,
    explanation,
    notes: [...notes],
  };

  // 5. Generation (+ 6. verification and refinement).
  const rounds = 1 + (req.verify || req.refine ? Math.max(0, Math.min(3, req.refine ?? 0)) : 0);
  let best: {
    answer: string;
    attempt: number;
    verification: VerificationOutcome | null;
    model: string;
    raw: GenerateResult['raw'];
    note?: string;
  } | null = null;
  // The rewrite writes text: the upstream's own body or chunks are the draft's business, not kept.
  const raw = req.conversation !== undefined && !rewriting;
  // Only a generator that reads the plan gets the per-mode plan; the others get the SCM plan (ignored).
  const plan = generator.capabilities.readsPlan
    ? await planFor(entry, profile, mode, factual, target, req.question, profiles)
    : facts.plan;
  for (let attempt = 1; attempt <= rounds; attempt++) {
    const request: GenerateRequest = {
      messages: conditioning.messages,
      model: req.model,
      temperature: req.temperature,
      maxTokens: req.maxTokens,
      signal,
      requestId: req.requestId,
      plan,
      ...(req.params ? { params: req.params } : {}),
      ...(raw ? { raw } : {}),
    };
    let text = '';
    let result: GenerateResult | null = null;
    try {
      if (!deltas && (raw || generator.collect)) {
        // A conversation's non-streamed answer is the upstream's own non-streamed body (tool calls, `n`).
        result = raw ? await generator.generate(request) : await generator.collect!(request);
        text = result.text;
      } else {
        for await (const ev of generator.stream(request)) {
          if (ev.type === 'delta') {
            text += ev.text;
            if (deltas)
              yield { type: 'delta', text: ev.text, attempt, ...(ev.chunks ? { chunks: ev.chunks } : {}) };
          } else result = ev.result;
        }
      }
    } catch (err) {
      // A failed rewrite keeps the draft (or the best rewrite so far): a valid, unsteered answer.
      if (!draft || signal?.aborted || !(err instanceof UpstreamError)) throw err;
      count({ attempts: err.attempts });
      const error = { code: err.code, message: atStage(err, 'rewrite').message };
      yield { type: 'stage', stage: 'rewrite', status: 'failed', error };
      const kept = best ?? {
        answer: draft.text,
        attempt: 0,
        verification: null,
        model: req.model ?? generator.model,
        raw: undefined,
      };
      yield {
        type: 'done',
        answer: kept.answer,
        attempt: kept.attempt,
        servedModel: kept.model,
        usage,
        verification: kept.verification,
        notes,
        rewrite: rewriteInfo(draft.info, usage, best !== null, error),
      };
      return;
    }
    if (result) count(result);
    const answer = result?.text ?? text;
    const servedModel = result?.model ?? generator.model;
    let verification: VerificationOutcome | null = null;
    let note: string | undefined;
    if (req.verify || req.refine) {
      ({ outcome: verification, note } = await verify(
        entry,
        answer,
        generator,
        targetLikert,
        req.attributor ?? 'learned',
        attempt,
        req.requestId,
        signal,
        count,
        req.question,
      ));
      yield { type: 'verification', verification };
    }
    const better =
      isVerified(verification) &&
      (!isVerified(best?.verification ?? null) ||
        verification.mae < (best!.verification as Verification).mae);
    if (!best || better) {
      best = { answer, attempt, verification, model: servedModel, raw: result?.raw, note };
    }
    const missed = isVerified(verification) && verification.dimensions.some((d) => Math.abs(d.error) >= 1);
    if (attempt < rounds && isVerified(verification) && missed) {
      const note = feedbackFor(verification, facts.labels);
      conditioning = buildConditioning(profile, req.question, mode, note, conversation, concepts);
      yield { type: 'revision', attempt: attempt + 1, reason: note };
    } else break;
  }
  yield {
    type: 'done',
    answer: best!.answer,
    attempt: best!.attempt,
    servedModel: best!.model,
    usage,
    verification: best!.verification,
    notes: best!.note ? [...notes, best!.note] : notes,
    ...(best!.raw ? { raw: best!.raw } : {}),
    ...(draft ? { rewrite: rewriteInfo(draft.info, usage, true) } : {}),
  };
}

/** The rewrite part of the result: the rewrite stage's calls are those after the draft and attribution. */
function rewriteInfo(
  info: Omit<RewriteInfo, 'rewritten' | 'error'>,
  usage: UsageInfo,
  rewritten: boolean,
  error?: { code: string; message: string },
): RewriteInfo {
  const rewrite = usage.upstreamCalls - info.calls.draft - info.calls.attribution;
  return { ...info, rewritten, ...(error ? { error } : {}), calls: { ...info.calls, rewrite } };
}

export interface AlignResponse {
  graph: { id: string; version: string; hash: string };
  generator: { name: string; model: string; embedded: boolean; note?: string };
  factual: FactualSource;
  answer: string;
  attempt: number;
  explanation: AlignExplanation;
  verification: VerificationOutcome | null;
  usage: UsageInfo;
  servedModel: string;
  /** `rewrite` mode only. */
  rewrite?: RewriteInfo;
  /** Warnings (target-notes.ts; a non-English text read by an embedded detector); omitted when none. */
  notes?: string[];
}

/**
 * `JSON.stringify(response)` as UTF-8 bytes, the explanation's from its bytes encoded once per cached
 * profile (see `explanationChunks`): the same text, in the same key order.
 */
export function alignResponseBytes(response: object): Buffer {
  return jsonBytesWithExplanation(response);
}

/** The non-streamed response: the same events, collected. */
export function align(deps: AlignDeps, req: AlignRequest, signal?: AbortSignal): Promise<AlignResponse> {
  return collectResponse(alignEvents(deps, req, signal, { deltas: false }));
}

/** The events collected into the response (the same objects the stream sends). */
export async function collectResponse(events: AsyncIterable<AlignEvent>): Promise<AlignResponse> {
  let head: Extract<AlignEvent, { type: 'profile' }> | undefined;
  for await (const ev of events) {
    if (ev.type === 'profile') head = ev;
    if (ev.type === 'done' && head) {
      return {
        graph: head.explanation.graph,
        generator: generatorInfo(head.generator),
        factual: head.factual,
        answer: ev.answer,
        attempt: ev.attempt,
        explanation: head.explanation,
        verification: ev.verification,
        usage: ev.usage,
        servedModel: ev.servedModel,
        ...(ev.rewrite ? { rewrite: ev.rewrite } : {}),
        ...(ev.notes.length ? { notes: ev.notes } : {}),
      };
    }
  }
  throw new Error('the alignment ended without a result');
}

export function generatorInfo(g: { name: string; model: string; capabilities: GeneratorCapabilities }) {
  const { embedded, note } = g.capabilities;
  return { name: g.name, model: g.model, embedded, ...(note !== undefined ? { note } : {}) };
}
