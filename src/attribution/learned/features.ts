/**
 * Features of the learned value detector (pure; no I/O). A text becomes a bag of named features, each
 * with the token spans that produced it, so a detection can say which words drove it:
 *
 * - `w:<stem>`: a content word, stemmed with Porter2 (wink-porter2-stemmer), stop words dropped;
 * - `n:<stem>`: the same word inside a negation scope ("not", "never", "…n't" in the three tokens before
 *   it, same clause; text.ts `isNegated`); the plain `w:` feature is emitted too, so the model learns
 *   when negation matters ("never lie" still expresses honesty);
 * - `b:<stem> <stem>`: two consecutive content words of one clause (stop words skipped);
 * - `l:<label>`: a phrase of the taxonomy lexicon (the value's label and the graph's phrases, matched
 *   like the phrase detector does) seen affirmed — prior knowledge that reaches wording the training
 *   data lacks; `g:<category>` the same at the category level;
 * - `s:against`: the argument's stance, when known (arguments only).
 *
 * Counts are folded to 1 + log(count) and the vector is L2-normalised with per-feature idf weights.
 */
import stemWord from 'wink-porter2-stemmer';
import { isNegated, tokenize, type Token } from '../text.js';

/** A taxonomy lexicon entry: a label (level-1 value) with its category and the phrases that signal it. */
export interface LexiconEntry {
  label: string;
  category: string;
  phrases: string[];
}

