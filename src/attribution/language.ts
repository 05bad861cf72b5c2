/**
 * The embedded detectors (`learned`, `phrases`) read English: their features and phrases are English
 * words. A text in another language gets a profile anyway (the population prior where nothing matched,
 * absence readings where a long text matched no phrase, a few stray concept hits), which is not a
 * reading of the text. This module says so: it recognises the language with franc-min (trigram
 * profiles of the ~80 most spoken languages) and words a note for the response's `notes`.
 */
import { francAll } from 'franc-min';
import type { Attribution } from './attribute.js';

/** Shorter texts are not judged (franc is unreliable on a few words). */
const MIN_LENGTH = 20;
/**
 * English must score below this fraction of the best language's score: short English with names or
 * jargon ("Power matters: control resources") can rank French first with English close behind.
 */
const ENGLISH_MARGIN = 0.8;

const names = new Intl.DisplayNames(['en'], { type: 'language' });

/**
 * Common English words that are not words of the other Latin-script languages franc-min knows (no
 * "in", "is", "to", "on", "i", "a", "die", "will", "also", "are", "most"…).
 */
const ENGLISH_WORDS = new Set(
  'the and of that with for this what should would could they their them you your not but have has had from which about because who when there been were than into very how its it we our she her him his if one just like get know think people really only some any out up did does doing don didn doesn isn wasn'.split(
    ' ',
  ),
);
/** The plainly English text: ASCII letters only, at least this many such words… */
const PLAIN_MIN_WORDS = 6;
/** …making at least this share of its words. */
const PLAIN_MIN_SHARE = 0.3;
/** Anything but ASCII and typographic punctuation (curly quotes, dashes, ellipsis, no-break space). */
const NON_ASCII = /[^\t\n\r\x20-\x7e\u00a0\u2013\u2014\u2018\u2019\u201c\u201d\u2026]/;
const WORD = /[a-z]+/g;

/**
 * Plainly English (what the service writes, and most of what it reads): ASCII letters, at least
 * PLAIN_MIN_WORDS of the words above making at least PLAIN_MIN_SHARE of all words. franc is not asked
 * about such a text: it would find English. Checked against franc on 4,569 English texts (Webis-ArgValues
 * train-validation arguments, Value Portrait dev responses: the check took 2,248, franc found English
 * in every one) and on English mixed with 16 other languages at growing shares (332 taken, none that
 * franc calls another language); test/attribution/language.test.ts repeats the mixtures.
 */
export function plainlyEnglish(text: string): boolean {
  if (NON_ASCII.test(text)) return false;
  let words = 0;
  let english = 0;
  for (const w of text.toLowerCase().match(WORD) ?? []) {
    words++;
    if (ENGLISH_WORDS.has(w)) english++;
  }
  return english >= PLAIN_MIN_WORDS && english >= PLAIN_MIN_SHARE * words;
}

/** The text's language when it is confidently not English: its ISO 639-3 code and English name. */
export function nonEnglish(text: string): { code: string; name: string } | null {
  if (text.length < MIN_LENGTH || plainlyEnglish(text)) return null;
  const ranked = francAll(text, { minLength: MIN_LENGTH });
  const [top] = ranked[0] ?? ['und'];
  if (top === 'und' || top === 'eng') return null;
  const english = ranked.find(([code]) => code === 'eng')?.[1] ?? 0;
  if (english >= ENGLISH_MARGIN) return null;
  let name = top;
  try {
    name = names.of(top) ?? top;
  } catch {
    // a code ICU does not know: keep the code
  }
  return { code: top, name };
}

/**
 * A note when an embedded detector read a non-English text (`what` names the text: "the text",
 * "the answer", "factual.response"); undefined for English, short texts and the `llm` detector.
 */
export function languageNote(text: string, a: Attribution, what = 'the text'): string | undefined {
  if (a.detector === 'llm') return undefined;
  const lang = nonEnglish(text);
  if (!lang) return undefined;
  const count = (basis: string) => a.values.filter((v) => v.basis === basis).length;
  const parts = [
    `${count('prior')} at the population prior (basis "prior")`,
    `${count('absent')} read as absent only because no English phrase matched (basis "absent")`,
    `${count('concepts')} from stray concept matches (basis "concepts")`,
  ];
  return `${what} looks like ${lang.name} (${lang.code}), not English: the embedded ${a.detector} detector reads English only, so this profile is not a reading of it: of ${a.values.length} values, ${parts.join(', ')}; give an English text or use detector "llm"`;
}

/** The attribution with `notes` holding the language note, when there is one. */
export function withLanguageNote<A extends Attribution>(text: string, a: A): A & { notes?: string[] } {
  const note = languageNote(text, a);
  return note ? { ...a, notes: [note] } : a;
}
