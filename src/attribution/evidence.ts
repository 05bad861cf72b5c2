/**
 * Evidence mapping: what a detector saw in a text → evidence on the SCM (pure).
 *
 * Every piece of evidence is stated on COUPLE's 1–5 rubric (1 contradicted, 2 absent, 3 mentioned,
 * 4 present, 5 most important), the scale the attribution is read and compared on, and the SCM turns
 * it into node values through its own mechanisms. Two kinds, because the two things a text can tell us
 * differ in kind:
 *
 * 1. **Presence is concept evidence.** A concept the text uses is observed on its own node, at the
 *    activation its mechanism gives when its parent value(s) sit at a rubric level L:
 *    `x_c = intercept_c + Σ_v w_cv · score(L)` (score = the value scale, e.g. centered 1.25·(L − 3)).
 *    So one piece of evidence means the same rubric level for every value, whatever the population
 *    thinks of that value (a power concept needs a higher activation than a benevolence concept to say
 *    "5", because people rate power lower), and the SCM's concept noise (≈ half the variance of a
 *    Touché concept) is the slack between one concept and its value.
 *    - phrases, n affirmed matches: `L = min(5.5, 4 + 0.75·log2 n)` — 4.0, 4.75, 5.19, then 5.5 from
 *      n = 4 on (monotone, saturating). One match reads as "present"; repetition as "most important".
 *      Levels beyond 5 are deliberate: the posterior is a precision-weighted average of the prior and
 *      the evidence, so evidence exactly at 5 could never bring a value to 5.
 *    - LLM rating 1 / 2 / 3 (mentioned / present / central): L = 3.5 / 4.5 / 5.5; rating −1
 *      (contradicted): L = 0.5 (mirror images around 3).
 *    - learned detector, a concept present with calibrated probability p (p ≥ its learned threshold)
 *      and base rate π (its share of the training arguments): `L = 3 + 2·lift`, lift = (p − π)/(1 − π)
 *      clamped to 0…1, i.e. how far the text moved the probability from the base rate towards
 *      certainty — "mentioned" (3) when it did not move it, "most important" (5) at certainty; for
 *      π = 0.05: 3.0 at p = 0.05, 4.05 at p = 0.55, 4.89 at p = 0.95. A surer detection is stronger
 *      evidence (it pulls the value further from its prior). Below the threshold a concept is not
 *      observed (absence is value evidence, point 2).
 *    The value posterior moves further, and narrows, as more distinct concepts of a value are observed;
 *    more matches of the *same* concept raise the level, not the certainty.
 *
 * 2. **Absence is value evidence.** A text that never touches a value (no present or contradicted
 *    concept with that value as a parent) gives a noisy *absence reading* of the value at the rubric's
 *    "absent" level (likert 2; centered −1.25), through reading nodes added to the program (model.ts).
 *    Why at the value and not on every unmatched concept: texts are topical. A text all about helping
 *    others does not also mention forgiveness, loyalty and honesty, and reading those silences as low
 *    observations would drag benevolence down exactly when it is central. Why soft and length-dependent:
 *    silence in a short text says little. Under 20 words there is no absence reading and the posterior
 *    of an untouched value stays at the prior (the population's average profile: all the SCM knows of an
 *    author it has no evidence on); 20–49, 50–99 and ≥ 100 words give 1, 2 and 3 replicated readings,
 *    i.e. one reading with sd 0.69, 0.49 and 0.4 prior sds of the value.
 *
 * Calibration on schwartz-10 (likert5 posterior means; test/attribution recomputes the claims):
 * - empty text → the prior (SD 3.43, ST 2.69, HE 2.75, AC 2.58, PO 2.42, SE 3.27, CO 2.68, TR 3.07,
 *   BE 3.47, UN 3.44; sd ≈ 0.62–0.82 likert);
 * - no value phrase in 25 / 61 / 116 words → every value 2.41–2.58 / 2.26–2.40 / 2.19–2.31 ("absent",
 *   sd 0.23–0.29 at full length);
 * - one concept mentioned once (rest of the text neutral, ≥ 100 words) → its value 3.40–3.61, about
 *   the same for every value (between "mentioned" and "present");
 * - every single-parent concept of a value mentioned three times → 3.94 (hedonism: one concept) to
 *   4.88, and the two lowest other values are its circle opposites (universalism → power 2.04,
 *   achievement 2.10; conformity → stimulation 2.06, hedonism 2.10), below the absent level;
 * - 30 random planted profiles (values at 3 / 4 / 5 expressed through 1 / 2 / 3 concepts, 1 / 4 / 9
 *   mentions; the rest absent): Spearman ρ 0.76–1 (mean 0.93), MAE 0.32.
 * The phrase detector cannot tell contradiction from absence, so its floor is "absent" plus what the
 * circle implies; only the LLM detector reports contradiction (rating −1 → level 0.5).
 *
 * Negated matches ("not about power") are no evidence at all: the concept counts as absent.
 */
import { fromCenteredScore, toCenteredScore } from '../values/index.js';
import type { AttributionModel } from './model.js';

