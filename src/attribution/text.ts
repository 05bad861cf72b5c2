/**
 * Text normalisation for the phrase detector (pure): word tokens with their character spans, a light
 * stemmer, clause boundaries and negation cues.
 *
 * - Tokens are runs of letters and digits (Unicode), with inner apostrophes kept ("don't"); hyphens and
 *   all other punctuation separate words, so "well-read" and "well read" are the same two tokens.
 * - Normalised form: lower case, accents dropped, curly apostrophes straightened, a possessive "'s"
 *   dropped ("family's" → "family").
 * - Stems: a deliberately light suffix stripper (one suffix at most, a minimum stem length so short
 *   words are left alone). It folds plurals and verb forms ("protect"/"protects"/"protecting"/
 *   "protected") and a few derivational families ("creative"/"creativity", "curious"/"curiosity",
 *   "responsible"/"responsibility", "secure"/"security", "kind"/"kindness", "excite"/"excitement")
 *   and keeps apart what should stay apart ("car"/"caring", "just"/"justice", "art"/"artist",
 *   "invest"/"investigate"). Text and phrases go through the same function, so only consistency matters.
 */

export interface Token {
  /** Normalised form (lower case, no accents, possessive dropped). */
  norm: string;
  stem: string;
  /** Character span in the original text, [start, end). */
  start: number;
  end: number;
  /** Clause index: increases at sentence/clause punctuation and at contrastive conjunctions. */
  clause: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
/** Punctuation between two tokens that ends a clause (a hyphen or a slash does not). */
const CLAUSE_BREAK = /[.,;:!?()[\]{}"“”«»…–—]/;
/** Words that start a new clause for the negation window ("not rich, but happy"). */
const CLAUSE_WORDS = new Set(['but', 'however', 'although', 'though', 'yet', 'whereas', 'instead']);

const stemCache = new Map<string, string>();
const STEM_CACHE_LIMIT = 50_000;

/** Lower case, accents dropped, curly apostrophe straightened, possessive "'s" dropped. */
export function normalizeWord(raw: string): string {
  let w = raw.toLowerCase();
  if (/[^ -~]/.test(w)) w = w.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  w = w.replace(/’/g, "'");
  if (w.endsWith("'s")) w = w.slice(0, -2);
  else if (w.endsWith("'")) w = w.slice(0, -1);
  return w;
}

/** Split a text into word tokens with spans, normalised forms, stems and clause indices. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let clause = 0;
  let prevEnd = 0;
  for (const m of text.matchAll(WORD)) {
    const start = m.index;
    const end = start + m[0].length;
    const norm = normalizeWord(m[0]);
    if (out.length > 0 && CLAUSE_BREAK.test(text.slice(prevEnd, start))) clause++;
    if (CLAUSE_WORDS.has(norm)) clause++;
    out.push({ norm, stem: stem(norm), start, end, clause });
    prevEnd = end;
  }
  return out;
}

interface SuffixRule {
  suffix: string;
  replace: string;
  /** Minimum length of what is left before `replace` is appended. */
  min: number;
  /** Undo a doubled final consonant ("winn" → "win") after stripping. */
  undouble?: boolean;
}

/** Checked in order; the first rule whose suffix matches (and leaves a long enough stem) applies. */
const RULES: readonly SuffixRule[] = [
  { suffix: 'ibilities', replace: 'ibl', min: 2 },
  { suffix: 'ibility', replace: 'ibl', min: 2 },
  { suffix: 'abilities', replace: 'abl', min: 2 },
  { suffix: 'ability', replace: 'abl', min: 2 },
  { suffix: 'ivities', replace: '', min: 4 },
  { suffix: 'ivity', replace: '', min: 4 },
  { suffix: 'osities', replace: '', min: 4 },
  { suffix: 'osity', replace: '', min: 4 },
  { suffix: 'ities', replace: '', min: 4 },
  { suffix: 'ity', replace: '', min: 4 },
  { suffix: 'iveness', replace: '', min: 4 },
  { suffix: 'ively', replace: '', min: 4 },
  { suffix: 'ives', replace: '', min: 4 },
  { suffix: 'ive', replace: '', min: 4 },
  { suffix: 'ousness', replace: '', min: 4 },
  { suffix: 'ously', replace: '', min: 4 },
  { suffix: 'ous', replace: '', min: 4 },
  { suffix: 'nesses', replace: '', min: 3 },
  { suffix: 'ness', replace: '', min: 3 },
  { suffix: 'ments', replace: '', min: 4 },
  { suffix: 'ment', replace: '', min: 4 },
  { suffix: 'ies', replace: 'y', min: 3 },
  { suffix: 'ied', replace: 'y', min: 3 },
  { suffix: 'ings', replace: '', min: 4, undouble: true },
  { suffix: 'ing', replace: '', min: 4, undouble: true },
  { suffix: 'ed', replace: '', min: 4, undouble: true },
  { suffix: 'sses', replace: 'ss', min: 2 },
  { suffix: 'shes', replace: 'sh', min: 2 },
  { suffix: 'ches', replace: 'ch', min: 2 },
  { suffix: 'xes', replace: 'x', min: 2 },
  { suffix: 'ly', replace: '', min: 5 },
];

/** Endings where a final "s" is not a plural ("success", "status", "analysis"). */
const KEEP_S = /(?:ss|us|is)$/;

function stripSuffix(w: string): { w: string; undouble: boolean } {
  for (const r of RULES) {
    if (w.endsWith(r.suffix) && w.length - r.suffix.length >= r.min) {
      return { w: w.slice(0, w.length - r.suffix.length) + r.replace, undouble: r.undouble === true };
    }
  }
  if (w.endsWith('s') && !KEEP_S.test(w) && w.length - 1 >= 3) return { w: w.slice(0, -1), undouble: false };
  return { w, undouble: false };
}

/** The light stem of a normalised word (see the module comment). */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  const hit = stemCache.get(word);
  if (hit !== undefined) return hit;
  const stripped = stripSuffix(word);
  let w = stripped.w;
  const undouble = stripped.undouble;
  if (undouble && w.length >= 4) {
    const a = w[w.length - 1]!;
    if (a === w[w.length - 2] && !'lsz'.includes(a) && /[b-df-hj-np-tv-z]/.test(a)) w = w.slice(0, -1);
  }
  if (w.length >= 5 && w.endsWith('e')) w = w.slice(0, -1);
  if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
  stemCache.set(word, w);
  return w;
}

