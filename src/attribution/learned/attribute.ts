/**
 * Text → value profile with the learned detector (synchronous, no I/O): calibrated probabilities of
 * the taxonomy's level-1 values (detect.ts) → the graph's concepts (by label; MFT concepts through
 * mft-map.ts) → evidence (evidence.ts `observeProbability`: present by the learned threshold, at a level
 * that grows with the probability) → the engine's abduction. Each concept carries its probability,
 * its threshold and the words that drove it; `spans` are those words' character spans. The phrase
 * detector also runs (cheap) so `matches`, `phrases` and the negated matches stay reported; concepts of
 * a graph the artefact does not cover at all are read from those phrase matches.
 */
import type { GraphEntry } from '../../graphs/registry.js';
import { attributeObservations, type AttributeOptions, type Attribution } from '../attribute.js';
import { detectConcepts, type Detection } from '../detector.js';
import { observeMatches, observeProbability, type ConceptObservation } from '../evidence.js';
import { attributionModel } from '../model.js';
import type { DetectorModel } from './artefact.js';
import { detectLabels, type LabelDetection } from './detect.js';
import { tokenize } from '../text.js';
import type { FeatureOptions } from './features.js';
import { applyPortrait } from './portrait.js';
import { conceptSources, valueDetector } from './registry.js';

export interface LearnedAttributeOptions extends AttributeOptions, FeatureOptions {
  /** The artefact (default: the active one). */
  detector?: DetectorModel;
  /** Add the endorsement profile when the artefact has a mapping for the graph's values (default true). */
  endorsement?: boolean;
}

/** How much people high on each value would endorse the text (portrait.ts; Value Portrait's scale). */
export interface Endorsement {
  value: string;
  /** The calibrated endorsement: the dev mean where the text says nothing, moved by what it says. */
  score: number;
  /** Its move away from the dev mean (0 when the text says nothing about the values). */
  shift: number;
}

export type LearnedAttribution = Attribution & {
  detectorVersion: string;
  /** The taxonomy's value categories with their probabilities. */
  categories: Array<{ name: string; probability: number; threshold: number; present: boolean }>;
  /** The calibrated endorsement profile (graphs whose values the artefact's mapping covers). */
  endorsement?: Endorsement[];
};

/** Six decimals: the shrunken move (β = 0.001, portrait.ts) is a few ten-thousandths. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/**
 * The endorsement profile of a text, when the artefact's mapping covers exactly the graph's values:
 * the learned posterior levels, the phrase detector's (its own small posterior) and the detector's
 * label probabilities → portrait.ts.
 */
function endorsementOf(
  model: DetectorModel,
  entry: GraphEntry,
  phrases: Detection,
  learned: Attribution,
  labels: readonly LabelDetection[],
): Endorsement[] | undefined {
  const mapping = model.artefact.portrait;
  const values = learned.values.map((v) => v.value);
  if (!mapping || values.length !== mapping.values.length) return undefined;
  if (values.some((v, i) => v !== mapping.values[i])) return undefined;
  const observations = phrases.concepts.map((p) => observeMatches(p.matches, p.negated));
  const byPhrases = attributeObservations(entry, phrases, observations, 'phrases');
  const { profile, shift } = applyPortrait(mapping, {
    learned: learned.values.map((v) => v.likert5),
    phrases: byPhrases.values.map((v) => v.likert5),
    probabilities: portraitLabelIndex(model).map((l) => labels[l]!.probability),
  });
  return values.map((value, i) => ({ value, score: round6(profile[i]!), shift: round6(shift[i]!) }));
}

const portraitIndex = new WeakMap<DetectorModel, number[]>();

/** The detector label index of each of the endorsement mapping's pooled labels (checked at load). */
function portraitLabelIndex(model: DetectorModel): number[] {
  let ix = portraitIndex.get(model);
  if (!ix) {
    ix = (model.artefact.portrait?.labels.names ?? []).map((n) => model.byName.get(n)!);
    portraitIndex.set(model, ix);
  }
  return ix;
}

/** The strongest of several label detections (MFT concepts map to several). */
function strongest(labels: readonly LabelDetection[], indices: readonly number[]): LabelDetection {
  let best = labels[indices[0]!]!;
  for (const i of indices) {
    const d = labels[i]!;
    if ((d.present && !best.present) || (d.present === best.present && d.probability > best.probability))
      best = d;
  }
  return best;
}

/** Attribute a text to a value profile with the learned detector. */
export function attributeLearned(
  entry: GraphEntry,
  text: string,
  options: LearnedAttributeOptions = {},
): LearnedAttribution {
  attributionModel(entry); // validates the graph before any work
  const model = options.detector ?? valueDetector();
  const tokens = tokenize(text);
  const detection = detectLabels(model, text, {
    tokens,
    ...(options.stance !== undefined ? { stance: options.stance } : {}),
  });
  const phrases = detectConcepts(entry, text, tokens);
  const sources = conceptSources(model, entry);
  const picked = sources.map((s) => (s ? strongest(detection.labels, s) : null));
  const observations: ConceptObservation[] = picked.map((d, i) => {
    if (d) return observeProbability(d.probability, d.present, d.prior);
    const p = phrases.concepts[i]!;
    return observeMatches(p.matches, p.negated);
  });
  const base = attributeObservations(entry, phrases, observations, 'learned', options);
  base.concepts.forEach((hit, i) => {
    const d = picked[i];
    if (!d) return;
    hit.probability = d.probability;
    hit.threshold = d.threshold;
    // The words that drove a detection; a concept not detected keeps none.
    hit.drivers = d.present ? d.spans : [];
    hit.spans = hit.drivers.map((s) => [s.start, s.end]);
  });
  const endorsement =
    options.endorsement === false ? undefined : endorsementOf(model, entry, phrases, base, detection.labels);
  return {
    ...base,
    ...(endorsement ? { endorsement } : {}),
    words: detection.words,
    detectorVersion: model.artefact.version,
    categories: detection.labels
      .filter((l) => l.level === 'category')
      .map((l) => ({ name: l.name, probability: l.probability, threshold: l.threshold, present: l.present })),
  };
}
