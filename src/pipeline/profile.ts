/**
 * Abduction → action → prediction for one alignment request: the factual value profile becomes
 * partial evidence on the value nodes, the caller's targets become interventions (`structured` by
 * default: the latent higher-order dimensions move too, so unset values follow the value circle), and
 * the prediction gives the counterfactual value-priority vector and every behaviour concept's
 * counterfactual activation. Which concepts to express and avoid depends on the question too, so that
 * choice is made after the (question-blind) cache, by `conceptsForQuestion` (concepts.ts). No I/O but
 * the value detector's artefact, read once.
 */
import type { GraphEntry } from '../graphs/registry.js';
import {
  counterfactual,
  priorMoments,
  type CounterfactualResult,
  type ExplainOptions,
  type Intervention,
} from '../scm/index.js';
import { fromCenteredScore } from '../values/index.js';
import { conceptsForQuestion } from './concepts.js';
import { latentPosterior } from './latent-posterior.js';
import { cappedNote, structuredNotes } from './structured-notes.js';

export type ActionMode = 'structured' | 'do';

export interface ProfileRequest {
  /** Factual value scores (centered), by value id; a subset is fine (partial evidence). */
  factual: Readonly<Record<string, number>>;
  /** Target value scores (centered), by value id: the dimensions the caller set. */
  target: Readonly<Record<string, number>>;
  action?: ActionMode;
  lambda?: number;
  explain?: ExplainOptions;
  /** Concepts to express / avoid (defaults 6 and 4). */
  maxExpress?: number;
  maxAvoid?: number;
}

export interface LikertTriple {
  factual: number;
  counterfactual: number;
  target: number | null;
}

export interface ValuePriority {
  value: string;
  label: string;
  description: string;
  /** 1 = most important in the counterfactual profile. */
  rank: number;
  /** `set` by the caller, or `inferred` through the model. */
  status: 'set' | 'inferred';
  /** Centered scores. */
  factual: number;
  counterfactual: number;
  target: number | null;
  /**
   * Posterior sd of the counterfactual score, 0 for set values: the partial evidence's, plus what the
   * latents' posterior uncertainty adds (latent-posterior.ts).
   */
  sd: number;
  /** The same on COUPLE's 1–5 scale (continuous, clamped to 1–5). */
  likert5: LikertTriple;
  /**
   * The rubric level: a set value's is its target's (rounded); an inferred value's is its counterfactual
   * rounded and kept within 2–4 (INFERRED_LEVELS): the rubric's extremes are for what the caller set.
   */
  level: 1 | 2 | 3 | 4 | 5;
  /** Inferred values only: whether the prompt mentions it (its change is large against its sd). */
  salient: boolean;
}

export interface LatentMove {
  node: string;
  label: string;
  /** Factual value ĥ and the value h* the structured action set (capped: LATENT_MOVE_CAP). */
  from: number;
  to: number;
  /** Posterior sd of the latent given the targets (and the factual evidence). */
  sd: number;
  /** Whether the cap cut the move the targets asked for. */
  capped: boolean;
}

/**
 * The structured action moves no latent more than this many prior sds from its factual value. The
 * targets sit at most at the scale's ends (likert 5 ↦ centered +2.5, about the 98th percentile of
 * people's value scores), so a move to the matching percentile of a higher-order dimension (2 sd:
 * the 97.7th) is as far as they justify; uncapped, the archetype profiles asked for moves of 3 sd
 * (a 1-in-800 person), which then spread to every inferred value.
 */
export const LATENT_MOVE_CAP = 2;

/** Rubric levels an inferred value can get: the extremes 1 and 5 are for the caller's own values. */
export const INFERRED_LEVELS = { min: 2, max: 4 } as const;

/**
 * An inferred value is mentioned in the prompt when it moved by at least SALIENT_SD posterior sds and
 * at least SALIENT_LIKERT points on the 1–5 scale: a change the model is sure of and large enough to
 * show in an answer.
 */
export const SALIENT_SD = 2;
export const SALIENT_LIKERT = 0.5;

export interface ConceptCue {
  concept: string;
  label: string;
  description: string;
  /** The value nodes it depends on. */
  values: string[];
  /** Counterfactual activation and its change from the factual world. */
  counterfactual: number;
  change: number;
  /** Standardised activation: (counterfactual − prior mean) / prior sd. */
  z: number;
  /** Phrases that signal it in text (from the graph). */
  phrases: string[];
}

export interface CounterfactualProfile {
  graph: { id: string; version: string; hash: string };
  action: ActionMode;
  values: ValuePriority[];
  /** Every concept of the graph with its counterfactual activation (question-blind). */
  cues: ConceptCue[];
  /** How many concepts to express / avoid (the request's, defaults 6 and 4). */
  limits: { maxExpress: number; maxAvoid: number };
  /** The concepts for an empty question (ranked by the profile alone): see conceptsForQuestion. */
  express: ConceptCue[];
  avoid: ConceptCue[];
  /** Labels of the latent nodes (higher-order dimensions), by id. */
  latentLabels: Record<string, string>;
  /** The latents the structured action set, with their posterior sd (latent-posterior.ts). */
  latents: LatentMove[];
  /** What the structured action could not do as asked (structured-notes.ts), for the response's notes. */
  notes: string[];
  result: CounterfactualResult;
}

