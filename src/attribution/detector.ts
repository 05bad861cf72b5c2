/**
 * The embedded concept detector: finds a graph's concept phrases in a text (pure; no I/O).
 *
 * Compiled once per graph version (cached by the graph's content hash): every concept's `phrases` and
 * its `label` are tokenised and stemmed like text (text.ts) and indexed by their first stem. Matching
 * walks the text's tokens once, leftmost-longest and non-overlapping: at each token the longest phrase
 * starting there wins ("take care of yourself" beats "take care of"), and a phrase shared by several
 * concepts credits all of them. So matching is case-insensitive, word-boundary exact (whole tokens
 * only) and folds punctuation, hyphens and light suffixes.
 *
 * Negation: a match with a negation cue ("not", "no", "never", "without", "…n't") in the three tokens
 * before it, in the same clause, is *negated*: it is reported (`negated`, `negatedSpans`) but is not
 * evidence that the concept is present ("this is not about power"). It is not read as the opposite
 * either: many phrases name the problem a value is about ("unfair", "lie", "betray", "bored"), and
 * "never lie" or "it is not fair" express the value. Only the LLM detector reports contradiction.
 *
 * A negated match passes its negation on through a coordination: in "not about power or money" both
 * "power" and "money" are negated (a match right after a negated one, with only "or" / "nor" / "and"
 * between them).
 *
 * Ambiguous words: a one-word phrase is skipped when the word in the text is one of `SKIPPED_WORDS`,
 * common function words in ordinary English ("just", mostly the adverb; "order", mostly a sequence or
 * a purchase). Multi-word phrases with them ("law and order", "social order") still count.
 */
import type { GraphEntry } from '../graphs/registry.js';
import { isNegated, tokenize, type Token } from './text.js';

export interface DetectedConcept {
  concept: string;
  /** Affirmed (not negated) matches. */
  matches: number;
  /** Negated matches (not evidence). */
  negated: number;
  /** The graph's phrases that matched (affirmed), in order of first occurrence, without duplicates. */
  phrases: string[];
  /** Character spans [start, end) of the affirmed matches in the original text. */
  spans: Array<[number, number]>;
  negatedSpans: Array<[number, number]>;
}

export interface Detection {
  /** Word tokens in the text. */
  words: number;
  /** One entry per concept node of the graph, in graph order. */
  concepts: DetectedConcept[];
}

interface PhraseEntry {
  stems: string[];
  /** The phrases as written in the graph that stem alike ("kindness", "kind"), with their word forms. */
  variants: Array<{ phrase: string; words: string }>;
  /** Indices into `concepts` of every concept that lists it. */
  concepts: number[];
}

export interface CompiledDetector {
  hash: string;
  concepts: string[];
  /** Phrases by first stem, longest first. */
  index: Map<string, PhraseEntry[]>;
  phraseCount: number;
}

/** Words that never count as a one-word phrase match (mostly function words in running text). */
export const SKIPPED_WORDS: ReadonlySet<string> = new Set(['just', 'order']);

/** Words through which a negated match negates the next one ("not power or money"). */
const COORDINATORS = new Set(['or', 'nor', 'and']);

function skipMatch(entry: PhraseEntry, tokens: readonly Token[], i: number): boolean {
  return entry.stems.length === 1 && SKIPPED_WORDS.has(tokens[i]!.norm);
}

/** Is `tokens[from..to)` empty or only coordinators, all in one clause with `tokens[to]`? */
function onlyCoordinators(tokens: readonly Token[], from: number, to: number): boolean {
  if (to - from > 2) return false;
  for (let k = from; k < to; k++) {
    if (!COORDINATORS.has(tokens[k]!.norm) || tokens[k]!.clause !== tokens[to]!.clause) return false;
  }
  return tokens[from - 1]?.clause === tokens[to]!.clause;
}

const cache = new Map<string, CompiledDetector>();
const CACHE_LIMIT = 32;

