/**
 * The inference side of the features (pure; no I/O): the same feature walk as training
 * (features.ts `walkFeatures`), but each feature is looked up in an index precomputed once per model
 * (stem → vocabulary position for words, negated words and word pairs; lexicon entry → position and
 * label) instead of being named, and occurrences are kept in reusable typed arrays. The result equals
 * `vectorize(extractFeatures(…))` and `lexiconHits(…)` exactly (a test checks it); it only allocates
 * less, which is what a 300-word text in ≤ 1 ms needs.
 */
import type { Token } from '../text.js';
import type { DetectorModel } from './artefact.js';
import { walkFeatures, type FeatureOptions, type FeatureSink, type SparseVector } from './features.js';

interface FeatureIndex {
  words: Map<string, number>;
  negated: Map<string, number>;
  /** First stem → second stem → position. */
  pairs: Map<string, Map<string, number>>;
  /** Per lexicon entry: vocabulary position of `l:<label>` (−1: none) and the label it hits (−1). */
  entryFeature: Int32Array;
  entryLabel: Int32Array;
  /** Per category name: vocabulary position of `g:<category>` (−1) and the label it hits (−1). */
  categories: Map<string, { feature: number; label: number }>;
  against: number;
  /** Scratch, reset after every text: count and first/last occurrence per vocabulary position. */
  count: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  touched: Int32Array;
}

const indexCache = new WeakMap<DetectorModel, FeatureIndex>();

function featureIndex(model: DetectorModel): FeatureIndex {
  const hit = indexCache.get(model);
  if (hit) return hit;
  const words = new Map<string, number>();
  const negated = new Map<string, number>();
  const pairs = new Map<string, Map<string, number>>();
  model.vocabulary.forEach((j, name) => {
    const body = name.slice(2);
    if (name.startsWith('w:')) words.set(body, j);
    else if (name.startsWith('n:')) negated.set(body, j);
    else if (name.startsWith('b:')) {
      const space = body.indexOf(' ');
      const first = body.slice(0, space);
      const inner = pairs.get(first) ?? new Map<string, number>();
      inner.set(body.slice(space + 1), j);
      pairs.set(first, inner);
    }
  });
  const labelOf = (name: string, level: 'value' | 'category') => {
    const l = model.byName.get(name);
    return l !== undefined && model.labels[l]!.level === level ? l : -1;
  };
  const categories = new Map<string, { feature: number; label: number }>();
  for (const e of model.lexicon) {
    if (categories.has(e.category)) continue;
    categories.set(e.category, {
      feature: model.vocabulary.get(`g:${e.category}`) ?? -1,
      label: labelOf(e.category, 'category'),
    });
  }
  const F = model.vocabulary.size;
  const index: FeatureIndex = {
    words,
    negated,
    pairs,
    entryFeature: Int32Array.from(model.lexicon, (e) => model.vocabulary.get(`l:${e.label}`) ?? -1),
    entryLabel: Int32Array.from(model.lexicon, (e) => labelOf(e.label, 'value')),
    categories,
    against: model.vocabulary.get('s:against') ?? -1,
    count: new Int32Array(F),
    head: new Int32Array(F).fill(-1),
    tail: new Int32Array(F).fill(-1),
    touched: new Int32Array(F),
  };
  indexCache.set(model, index);
  return index;
}

/** A text's vector with the token ranges of each entry's occurrences, and its lexicon hits. */
export interface IndexedFeatures {
  x: SparseVector;
  /** Occurrences of x.index[k], as token ranges [from, to), in text order. */
  occurrences: Array<Array<[number, number]>>;
  /** 1 where one of the label's lexicon phrases (value) or its category's (category) is in the text. */
  hits: Uint8Array;
}

/** Vectorise a tokenised text for `model` (equal to vectorize(extractFeatures(…)) and lexiconHits). */
export function indexedFeatures(
  model: DetectorModel,
  tokens: readonly Token[],
  options: FeatureOptions = {},
): IndexedFeatures {
  const ix = featureIndex(model);
  const { count, head, tail, touched } = ix;
  const hits = new Uint8Array(model.labels.length);
  let n = 0;
  // Occurrence lists as linked triples in a growing buffer: from, to, next.
  const occ: number[] = [];
  const see = (j: number | undefined, from: number, to: number) => {
    if (j === undefined || j < 0) return;
    const at = occ.length;
    occ.push(from, to, -1);
    if (count[j] === 0) {
      touched[n++] = j;
      head[j] = at;
    } else occ[tail[j]! + 2] = at;
    tail[j] = at;
    count[j]!++;
  };
  const sink: FeatureSink = {
    word(stem, i, isNegated) {
      see(ix.words.get(stem), i, i + 1);
      if (isNegated) see(ix.negated.get(stem), i, i + 1);
    },
    pair(first, second, from, to) {
      see(ix.pairs.get(first)?.get(second), from, to);
    },
    phrase(entries, categories, from, to) {
      for (const e of entries) {
        see(ix.entryFeature[e], from, to);
        if (ix.entryLabel[e]! >= 0) hits[ix.entryLabel[e]!] = 1;
      }
      for (const cat of categories) {
        const c = ix.categories.get(cat);
        if (!c) continue;
        see(c.feature, from, to);
        if (c.label >= 0) hits[c.label] = 1;
      }
    },
    against() {
      see(ix.against, 0, 0);
    },
  };
  walkFeatures(tokens, model.lexicon, sink, options);
  const index = touched.slice(0, n).sort();
  const value = new Float64Array(n);
  const occurrences: Array<Array<[number, number]>> = [];
  let norm = 0;
  for (let k = 0; k < n; k++) {
    const j = index[k]!;
    const v = (1 + Math.log(count[j]!)) * model.idf[j]!;
    value[k] = v;
    norm += v * v;
    const list: Array<[number, number]> = [];
    for (let at = head[j]!; at >= 0; at = occ[at + 2]!) list.push([occ[at]!, occ[at + 1]!]);
    occurrences.push(list);
    count[j] = 0;
    head[j] = -1;
    tail[j] = -1;
  }
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < n; k++) value[k] = value[k]! / norm;
  return { x: { index, value }, occurrences, hits };
}