/** English function words that carry no value content on their own. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then than so as of at by for with about against between into through during ' +
    'before after above below to from up down in out on off over under again further once here there when ' +
    'where why how all any both each few more most other some such only own same too very s t can will ' +
    'just should now i me my myself we our ours ourselves you your yours yourself yourselves he him his ' +
    'himself she her hers herself it its itself they them their theirs themselves what which who whom ' +
    'this that these those am is are was were be been being have has had having do does did doing would ' +
    'could also may might must shall us let get got one would'
  ).split(' '),
);

const stemCache = new Map<string, string>();

/** The Porter2 stem of a normalised token (cached). */
export function porterStem(norm: string): string {
  let s = stemCache.get(norm);
  if (s === undefined) {
    s = norm.length <= 2 ? norm : stemWord(norm.replace(/'/g, ''));
    if (stemCache.size > 100_000) stemCache.clear();
    stemCache.set(norm, s);
  }
  return s;
}

export interface FeatureBag {
  /** Feature name → occurrences as token index ranges [from, to). */
  features: Map<string, Array<[number, number]>>;
  tokens: Token[];
}

interface LexiconPhrase {
  stems: string[];
  /** Indices of the lexicon entries that list the phrase. */
  entries: number[];
  /** Their categories, each once, in entry order. */
  categories: string[];
}

interface CompiledLexicon {
  /** Phrase stem sequences by first stem, longest first. */
  byFirst: Map<string, LexiconPhrase[]>;
  entries: readonly LexiconEntry[];
}

const lexiconCache = new WeakMap<readonly LexiconEntry[], CompiledLexicon>();

function compileLexicon(entries: readonly LexiconEntry[]): CompiledLexicon {
  const hit = lexiconCache.get(entries);
  if (hit) return hit;
  const byKey = new Map<string, LexiconPhrase>();
  entries.forEach((e, i) => {
    for (const phrase of [e.label, ...e.phrases]) {
      const stems = tokenize(phrase)
        .map((t) => porterStem(t.norm))
        .filter((s) => !STOP_WORDS.has(s));
      if (stems.length === 0) continue;
      const key = stems.join(' ');
      const found = byKey.get(key);
      if (!found) byKey.set(key, { stems, entries: [i], categories: [] });
      else if (!found.entries.includes(i)) found.entries.push(i);
    }
  });
  const byFirst = new Map<string, LexiconPhrase[]>();
  for (const p of byKey.values()) {
    p.categories = [...new Set(p.entries.map((e) => entries[e]!.category))];
    const list = byFirst.get(p.stems[0]!) ?? [];
    list.push(p);
    byFirst.set(p.stems[0]!, list);
  }
  for (const list of byFirst.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  const compiled = { byFirst, entries };
  lexiconCache.set(entries, compiled);
  return compiled;
}

export interface FeatureOptions {
  stance?: 'in favor of' | 'against' | undefined;
}

/**
 * What the feature walk emits, in text order; token ranges are [from, to). Training names the features
 * (`extractFeatures`); inference looks them up in a precomputed index (`feature-index.ts`) without
 * building their names.
 */
export interface FeatureSink {
  /** A content word (`w:`), and whether it sits in a negation scope (`n:` too). */
  word(stem: string, i: number, negated: boolean): void;
  /** Two consecutive content words of one clause (`b:`). */
  pair(first: string, second: string, from: number, to: number): void;
  /** An affirmed lexicon phrase: its entries (`l:`) and their categories (`g:`). */
  phrase(entries: readonly number[], categories: readonly string[], from: number, to: number): void;
  /** The argument's stance is "against" (`s:against`). */
  against(): void;
}

/** Content tokens of a text: index into `tokens` and Porter2 stem (stop words and numbers dropped). */
function contentTokens(tokens: readonly Token[]): Array<{ i: number; stem: string }> {
  const content: Array<{ i: number; stem: string }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const s = porterStem(tokens[i]!.norm);
    if (STOP_WORDS.has(tokens[i]!.norm) || STOP_WORDS.has(s) || /^\d+$/.test(s)) continue;
    content.push({ i, stem: s });
  }
  return content;
}

/** Walk a tokenised text's features into `sink` (the one definition of the features). */
export function walkFeatures(
  tokens: readonly Token[],
  lexicon: readonly LexiconEntry[],
  sink: FeatureSink,
  options: FeatureOptions = {},
): void {
  const content = contentTokens(tokens);
  for (let k = 0; k < content.length; k++) {
    const { i, stem } = content[k]!;
    sink.word(stem, i, isNegated(tokens, i));
    const next = content[k + 1];
    if (next && tokens[next.i]!.clause === tokens[i]!.clause && next.i - i <= 3) {
      sink.pair(stem, next.stem, i, next.i + 1);
    }
  }
  // Lexicon phrases over the content stems, leftmost-longest.
  const lex = compileLexicon(lexicon);
  let k = 0;
  while (k < content.length) {
    const candidates = lex.byFirst.get(content[k]!.stem);
    let matched = 0;
    if (candidates) {
      for (const c of candidates) {
        const n = c.stems.length;
        if (k + n > content.length) continue;
        let ok = true;
        for (let j = 1; j < n && ok; j++) ok = content[k + j]!.stem === c.stems[j];
        if (!ok || isNegated(tokens, content[k]!.i)) continue;
        sink.phrase(c.entries, c.categories, content[k]!.i, content[k + n - 1]!.i + 1);
        matched = n;
        break;
      }
    }
    k += Math.max(1, matched);
  }
  if (options.stance === 'against') sink.against();
}

function add(bag: Map<string, Array<[number, number]>>, name: string, from: number, to: number): void {
  const list = bag.get(name);
  if (list) list.push([from, to]);
  else bag.set(name, [[from, to]]);
}

/** The feature bag of a text. */
export function extractFeatures(
  text: string,
  lexicon: readonly LexiconEntry[],
  options: FeatureOptions = {},
): FeatureBag {
  const tokens = tokenize(text);
  const bag = new Map<string, Array<[number, number]>>();
  walkFeatures(
    tokens,
    lexicon,
    {
      word(stem, i, negated) {
        add(bag, `w:${stem}`, i, i + 1);
        if (negated) add(bag, `n:${stem}`, i, i + 1);
      },
      pair(first, second, from, to) {
        add(bag, `b:${first} ${second}`, from, to);
      },
      phrase(entries, categories, from, to) {
        for (const e of entries) add(bag, `l:${lexicon[e]!.label}`, from, to);
        for (const cat of categories) add(bag, `g:${cat}`, from, to);
      },
      against() {
        add(bag, 's:against', 0, 0);
      },
    },
    options,
  );
  return { features: bag, tokens };
}

/** A sparse, L2-normalised vector over a vocabulary: feature indices and weights, sorted by index. */
export interface SparseVector {
  index: Int32Array;
  value: Float64Array;
}

/** Vectorise a bag: 1 + ln(count), times idf, L2-normalised; features outside the vocabulary dropped. */
export function vectorize(
  bag: FeatureBag,
  vocabulary: ReadonlyMap<string, number>,
  idf: ArrayLike<number>,
): SparseVector {
  const pairs: Array<[number, number]> = [];
  for (const [name, occ] of bag.features) {
    const j = vocabulary.get(name);
    if (j === undefined) continue;
    pairs.push([j, (1 + Math.log(occ.length)) * idf[j]!]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  let norm = 0;
  for (const [, v] of pairs) norm += v * v;
  norm = Math.sqrt(norm) || 1;
  return {
    index: Int32Array.from(pairs, (p) => p[0]),
    value: Float64Array.from(pairs, (p) => p[1] / norm),
  };
}
