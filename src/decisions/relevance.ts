/**
 * Action → values, embedded (synchronous, no I/O): how much each candidate action speaks for or against
 * each value of a graph, read as SCM abduction.
 *
 * 1. **Concept evidence** for each action, in the context of the scenario, one number e ∈ [−1, 1] per
 *    behaviour concept:
 *    - *for* (0…1): the larger of (a) the learned detector's lift on the concept's label(s) when the
 *      action is added to the scenario, `lift = (p(scenario + action) − p(scenario)) / (1 − p(scenario))`,
 *      read above a noise floor, `(lift − LIFT_FLOOR) / LIFT_SPAN` clamped to 0…1 (what the scenario says
 *      alone is common to every action and carries no decision information); and (b) a phrase of the
 *      concept affirmed in the action itself (`PHRASE_EVIDENCE`);
 *    - *against*: a contra cue of the concept's label in the action (contra.ts), or one of its phrases
 *      negated there ("don't help", "never share"): `CONTRA_EVIDENCE` (a cue also cancels the detector's
 *      lift on that concept: "without asking" is not a plus for justice because it mentions asking).
 * 2. **Abduction.** The evidence is observed on the concept nodes at `mean + EVIDENCE_SD × e × sd` (the
 *    concept's model-implied prior moments), and the SCM's partial-evidence posterior gives every value's
 *    mean and sd: "what does choosing this action say about the chooser's values?". Concepts without
 *    evidence stay unobserved, so an action's relevance to a value also reflects its other values through
 *    the latent dimensions (an adventurous action says a little against safety), as the graph says.
 * 3. **Relevance** of action a to value v: `(posterior mean − prior mean) / prior sd` (standardised:
 *    +1 = the action moves the value one population sd up), with the posterior sd / prior sd as its
 *    uncertainty.
 */
import { conceptSources, valueDetector } from '../attribution/learned/registry.js';
import { detectLabels } from '../attribution/learned/detect.js';
import type { DetectorModel } from '../attribution/learned/artefact.js';
import { detectConcepts } from '../attribution/detector.js';
import { MFT_CONCEPT_MAP } from '../attribution/learned/mft-map.js';
import type { GraphEntry } from '../graphs/registry.js';
import { counterfactual, priorMoments } from '../scm/index.js';
import { contraCues } from './contra.js';

/** Detector lift below this is noise (short texts move many labels a little). */
export const LIFT_FLOOR = 0.05;
/** Lift above the floor that counts as full evidence (1). */
export const LIFT_SPAN = 0.45;
/** Evidence from a concept phrase affirmed in the action. */
export const PHRASE_EVIDENCE = 0.6;
/** Evidence from a contra cue, or a concept phrase negated in the action. */
export const CONTRA_EVIDENCE = -1;
/** Concept activation observed for evidence 1, in prior sds of the concept. */
export const EVIDENCE_SD = 2;
/** Evidence smaller than this is not observed. */
const MIN_EVIDENCE = 0.02;

export interface ConceptEvidence {
  concept: string;
  label: string;
  /** −1…1: against … for. */
  evidence: number;
  /** What it came from: the detector's lift, phrases in the action, contra cues. */
  sources: Array<{ kind: 'detector' | 'phrase' | 'negated' | 'contra'; text: string }>;
}

export interface ValueRelevance {
  value: string;
  /** Standardised relevance: + for, − against. */
  mean: number;
  /** Its uncertainty (posterior sd in prior sds). */
  sd: number;
}

export interface ActionRelevance {
  values: ValueRelevance[];
  /** The concepts with evidence, strongest first. */
  concepts: ConceptEvidence[];
}

