/**
 * Text → value profile with the embedded phrase detector (synchronous, no I/O): detect concepts →
 * evidence (evidence.ts) → the engine's partial-evidence abduction (posterior.ts). The LLM path
 * (llm.ts) shares everything after detection.
 */
import type { GraphEntry } from '../graphs/registry.js';
import { detectConcepts, type Detection } from './detector.js';
import {
  buildEvidence,
  observeMatches,
  type ConceptObservation,
  type ConceptStatus,
  type EvidenceOptions,
} from './evidence.js';
import type { WeightedSpan } from './learned/detect.js';
import { attributionModel } from './model.js';
import { valuePosterior, type ValueAttribution } from './posterior.js';

export interface ConceptHit {
  concept: string;
  label: string;
  /** The concept's main parent value (largest coefficient). */
  value?: string;
  /** Every parent value, largest coefficient first. */
  values: string[];
  /** The concept's group in the graph (e.g. its Touché category). */
  group?: string;
  /** Affirmed phrase matches. */
  matches: number;
  /** Negated phrase matches ("not about power"): reported, not evidence. */
  negated: number;
  /** The graph's phrases that matched (affirmed). */
  phrases: string[];
  /** Character spans [start, end) of the affirmed matches, for highlighting. */
  spans: Array<[number, number]>;
  negatedSpans: Array<[number, number]>;
  /** What the detector concluded. */
  status: ConceptStatus;
  /** The value observed on the concept node (its own scale), or null when it is not observed. */
  evidence: number | null;
  /** The rubric level (1–5 scale) the evidence stands for, or null. */
  level: number | null;
  /** The LLM's rating (−1…3), LLM detector only. */
  rating?: number;
  /** Calibrated probability that the text expresses the concept (learned detector only). */
  probability?: number;
  /** The probability from which it counts as present (learned detector only). */
  threshold?: number;
  /** The words that drove the learned detection, with their weights (learned detector only). */
  drivers?: WeightedSpan[];
}

export type DetectorName = 'learned' | 'phrases' | 'llm';

export interface Attribution {
  graph: { id: string; version: string; hash: string };
  detector: DetectorName;
  values: ValueAttribution[];
  /** Every concept of the graph, in graph order. */
  concepts: ConceptHit[];
  /** Concept nodes observed (present or contradicted). */
  evidenceNodes: number;
  /** Absence readings given to each value the text never touches (0–3; 0 for short texts). */
  absenceReadings: number;
  words: number;
}

export type AttributeOptions = EvidenceOptions;

/** Shared by both detectors: observations (model order) → the attribution. */
export function attributeObservations(
  entry: GraphEntry,
  detection: Detection,
  observations: readonly ConceptObservation[],
  detector: DetectorName,
  options: AttributeOptions = {},
  ratings?: readonly number[],
): Attribution {
  const model = attributionModel(entry);
  const ev = buildEvidence(model, observations, detection.words, options);
  const values = valuePosterior(model, ev);
  const concepts: ConceptHit[] = model.concepts.map((c, i) => {
    const d = detection.concepts[i]!;
    const hit: ConceptHit = {
      concept: c.id,
      label: c.label,
      values: c.parents.map((p) => p.value),
      matches: d.matches,
      negated: d.negated,
      phrases: d.phrases,
      spans: d.spans,
      negatedSpans: d.negatedSpans,
      status: observations[i]!.status,
      evidence: ev.conceptEvidence[i]!,
      level: null,
    };
    const o = observations[i]!;
    if (hit.evidence !== null && (o.status === 'present' || o.status === 'contradicted')) hit.level = o.level;
    if (c.parents[0]) hit.value = c.parents[0].value;
    if (c.group !== undefined) hit.group = c.group;
    if (ratings) hit.rating = ratings[i]!;
    return hit;
  });
  return {
    graph: { id: entry.id, version: entry.version, hash: entry.hash },
    detector,
    values,
    concepts,
    evidenceNodes: ev.conceptEvidence.filter((x) => x !== null).length,
    absenceReadings: ev.readings,
    words: detection.words,
  };
}

/** Attribute a text to a value profile with the embedded phrase detector. */
export function attributeText(entry: GraphEntry, text: string, options: AttributeOptions = {}): Attribution {
  attributionModel(entry); // validates the graph before any work
  const detection = detectConcepts(entry, text);
  const observations = detection.concepts.map((d) => observeMatches(d.matches, d.negated));
  return attributeObservations(entry, detection, observations, 'phrases', options);
}