/** Compile (or fetch from the cache) the phrase index of a graph. */
export function compileDetector(entry: Pick<GraphEntry, 'hash' | 'file'>): CompiledDetector {
  const hit = cache.get(entry.hash);
  if (hit) return hit;
  const conceptNodes = entry.file.nodes.filter((n) => n.kind === 'concept');
  const byKey = new Map<string, PhraseEntry>();
  conceptNodes.forEach((node, ci) => {
    for (const phrase of [...(node.phrases ?? []), node.label]) {
      const tokens = tokenize(phrase);
      if (tokens.length === 0) continue;
      const stems = tokens.map((t) => t.stem);
      const words = tokens.map((t) => t.norm).join(' ');
      const key = stems.join(' ');
      const found = byKey.get(key);
      if (!found) byKey.set(key, { stems, variants: [{ phrase, words }], concepts: [ci] });
      else {
        if (!found.concepts.includes(ci)) found.concepts.push(ci);
        if (!found.variants.some((v) => v.words === words)) found.variants.push({ phrase, words });
      }
    }
  });
  const index = new Map<string, PhraseEntry[]>();
  for (const e of byKey.values()) {
    const list = index.get(e.stems[0]!);
    if (list) list.push(e);
    else index.set(e.stems[0]!, [e]);
  }
  for (const list of index.values()) list.sort((a, b) => b.stems.length - a.stems.length);
  const compiled: CompiledDetector = {
    hash: entry.hash,
    concepts: conceptNodes.map((n) => n.id),
    index,
    phraseCount: byKey.size,
  };
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
  cache.set(entry.hash, compiled);
  return compiled;
}

/** Find the graph's concept phrases in `text` (`tokens`: its `tokenize`, when the caller has it). */
export function detectConcepts(
  entry: Pick<GraphEntry, 'hash' | 'file'>,
  text: string,
  tokens: readonly Token[] = tokenize(text),
): Detection {
  const det = compileDetector(entry);
  const out: DetectedConcept[] = det.concepts.map((concept) => ({
    concept,
    matches: 0,
    negated: 0,
    phrases: [],
    spans: [],
    negatedSpans: [],
  }));
  const n = tokens.length;
  /** Token index just past the last negated match (-1: none). */
  let negatedEnd = -1;
  let i = 0;
  while (i < n) {
    const candidates = det.index.get(tokens[i]!.stem);
    let match: PhraseEntry | undefined;
    if (candidates) {
      for (const c of candidates) {
        const len = c.stems.length;
        if (i + len > n) continue;
        let ok = true;
        for (let k = 1; k < len; k++) {
          if (tokens[i + k]!.stem !== c.stems[k]) {
            ok = false;
            break;
          }
        }
        if (ok && !skipMatch(c, tokens, i)) {
          match = c;
          break;
        }
      }
    }
    if (!match) {
      i++;
      continue;
    }
    const len = match.stems.length;
    const span: [number, number] = [tokens[i]!.start, tokens[i + len - 1]!.end];
    // Report the graph's phrase closest to the words used ("kind", not "kindness", for "kind").
    let phrase = match.variants[0]!.phrase;
    if (match.variants.length > 1) {
      const used = tokens
        .slice(i, i + len)
        .map((t) => t.norm)
        .join(' ');
      phrase = (match.variants.find((v) => v.words === used) ?? match.variants[0]!).phrase;
    }
    const negated =
      isNegated(tokens, i) || (negatedEnd > 0 && i >= negatedEnd && onlyCoordinators(tokens, negatedEnd, i));
    if (negated) negatedEnd = i + len;
    for (const ci of match.concepts) {
      const hit = out[ci]!;
      if (negated) {
        hit.negated++;
        hit.negatedSpans.push(span);
      } else {
        hit.matches++;
        hit.spans.push(span);
        if (!hit.phrases.includes(phrase)) hit.phrases.push(phrase);
      }
    }
    i += len;
  }
  return { words: n, concepts: out };
}