/** The Touché labels each concept of a graph is read by (its own label, or the MFT map). */
function conceptLabels(entry: GraphEntry): string[][] {
  return entry.file.nodes
    .filter((n) => n.kind === 'concept')
    .map((n) => (MFT_CONCEPT_MAP[n.id] ? [...MFT_CONCEPT_MAP[n.id]!] : [n.label]));
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Concept evidence → standardised value relevance through the SCM posterior. */
export function relevanceFromEvidence(
  entry: GraphEntry,
  evidence: ReadonlyMap<string, number>,
): ValueRelevance[] {
  const p = entry.program;
  const prior = priorMoments(p);
  const observed: Record<string, number> = {};
  for (const [concept, e] of evidence) {
    if (Math.abs(e) < MIN_EVIDENCE) continue;
    const i = p.index.get(concept)!;
    observed[concept] = prior.mean[i]! + EVIDENCE_SD * e * Math.sqrt(prior.variance[i]!);
  }
  const out: ValueRelevance[] = [];
  const none = Object.keys(observed).length === 0;
  const post = none ? null : counterfactual(p, { evidence: observed, interventions: [] });
  p.ids.forEach((id, i) => {
    if (p.kinds[i] !== 'value') return;
    const sd0 = Math.sqrt(prior.variance[i]!) || 1;
    if (!post) return out.push({ value: id, mean: 0, sd: 1 });
    out.push({
      value: id,
      mean: round((post.factual[i]! - prior.mean[i]!) / sd0),
      sd: round((post.factualSd ? post.factualSd[i]! : 0) / sd0),
    });
  });
  return out;
}

/** Embedded relevance of every action to every value of the graph. */
export function embeddedRelevance(
  entry: GraphEntry,
  scenario: string,
  actions: readonly string[],
  detector: DetectorModel = valueDetector(),
): ActionRelevance[] {
  const concepts = entry.file.nodes.filter((n) => n.kind === 'concept');
  const sources = conceptSources(detector, entry);
  const labels = conceptLabels(entry);
  const allLabels = new Set(labels.flat());
  const base = detectLabels(detector, scenario).labels;
  return actions.map((action) => {
    const withAction = detectLabels(detector, `${scenario}\n${action}`).labels;
    const phrases = detectConcepts(entry, action).concepts;
    const contra = contraCues(action, allLabels);
    const evidence = new Map<string, number>();
    const found: ConceptEvidence[] = [];
    concepts.forEach((node, c) => {
      const ev: ConceptEvidence = { concept: node.id, label: node.label, evidence: 0, sources: [] };
      const hits = labels[c]!.flatMap((l) => contra.get(l) ?? []);
      const ph = phrases[c]!;
      let pos = 0;
      if (hits.length === 0) {
        for (const l of sources[c] ?? []) {
          const p0 = base[l]!.probability;
          const lift = (withAction[l]!.probability - p0) / Math.max(1e-6, 1 - p0);
          const e = Math.min(1, Math.max(0, (lift - LIFT_FLOOR) / LIFT_SPAN));
          if (e > pos) pos = e;
        }
        if (pos > 0) ev.sources.push({ kind: 'detector', text: `lift ${round(pos)}` });
      }
      if (ph.matches > 0) {
        pos = Math.max(pos, PHRASE_EVIDENCE);
        ev.sources.push(...ph.phrases.map((t) => ({ kind: 'phrase' as const, text: t })));
      }
      let neg = 0;
      if (hits.length > 0) {
        neg = CONTRA_EVIDENCE;
        ev.sources.push(...hits.map((h) => ({ kind: 'contra' as const, text: h.phrase })));
      } else if (ph.negated > 0 && ph.matches === 0) {
        neg = CONTRA_EVIDENCE;
        ev.sources.push(
          ...ph.negatedSpans.map(([s, e]) => ({ kind: 'negated' as const, text: action.slice(s, e) })),
        );
      }
      ev.evidence = round(Math.max(-1, Math.min(1, pos + neg)));
      evidence.set(node.id, ev.evidence);
      if (Math.abs(ev.evidence) >= MIN_EVIDENCE) found.push(ev);
    });
    found.sort((a, b) => Math.abs(b.evidence) - Math.abs(a.evidence) || a.concept.localeCompare(b.concept));
    return { values: relevanceFromEvidence(entry, evidence), concepts: found };
  });
}
