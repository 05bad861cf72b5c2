/**
 * Training of the learned value detector (pure; no I/O): one-vs-rest logistic regressions over the
 * sparse features of features.ts, fitted jointly by AdaGrad SGD with a seeded shuffle (deterministic),
 * Platt calibration of out-of-fold scores, and per-label F1-optimal thresholds.
 *
 * Rare labels: a positive example weighs √(negatives / positives) (capped), so rare values still get a
 * useful ranking; the thresholds, tuned for F1 on out-of-fold predictions, then decide presence.
 */
import { mulberry32 } from '../../scm/random.js';
import type { SparseVector } from './features.js';

/** The engine's seeded PRNG (Mulberry32), deterministic across runs and machines. */
export const seededRandom = mulberry32;

/** A seeded Fisher–Yates shuffle of 0…n−1. */
export function shuffledIndices(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

export interface LogisticOptions {
  epochs: number;
  /** AdaGrad base learning rate. */
  learningRate: number;
  /** L2 penalty per update. */
  l2: number;
  /** Cap of the positive-class weight √(neg/pos). */
  maxPositiveWeight: number;
  seed: number;
}

export const DEFAULT_LOGISTIC: LogisticOptions = {
  epochs: 12,
  learningRate: 0.5,
  l2: 1e-4,
  maxPositiveWeight: 5,
  seed: 14,
};

/** Linear scores: feature-major weights (w[j·L + l]) and a bias per label. */
export interface LinearModel {
  labels: number;
  features: number;
  weights: Float64Array;
  bias: Float64Array;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Raw scores (logits) of every label for one vector. */
export function scoreVector(
  model: LinearModel,
  x: SparseVector,
  out = new Float64Array(model.labels),
): Float64Array {
  const L = model.labels;
  out.set(model.bias);
  for (let k = 0; k < x.index.length; k++) {
    const base = x.index[k]! * L;
    const v = x.value[k]!;
    for (let l = 0; l < L; l++) out[l] += v * model.weights[base + l]!;
  }
  return out;
}

/** Fit one-vs-rest logistic regressions; `y[d][l]` is 1 when document d has label l. */
export function trainLogistic(
  xs: readonly SparseVector[],
  ys: readonly Uint8Array[],
  features: number,
  labels: number,
  options: LogisticOptions = DEFAULT_LOGISTIC,
): LinearModel {
  const L = labels;
  const weights = new Float64Array(features * L);
  const accum = new Float64Array(features * L).fill(1e-8);
  const bias = new Float64Array(L);
  const biasAccum = new Float64Array(L).fill(1e-8);
  const positives = new Float64Array(L);
  for (const y of ys) for (let l = 0; l < L; l++) positives[l] += y[l]!;
  const posWeight = Float64Array.from(positives, (p) =>
    p > 0 ? Math.min(options.maxPositiveWeight, Math.sqrt((ys.length - p) / p)) : 1,
  );
  // Start each bias at the (weighted) base rate.
  for (let l = 0; l < L; l++) {
    const p =
      (positives[l]! * posWeight[l]! + 0.5) / (positives[l]! * posWeight[l]! + ys.length - positives[l]! + 1);
    bias[l] = Math.log(p / (1 - p));
  }
  const model: LinearModel = { labels: L, features, weights, bias };
  const random = seededRandom(options.seed);
  const z = new Float64Array(L);
  const grad = new Float64Array(L);
  const eta = options.learningRate;
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (const d of shuffledIndices(xs.length, random)) {
      const x = xs[d]!;
      const y = ys[d]!;
      scoreVector(model, x, z);
      for (let l = 0; l < L; l++) {
        const p = sigmoid(z[l]!);
        grad[l] = y[l] ? (p - 1) * posWeight[l]! : p;
        biasAccum[l] += grad[l]! * grad[l]!;
        bias[l] -= (eta * grad[l]!) / Math.sqrt(biasAccum[l]!);
      }
      for (let k = 0; k < x.index.length; k++) {
        const base = x.index[k]! * L;
        const v = x.value[k]!;
        for (let l = 0; l < L; l++) {
          const i = base + l;
          const g = grad[l]! * v + options.l2 * weights[i]!;
          accum[i] += g * g;
          weights[i] -= (eta * g) / Math.sqrt(accum[i]!);
        }
      }
    }
  }
  return model;
}

/** Platt scaling p = σ(a·s + b), fitted by Newton's method on (score, label) pairs with Platt's targets. */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>): { a: number; b: number } {
  const n = scores.length;
  let pos = 0;
  for (let i = 0; i < n; i++) pos += labels[i]! ? 1 : 0;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (n - pos + 2);
  let a = 1;
  let b = 0;
  for (let iter = 0; iter < 50; iter++) {
    let g1 = 0;
    let g2 = 0;
    let h11 = 1e-9;
    let h22 = 1e-9;
    let h12 = 0;
    for (let i = 0; i < n; i++) {
      const s = scores[i]!;
      const t = labels[i] ? hi : lo;
      const p = sigmoid(a * s + b);
      const r = p - t;
      const w = p * (1 - p);
      g1 += r * s;
      g2 += r;
      h11 += w * s * s;
      h22 += w;
      h12 += w * s;
    }
    const det = h11 * h22 - h12 * h12;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (h22 * g1 - h12 * g2) / det;
    const db = (h11 * g2 - h12 * g1) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-9 && Math.abs(db) < 1e-9) break;
  }
  return { a, b };
}

export interface PRF {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function prf(tp: number, fp: number, fn: number): PRF {
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1, support: tp + fn };
}

/** The threshold on `probs` that maximises F1 for `labels` (grid 0.02…0.90; ties → the higher one). */
export function bestThreshold(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
): { threshold: number; f1: number } {
  let best = { threshold: 0.5, f1: -1 };
  for (let t = 2; t <= 90; t++) {
    const th = t / 100;
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < probs.length; i++) {
      const yes = probs[i]! >= th;
      if (yes && labels[i]) tp++;
      else if (yes) fp++;
      else if (labels[i]) fn++;
    }
    const f = prf(tp, fp, fn).f1;
    if (f >= best.f1) best = { threshold: th, f1: f };
  }
  return best;
}

/** Per-label P/R/F1 of decisions against labels (both document-major). */
export function evaluateDecisions(
  decisions: readonly ArrayLike<number>[],
  ys: readonly ArrayLike<number>[],
  labels: number,
): PRF[] {
  const out: PRF[] = [];
  for (let l = 0; l < labels; l++) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let d = 0; d < ys.length; d++) {
      const yes = decisions[d]![l]! > 0;
      const truth = ys[d]![l]! > 0;
      if (yes && truth) tp++;
      else if (yes) fp++;
      else if (truth) fn++;
    }
    out.push(prf(tp, fp, fn));
  }
  return out;
}

export function macroF1(rows: readonly PRF[]): number {
  return rows.reduce((s, r) => s + r.f1, 0) / (rows.length || 1);
}

/** Fold of each document (0…k−1), a seeded shuffle dealt round-robin. */
export function foldAssignment(n: number, k: number, seed: number): Int32Array {
  const folds = new Int32Array(n);
  shuffledIndices(n, seededRandom(seed)).forEach((d, i) => (folds[d] = i % k));
  return folds;
}