/** Centered score → COUPLE's 1–5 scale (clamped), rounded to 2 decimals for display. */
export function likert(centered: number): number {
  const x = Math.min(5, Math.max(1, fromCenteredScore(centered, 'likert5')));
  return Math.round(x * 100) / 100;
}

function level(centered: number): 1 | 2 | 3 | 4 | 5 {
  return Math.min(5, Math.max(1, Math.round(fromCenteredScore(centered, 'likert5')))) as 1 | 2 | 3 | 4 | 5;
}

function inferredLevel(centered: number): 2 | 3 | 4 {
  return Math.min(INFERRED_LEVELS.max, Math.max(INFERRED_LEVELS.min, level(centered))) as 2 | 3 | 4;
}

function isSalient(factual: number, counterfactual: number, sd: number): boolean {
  const change = Math.abs(counterfactual - factual);
  return change >= SALIENT_SD * sd && change / 1.25 >= SALIENT_LIKERT;
}

/**
 * The default λ of the structured action for a request: the mean noise variance of the target values
 * over the mean prior variance of their latent parents. With it, h* is the posterior mean of the
 * latent dimensions given the targets (Gaussian conditioning: "the most likely higher-order position of
 * a person whose values are at the targets"), rather than the smallest move that reaches them.
 */
export function conditionalLambda(entry: GraphEntry, targets: readonly string[]): number {
  const p = entry.program;
  let noise = 0;
  let latent = 0;
  let nLatent = 0;
  for (const id of targets) {
    const i = p.index.get(id);
    if (i === undefined) continue;
    noise += p.noiseVar[i]!;
    for (let k = p.parentPtr[i]!; k < p.parentPtr[i + 1]!; k++) {
      const h = p.parentIdx[k]!;
      if (p.kinds[h] === 'latent') {
        latent += p.noiseVar[h]!;
        nLatent++;
      }
    }
  }
  if (!targets.length || !nLatent || latent <= 0) return 0.1;
  return noise / targets.length / (latent / nLatent);
}

type GraphNode = GraphEntry['file']['nodes'][number];
const nodeIndex = new WeakMap<GraphEntry, Map<string, GraphNode>>();

/** The graph's node definitions by id (built once per graph entry). */
function nodesById(entry: GraphEntry): Map<string, GraphNode> {
  let m = nodeIndex.get(entry);
  if (!m) nodeIndex.set(entry, (m = new Map(entry.file.nodes.map((n) => [n.id, n]))));
  return m;
}

/** Profiles kept per graph entry by `cachedProfile` (the most recently used ones). */
export const PROFILE_CACHE_SIZE = 64;
const profileCache = new WeakMap<GraphEntry, Map<string, CounterfactualProfile>>();

const sortedEntries = (r: Readonly<Record<string, number>>) =>
  Object.keys(r)
    .sort()
    .map((k) => [k, r[k]]);

/** Freeze a profile's objects and arrays (not its typed arrays), so a shared one cannot be changed. */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value))
    return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}

/**
 * `computeProfile`, memoized per graph entry (a new graph version is a new entry) on the request's
 * numbers: an app asking many questions from the same profile (a survey, a persona) computes its
 * counterfactual once. The profile returned is frozen and shared; at most PROFILE_CACHE_SIZE profiles
 * are kept per graph (least recently used out). A request with its own `explain` options is not cached.
 */
export function cachedProfile(entry: GraphEntry, req: ProfileRequest): CounterfactualProfile {
  if (req.explain) return computeProfile(entry, req);
  return lookupProfile(entry, req) ?? rememberProfile(entry, req, computeProfile(entry, req));
}

/** The sorted entries' JSON of a frozen record (a preset's values, a cached target), kept. */
const entriesJsonCache = new WeakMap<Readonly<Record<string, number>>, string>();

function entriesJson(r: Readonly<Record<string, number>>): string {
  const hit = entriesJsonCache.get(r);
  if (hit !== undefined) return hit;
  const json = JSON.stringify(sortedEntries(r));
  if (Object.isFrozen(r)) entriesJsonCache.set(r, json);
  return json;
}

/** JSON.stringify([action, lambda, maxExpress, maxAvoid, sorted factual, sorted target]). */
function profileKey(req: ProfileRequest): string {
  const head = JSON.stringify([
    req.action ?? 'structured',
    req.lambda ?? null,
    req.maxExpress ?? null,
    req.maxAvoid ?? null,
  ]).slice(0, -1);
  return `${head},${entriesJson(req.factual)},${entriesJson(req.target)}]`;
}

/** The cached profile of `req`, if there is one (marked most recently used). */
export function lookupProfile(entry: GraphEntry, req: ProfileRequest): CounterfactualProfile | undefined {
  if (req.explain) return undefined;
  const cache = profileCache.get(entry);
  const key = profileKey(req);
  const hit = cache?.get(key);
  if (hit) {
    cache!.delete(key); // most recently used last
    cache!.set(key, hit);
  }
  return hit;
}

