/**
 * Test helpers for the attributor: the bundled graphs (from the repository's graphs/), a seeded RNG,
 * neutral filler, and texts planted with a graph's concept phrases.
 */
import { detectConcepts } from '../../src/attribution/index.js';
import { loadGraphDir, type GraphEntry } from '../../src/graphs/registry.js';

let graphs: Map<string, GraphEntry> | undefined;

export function graph(id: string): GraphEntry {
  graphs ??= loadGraphDir();
  const g = graphs.get(id);
  if (!g) throw new Error(`no bundled graph ${id}`);
  return g;
}

export { mulberry32 } from '../../src/scm/random.js';

export function shuffle<T>(xs: readonly T[], rand: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Sentences with no phrase of any bundled graph (checked by a test). 10 sentences, 100 words. */
export const FILLER = [
  'The report lists the figures for each quarter in a small table at the end.',
  'A bus leaves the station every twenty minutes on weekdays.',
  'The weather was mild and the streets were quiet that morning.',
  'She opened the window and looked at the old map on the wall.',
  'There are seven chairs around the long wooden table in the kitchen.',
  'The train to the coast takes about three hours.',
  'He wrote the numbers on a sheet of paper and put it in a drawer.',
  'The shop on the corner sells bread, milk and newspapers.',
  'Most of the rooms on the second floor face the river.',
  'The meeting starts at nine and usually ends before eleven.',
];

export function filler(sentences: number): string {
  return Array.from({ length: sentences }, (_, i) => FILLER[i % FILLER.length]).join(' ');
}

const TEMPLATES = ['This is about {p}.', 'We talk about {p} a lot.', 'Think of {p} for a moment.'];

/** A sentence carrying `phrase`. */
export function sentence(phrase: string, i: number): string {
  return TEMPLATES[i % TEMPLATES.length]!.replace('{p}', phrase);
}

/** Concept ids whose only value parent is `value`. */
export function singleParentConcepts(entry: GraphEntry, value: string): string[] {
  return entry.file.nodes
    .filter((n) => n.kind === 'concept' && n.mechanism.type === 'linear')
    .filter((n) => {
      const parents = Object.keys((n.mechanism as { coefficients: Record<string, number> }).coefficients);
      return parents.length === 1 && parents[0] === value;
    })
    .map((n) => n.id);
}

/**
 * The phrases of a concept that, put in a template sentence, are detected as that concept and nothing
 * else (so a planted text carries exactly the evidence the test means).
 */
export function cleanPhrases(entry: GraphEntry, concept: string): string[] {
  const node = entry.file.nodes.find((n) => n.id === concept)!;
  return (node.phrases ?? []).filter((p) => {
    const hits = detectConcepts(entry, sentence(p, 0)).concepts.filter((c) => c.matches > 0 || c.negated > 0);
    return hits.length === 1 && hits[0]!.concept === concept && hits[0]!.matches === 1;
  });
}

/** A text mentioning each concept `n` times (distinct phrases where the concept has them), plus filler. */
export function plantedText(
  entry: GraphEntry,
  counts: ReadonlyMap<string, number>,
  fillerSentences = 10,
): string {
  const parts: string[] = [];
  let k = 0;
  for (const [concept, n] of counts) {
    const phrases = cleanPhrases(entry, concept);
    if (phrases.length === 0) throw new Error(`concept ${concept} has no clean phrase`);
    for (let i = 0; i < n; i++) parts.push(sentence(phrases[i % phrases.length]!, k++));
  }
  const fill = FILLER.slice(0, fillerSentences);
  // Interleave filler so the phrases are spread through the text.
  const out: string[] = [];
  const step = Math.max(1, Math.ceil(parts.length / Math.max(1, fill.length)));
  for (let i = 0, f = 0; i < parts.length || f < fill.length; i += step) {
    out.push(...parts.slice(i, i + step));
    if (f < fill.length) out.push(fill[f++]!);
  }
  return out.join(' ');
}

/**
 * The text for a planted likert profile: a value at level ℓ gets (ℓ − 2)² mentions (0 for ℓ ≤ 2),
 * spread over up to ℓ − 2 of its single-parent concepts, so higher values are expressed more, through
 * more concepts and more often.
 */
export function profileText(
  entry: GraphEntry,
  profile: Readonly<Record<string, number>>,
  fillerSentences = 10,
) {
  const counts = new Map<string, number>();
  for (const [value, level] of Object.entries(profile)) {
    const k = Math.max(0, Math.round(level) - 2);
    if (k === 0) continue;
    const concepts = singleParentConcepts(entry, value).slice(0, k);
    const total = k * k;
    concepts.forEach((c, i) => {
      counts.set(c, Math.floor(total / concepts.length) + (i < total % concepts.length ? 1 : 0));
    });
  }
  return plantedText(entry, counts, fillerSentences);
}
