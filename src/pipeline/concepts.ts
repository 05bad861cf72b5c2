/**
 * Concepts for this question: which behaviour concepts the answer should express and which it should
 * leave out. The counterfactual profile (cached, question-blind) gives every concept's standardised
 * counterfactual activation `z`; this module, run per question after the cache, weighs it by the
 * concept's relevance to the question:
 *
 * - relevance = how much more likely the learned value detector (src/attribution/learned) finds the
 *   concept in the question than in an average argument: max(0, p(concept | question) − prior), the
 *   detector's calibrated probability minus the label's base rate. Concepts the detector does not
 *   cover (custom graphs) count 1 when one of their phrases occurs in the question, else 0;
 * - score = z × (relevance + RELEVANCE_FLOOR): among the concepts the profile favours (z > 0.3), those
 *   the question is about come first; the floor lets strongly favoured concepts fill the remaining
 *   places when the question touches few. Ties (concepts of one value share a weight in the graph, so
 *   their z tie) are broken by relevance, then by how common the concept is in the detector's training
 *   arguments (its prior), never alphabetically;
 * - epistemic virtues (logic, objectivity, capability, knowledge, curiosity, honesty: `EPISTEMIC`)
 *   are never listed to avoid: an answer that leaves out being logical or objective is a worse
 *   answer, not a different value profile.
 */
import { MFT_CONCEPT_MAP } from '../attribution/learned/mft-map.js';
import { detectLabels, type LabelDetection } from '../attribution/learned/detect.js';
import { valueDetector } from '../attribution/learned/registry.js';
import type { DetectorModel } from '../attribution/learned/artefact.js';
import { Lru } from './lru.js';
import type { ConceptCue } from './profile.js';

/** Relevance every concept gets for free, so a question about nothing still gets favoured concepts. */
export const RELEVANCE_FLOOR = 0.05;
/** A concept is a candidate to express above this z, to avoid below its negative. */
export const Z_THRESHOLD = 0.3;

/**
 * Concepts never listed to avoid, by id or label (case-insensitive): the detector taxonomy's
 * "Universalism: objectivity" labels, achievement's competence labels, and the curiosity and honesty
 * labels. A graph may mark more with the words logic/objective/knowledge/capable in a concept label.
 */
export const EPISTEMIC: ReadonlySet<string> = new Set([
  'be logical',
  'have an objective view',
  'be capable',
  'be intellectual',
  'be curious',
  'have freedom of thought',
  'be honest',
]);
const EPISTEMIC_WORDS =
  /\b(logic(al)?|objectiv(e|ity)|knowledge(able)?|capab(le|ility)|rational|truthful)\b/i;

export function isEpistemic(c: Pick<ConceptCue, 'concept' | 'label'>): boolean {
  return (
    EPISTEMIC.has(c.label.toLowerCase()) ||
    EPISTEMIC.has(c.concept.replace(/_/g, ' ').toLowerCase()) ||
    EPISTEMIC_WORDS.test(c.label)
  );
}

export interface ScoredCue extends ConceptCue {
  /** Relevance of the concept to the question (0 = none; see the module comment). */
  relevance: number;
}

export interface QuestionConcepts {
  express: ScoredCue[];
  avoid: ScoredCue[];
}

const sourceCache = new WeakMap<
  readonly ConceptCue[],
  { model: DetectorModel; src: Array<number[] | null> }
>();

/**
 * Detector label indices for each cue (by label, MFT concepts through the map), or null; once per
 * cue list of a shared (frozen) profile.
 */
function sources(model: DetectorModel, cues: readonly ConceptCue[]): Array<number[] | null> {
  const hit = sourceCache.get(cues);
  if (hit?.model === model) return hit.src;
  const src = labelSources(model, cues);
  if (Object.isFrozen(cues)) sourceCache.set(cues, { model, src });
  return src;
}

function labelSources(model: DetectorModel, cues: readonly ConceptCue[]): Array<number[] | null> {
  return cues.map((c) => {
    const direct = model.byName.get(c.label);
    if (direct !== undefined) return [direct];
    const mapped = MFT_CONCEPT_MAP[c.concept]?.map((l) => model.byName.get(l));
    return mapped && mapped.every((i) => i !== undefined) ? (mapped as number[]) : null;
  });
}

/** The detector that reads questions: the active artefact, or null without one. */
export function activeDetector(): DetectorModel | null {
  try {
    return valueDetector();
  } catch {
    return null; // no artefact: relevance falls back to the graph's phrases
  }
}