/** Cache a profile computed elsewhere (e.g. on a worker thread); returns it frozen. */
export function rememberProfile(
  entry: GraphEntry,
  req: ProfileRequest,
  computed: CounterfactualProfile,
): CounterfactualProfile {
  const profile = deepFreeze(computed);
  if (req.explain) return profile;
  let cache = profileCache.get(entry);
  if (!cache) profileCache.set(entry, (cache = new Map()));
  cache.set(profileKey(req), profile);
  if (cache.size > PROFILE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return profile;
}

export function computeProfile(entry: GraphEntry, req: ProfileRequest): CounterfactualProfile {
  const p = entry.program;
  const action = req.action ?? 'structured';
  const interventions: Intervention[] = Object.entries(req.target).map(([node, value]) => ({
    node,
    type: action === 'do' ? 'do' : 'structured',
    value,
  }));
  const result = counterfactual(p, {
    evidence: req.factual,
    interventions,
    lambda: req.lambda ?? conditionalLambda(entry, Object.keys(req.target)),
    maxLatentMove: LATENT_MOVE_CAP,
    // The alignment explains values only (buildExplanation): no path enumeration into the concepts.
    explain: req.explain ?? { include: 'changed', maxPaths: 3, kinds: ['value'] },
  });
  const byId = nodesById(entry);
  const node = (id: string) => byId.get(id)!;
  const posterior = latentPosterior(p, result);
  const sdOf = (i: number) =>
    Math.sqrt(
      (result.counterfactualSd ? result.counterfactualSd[i]! ** 2 : 0) + (posterior?.addedVariance[i] ?? 0),
    );

  const values: ValuePriority[] = [];
  p.ids.forEach((id, i) => {
    if (p.kinds[i] !== 'value') return;
    const n = node(id);
    const target = id in req.target ? req.target[id]! : null;
    values.push({
      value: id,
      label: n.label,
      description: n.description ?? '',
      rank: 0,
      status: target === null ? 'inferred' : 'set',
      factual: result.factual[i]!,
      counterfactual: result.counterfactual[i]!,
      target,
      sd: target === null ? sdOf(i) : 0,
      likert5: {
        factual: likert(result.factual[i]!),
        counterfactual: likert(result.counterfactual[i]!),
        target: target === null ? null : likert(target),
      },
      level: target === null ? inferredLevel(result.counterfactual[i]!) : level(target),
      salient: target === null && isSalient(result.factual[i]!, result.counterfactual[i]!, sdOf(i)),
    });
  });
  values.sort((a, b) => b.counterfactual - a.counterfactual || a.value.localeCompare(b.value));
  values.forEach((v, r) => (v.rank = r + 1));

  const prior = priorMoments(p);
  const cues: ConceptCue[] = [];
  p.ids.forEach((id, i) => {
    if (p.kinds[i] !== 'concept') return;
    const n = node(id);
    const sd = Math.sqrt(prior.variance[i]!);
    const parents: string[] = [];
    for (let k = p.parentPtr[i]!; k < p.parentPtr[i + 1]!; k++) parents.push(p.ids[p.parentIdx[k]!]!);
    cues.push({
      concept: id,
      label: n.label,
      description: n.description ?? '',
      values: parents,
      counterfactual: result.counterfactual[i]!,
      change: result.counterfactual[i]! - result.factual[i]!,
      z: sd > 0 ? (result.counterfactual[i]! - prior.mean[i]!) / sd : 0,
      phrases: n.phrases ?? [],
    });
  });
  // Question-blind selection (the eval questionnaire, a request without a question); a request with a
  // question selects again after the cache (conceptsForQuestion).
  const limits = { maxExpress: req.maxExpress ?? 6, maxAvoid: req.maxAvoid ?? 4 };
  const { express, avoid } = conceptsForQuestion(cues, '', limits);
  const latentLabels: Record<string, string> = {};
  for (const n of entry.file.nodes) if (n.kind === 'latent') latentLabels[n.id] = n.label;
  const s = result.structured;
  const latents: LatentMove[] = (s?.latents ?? []).map((h, j) => ({
    node: p.ids[h]!,
    label: latentLabels[p.ids[h]!] ?? p.ids[h]!,
    from: s!.from[j]!,
    to: s!.to[j]!,
    sd: posterior?.sd[j] ?? 0,
    capped: Math.abs(s!.to[j]! - s!.from[j]!) >= LATENT_MOVE_CAP * Math.sqrt(prior.variance[h]!) * (1 - 1e-9),
  }));
  return {
    graph: { id: entry.id, version: entry.version, hash: entry.hash },
    action,
    latentLabels,
    latents,
    notes: [
      ...(action === 'structured' ? structuredNotes(p, interventions) : []),
      ...cappedNote(latents, LATENT_MOVE_CAP),
    ],
    values,
    cues,
    limits,
    express,
    avoid,
    result,
  };
}