export const EVIDENCE_MAPPING = {
  /** Phrase matches: rubric level L = min(max, base + perDoubling · log2 n). */
  presence: { base: 4, perDoubling: 0.75, max: 5.5 },
  /** LLM ratings → rubric level (0 = absent is handled as absence). */
  rating: { '-1': 0.5, '1': 3.5, '2': 4.5, '3': 5.5 } as Readonly<Record<string, number>>,
  /** Learned detector: rubric level L = base + perUnit · p for a present concept. */
  probability: { base: 3, perLift: 2 },
  absence: {
    /** The rubric level an absence reading reports (COUPLE: 2 = absent). */
    likert: 2,
    /** Reading sd at full strength (all replicas), in units of the value's prior sd. */
    readingSd: 0.4,
    /** Reading nodes per value; a text observes 0…replicas of them depending on its length. */
    replicas: 3,
    /** Minimum words for 1, 2, 3 readings (below the first: no absence evidence). */
    wordBands: [20, 50, 100] as readonly number[],
  },
} as const;

export type ConceptStatus = 'present' | 'contradicted' | 'absent' | 'negated';

/** What a detector concluded about one concept; `level` is the rubric level it reads as. */
export type ConceptObservation =
  { status: 'present' | 'contradicted'; level: number } | { status: 'absent' | 'negated' };

/** Rubric level for n affirmed phrase matches (n ≥ 1): monotone non-decreasing, saturating. */
export function presenceLevel(n: number): number {
  const p = EVIDENCE_MAPPING.presence;
  if (!(n >= 1)) throw new RangeError(`presenceLevel needs at least one match, got ${n}`);
  return Math.min(p.max, p.base + p.perDoubling * Math.log2(n));
}

/** The observation for a concept from its phrase matches. */
export function observeMatches(matches: number, negated: number): ConceptObservation {
  if (matches > 0) return { status: 'present', level: presenceLevel(matches) };
  return { status: negated > 0 ? 'negated' : 'absent' };
}

/** The observation for a concept from an LLM rating (−1…3). */
export function observeRating(rating: number): ConceptObservation {
  if (rating === 0) return { status: 'absent' };
  const level = EVIDENCE_MAPPING.rating[String(rating)];
  if (level === undefined) throw new RangeError(`a concept rating is -1…3, got ${rating}`);
  return { status: rating < 0 ? 'contradicted' : 'present', level };
}

/** The observation for a concept from the learned detector's calibrated probability and decision. */
export function observeProbability(probability: number, present: boolean, baseRate = 0): ConceptObservation {
  if (!(probability >= 0 && probability <= 1))
    throw new RangeError(`a probability is 0…1, got ${probability}`);
  if (!(baseRate >= 0 && baseRate < 1))
    throw new RangeError(`a base rate is 0…1 (excluded), got ${baseRate}`);
  if (!present) return { status: 'absent' };
  const m = EVIDENCE_MAPPING.probability;
  const lift = Math.min(1, Math.max(0, (probability - baseRate) / (1 - baseRate)));
  return { status: 'present', level: m.base + m.perLift * lift };
}

/** How many absence readings a text of `words` words gives (0…replicas). */
export function absenceReadings(words: number): number {
  let r = 0;
  for (const min of EVIDENCE_MAPPING.absence.wordBands) if (words >= min) r++;
  return Math.min(r, EVIDENCE_MAPPING.absence.replicas);
}

export interface EvidenceSet {
  /** Node id → observed value, for the measurement program's partial-evidence abduction. */
  evidence: Record<string, number>;
  /** Per concept (model order): the value observed on its node, or null. */
  conceptEvidence: Array<number | null>;
  /** Per value (model order): how it is informed. */
  basis: Array<'concepts' | 'absent' | 'prior'>;
  /** Absence readings per untouched value (0 = none). */
  readings: number;
}

export interface EvidenceOptions {
  /** Read values the text never touches as absent (default true). */
  absence?: boolean;
}

/** A rubric level on the graph's value scale (unclamped: levels past 5 are meant). */
export function levelToScore(model: Pick<AttributionModel, 'scale'>, level: number): number {
  return fromCenteredScore(toCenteredScore(level, 'likert5'), model.scale);
}

/** Turn per-concept observations (model order) and the text length into evidence. */
export function buildEvidence(
  model: AttributionModel,
  observations: readonly ConceptObservation[],
  words: number,
  options: EvidenceOptions = {},
): EvidenceSet {
  const evidence: Record<string, number> = {};
  const touched = new Set<string>();
  const conceptEvidence = model.concepts.map((c, i) => {
    const o = observations[i]!;
    if (o.status !== 'present' && o.status !== 'contradicted') return null;
    // A concept without value parents, or without prior variance, carries no usable evidence.
    if (c.parents.length === 0 || !(c.priorSd > 1e-9)) return null;
    const score = levelToScore(model, o.level);
    let x = c.base;
    for (const p of c.parents) {
      x += p.weight * score;
      touched.add(p.value);
    }
    evidence[c.id] = x;
    return x;
  });
  const readings = options.absence === false ? 0 : absenceReadings(words);
  const basis = model.values.map((v) => {
    if (touched.has(v.id)) return 'concepts' as const;
    if (readings === 0 || v.readings.length === 0) return 'prior' as const;
    evidence[v.readings[readings - 1]!] = model.absenceLevel;
    return 'absent' as const;
  });
  return { evidence, conceptEvidence, basis, readings };
}