/** Detections of recent questions per artefact (a survey or a batch asks the same ones again). */
export const QUESTION_CACHE_SIZE = 256;
const questionCache = new WeakMap<DetectorModel, Lru<string, Float64Array>>();

/** The detector's probability of every label in the question (all that relevance reads: kept small). */
function detected(model: DetectorModel, text: string): Float64Array {
  let cache = questionCache.get(model);
  if (!cache) questionCache.set(model, (cache = new Lru(QUESTION_CACHE_SIZE)));
  return (
    cache.get(text) ??
    cache.set(
      text,
      Float64Array.from(detectLabels(model, text).labels, (l: LabelDetection) => l.probability),
    )
  );
}

/** Relevance of each cue to the question, and the prior used to break ties (same order as `cues`). */
export function questionRelevance(
  cues: readonly ConceptCue[],
  question: string,
  model: DetectorModel | null = activeDetector(),
): { relevance: Float64Array; prior: Float64Array } {
  const relevance = new Float64Array(cues.length);
  const prior = new Float64Array(cues.length);
  const text = question.trim();
  const src = model ? sources(model, cues) : cues.map(() => null);
  const labels = model && text && src.some((s) => s) ? detected(model, text) : null;
  const lower = text.toLowerCase();
  for (let i = 0; i < cues.length; i++) {
    const s = src[i];
    if (s && model) {
      // The largest over the cue's labels (Math.max over them, without a list per cue).
      let p = -Infinity;
      let r = -Infinity;
      for (const l of s) {
        p = Math.max(p, model.labels[l]!.prior);
        if (labels) r = Math.max(r, Math.max(0, labels[l]! - model.labels[l]!.prior));
      }
      prior[i] = p;
      if (labels) relevance[i] = r;
    } else if (text) {
      relevance[i] = cues[i]!.phrases.some((ph) => ph && lower.includes(ph.toLowerCase())) ? 1 : 0;
    }
  }
  return { relevance, prior };
}

const epistemic = new WeakMap<ConceptCue, boolean>();

/** isEpistemic, once per cue of a shared (frozen) profile. */
function epistemicCue(c: ConceptCue): boolean {
  let e = epistemic.get(c);
  if (e === undefined) {
    e = isEpistemic(c);
    if (Object.isFrozen(c)) epistemic.set(c, e);
  }
  return e;
}

/**
 * The concepts to express and to avoid for `question` (at most `maxExpress` / `maxAvoid`, at most two
 * per value for breadth). An empty question ranks by the profile alone.
 */
export function conceptsForQuestion(
  cues: readonly ConceptCue[],
  question: string,
  options: { maxExpress?: number; maxAvoid?: number; detector?: DetectorModel | null } = {},
): QuestionConcepts {
  const { relevance, prior } = questionRelevance(
    cues,
    question,
    options.detector === undefined ? activeDetector() : options.detector,
  );
  // Cue indices are ranked (a stable sort, ties keep the graph's order); only the chosen become ScoredCues.
  const weight = (i: number) => relevance[i]! + RELEVANCE_FLOOR;
  const z = (i: number) => cues[i]!.z;
  const order = (sign: 1 | -1) => (a: number, b: number) =>
    sign * (z(b) * weight(b) - z(a) * weight(a)) ||
    relevance[b]! - relevance[a]! ||
    prior[b]! - prior[a]! ||
    sign * (z(b) - z(a));
  const pick = (list: number[], max: number) => {
    const perValue = new Map<string, number>();
    const out: ScoredCue[] = [];
    for (const i of list) {
      if (out.length >= max) break;
      const cue = cues[i]!;
      const main = cue.values[0] ?? '';
      if ((perValue.get(main) ?? 0) >= 2) continue; // at most two cues per value, for breadth
      perValue.set(main, (perValue.get(main) ?? 0) + 1);
      out.push({ ...cue, relevance: relevance[i]! });
    }
    return out;
  };
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < cues.length; i++) {
    if (z(i) > Z_THRESHOLD) up.push(i);
    else if (z(i) < -Z_THRESHOLD && !epistemicCue(cues[i]!)) down.push(i);
  }
  const express = pick(up.sort(order(1)), options.maxExpress ?? 6);
  const avoid = pick(down.sort(order(-1)), options.maxAvoid ?? 4);
  return { express, avoid };
}