const NEGATION_WORDS = new Set([
  'not',
  'no',
  'never',
  'nor',
  'neither',
  'without',
  'cannot',
  'hardly',
  'barely',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'werent',
  'shouldnt',
  'wouldnt',
  'couldnt',
  'hasnt',
  'havent',
  'hadnt',
  'mustnt',
]);

/** Words after a cue that make it not a negation ("not only", "no doubt", "no matter", "not least"). */
const NEGATION_EXCEPTIONS = new Set(['only', 'just', 'merely', 'simply', 'doubt', 'matter', 'least', 'less']);

/** Is the token at `i` a negation cue ("not", "never", "without", any "…n't")? */
export function isNegationCue(tokens: readonly Token[], i: number): boolean {
  const t = tokens[i]!.norm;
  if (!(NEGATION_WORDS.has(t) || t.endsWith("n't"))) return false;
  const next = tokens[i + 1];
  return !(next && next.clause === tokens[i]!.clause && NEGATION_EXCEPTIONS.has(next.norm));
}

/** Tokens before a phrase that a negation cue may sit in and still negate it. */
export const NEGATION_WINDOW = 3;

/**
 * Is a phrase starting at token `start` negated? True when a cue sits in the `NEGATION_WINDOW` tokens
 * before it, in the same clause ("not about power", "never really wanted wealth"; but not "not rich,
 * but powerful" for "powerful", nor "not only creative").
 */
export function isNegated(tokens: readonly Token[], start: number): boolean {
  const clause = tokens[start]!.clause;
  for (let j = start - 1; j >= 0 && j >= start - NEGATION_WINDOW; j--) {
    if (tokens[j]!.clause !== clause) return false;
    if (isNegationCue(tokens, j)) return true;
  }
  return false;
}
