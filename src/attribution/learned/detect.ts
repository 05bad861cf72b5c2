/**
 * Inference of the learned value detector (pure; no I/O): text → calibrated probability of every label
 * (54 level-1 values, 20 categories), the decision by the label's cross-validated threshold, and the
 * words that drove it: each feature's contribution to the label's logit (tf-idf weight × learned
 * weight), spread over the character spans of its occurrences, strongest first.
 */
import type { DetectorModel } from './artefact.js';
import { tokenize, type Token } from '../text.js';
import { indexedFeatures } from './feature-index.js';
import type { FeatureOptions } from './features.js';
import { calibratedProbabilities } from './fit.js';

/** A span of the text [start, end) with its contribution to the label's logit. */
export interface WeightedSpan {
  start: number;
  end: number;
  text: string;
  weight: number;
}

export interface LabelDetection {
  name: string;
  level: 'value' | 'category';
  probability: number;
  threshold: number;
  /** Share of the training arguments with the label. */
  prior: number;
  present: boolean;
  /** The strongest positive contributions (at most `MAX_SPANS`). */
  spans: WeightedSpan[];
}

export interface LearnedDetection {
  words: number;
  labels: LabelDetection[];
}

export const MAX_SPANS = 5;

interface LabelArrays {
  categoryOf: number[];
  platt: Array<{ a: number; b: number }>;
  precision: number[];
}

const labelCache = new WeakMap<DetectorModel, LabelArrays>();

/** Per-label arrays of the model, computed once. */
function labelArrays(model: DetectorModel): LabelArrays {
  let c = labelCache.get(model);
  if (!c) {
    c = {
      categoryOf: model.labels.map((l) =>
        l.level === 'value' && l.category ? (model.byName.get(l.category) ?? -1) : -1,
      ),
      platt: model.labels.map((l) => l.platt),
      precision: model.labels.map((l) => l.lexiconPrecision),
    };
    labelCache.set(model, c);
  }
  return c;
}

/** Rounded to 4 decimals (Math.round: toFixed is slow on the hot path). */
const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Detect every label of the model in `text`. */
export function detectLabels(
  model: DetectorModel,
  text: string,
  options: FeatureOptions & {
    spans?: 'present' | 'all';
    /** `tokenize(text)`, when the caller has it already. */
    tokens?: readonly Token[];
  } = {},
): LearnedDetection {
  const tokens = options.tokens ?? tokenize(text);
  const { x, occurrences, hits } = indexedFeatures(model, tokens, options);
  const L = model.labels.length;
  const W = model.weights;
  const scores = Float64Array.from(model.bias);
  for (let k = 0; k < x.index.length; k++) {
    const base = x.index[k]! * L;
    const v = x.value[k]!;
    for (let l = 0; l < L; l++) scores[l] += v * W[base + l]!;
  }
  const arrays = labelArrays(model);
  const probs = calibratedProbabilities(scores, arrays.platt, arrays.categoryOf, {
    precision: arrays.precision,
    hits,
  });
  // The top-contribution buffers, shared by the labels (filled afresh for each).
  const topK = new Int32Array(MAX_SPANS);
  const topC = new Float64Array(MAX_SPANS);
  const labels: LabelDetection[] = model.labels.map((label, l) => {
    // Decided on the reported (rounded) probability, so `present` ⇔ probability ≥ threshold holds.
    const probability = round(probs[l]!);
    const present = probability >= label.threshold;
    // One object literal (a spread of a shared base costs more than the rest of the label).
    const detection: LabelDetection = {
      name: label.name,
      level: label.level,
      probability,
      threshold: label.threshold,
      prior: label.prior,
      present,
      spans: [],
    };
    // Spans cost a pass over the features per label: by default only for the labels detected.
    if (!present && options.spans !== 'all') return detection;
    // The strongest positive contributions, kept in a small sorted buffer (no per-label allocation
    // beyond it): a feature's contribution is its vector weight × the label's weight.
    let kept = 0;
    for (let k = 0; k < x.index.length; k++) {
      const c = x.value[k]! * W[x.index[k]! * L + l]!;
      if (!(c > 0) || (kept === MAX_SPANS && c <= topC[kept - 1]!)) continue;
      // Insert by shifting the weaker ones down (the weakest falls off a full buffer).
      let at = kept < MAX_SPANS ? kept++ : kept - 1;
      while (at > 0 && topC[at - 1]! < c) {
        topC[at] = topC[at - 1]!;
        topK[at] = topK[at - 1]!;
        at--;
      }
      topC[at] = c;
      topK[at] = k;
    }
    const { spans } = detection;
    const seen = new Set<number>();
    for (let r = 0; r < kept && spans.length < MAX_SPANS; r++) {
      const occ = occurrences[topK[r]!]!;
      // A feature seen several times shares its contribution among its occurrences.
      const share = topC[r]! / Math.max(1, occ.length);
      for (const [from, to] of occ) {
        if (to <= from || spans.length >= MAX_SPANS) continue;
        const start = tokens[from]!.start;
        const end = tokens[to - 1]!.end;
        const key = start * 1_000_003 + end;
        if (seen.has(key)) continue;
        seen.add(key);
        spans.push({ start, end, text: text.slice(start, end), weight: round(share) });
      }
    }
    return detection;
  });
  return { words: tokens.length, labels };
}
