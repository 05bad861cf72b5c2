import { describe, expect, it } from 'vitest';
import { compileDetector, detectConcepts, type Detection } from '../../src/attribution/index.js';
import { makeEntry } from '../../src/graphs/registry.js';
import { FILLER, graph } from './helpers.js';

const s10 = graph('schwartz-10');

function hit(d: Detection, concept: string) {
  const c = d.concepts.find((x) => x.concept === concept);
  if (!c) throw new Error(`no concept ${concept}`);
  return c;
}

/** Concepts with any match (affirmed or negated). */
function found(d: Detection): string[] {
  return d.concepts.filter((c) => c.matches > 0 || c.negated > 0).map((c) => c.concept);
}

describe('phrase detector', () => {
  it('returns every concept of the graph, in graph order, and counts words', () => {
    const d = detectConcepts(s10, 'Two words');
    expect(d.words).toBe(2);
    expect(d.concepts.map((c) => c.concept)).toEqual(
      s10.file.nodes.filter((n) => n.kind === 'concept').map((n) => n.id),
    );
    expect(found(d)).toEqual([]);
  });

  it('finds nothing in the neutral filler used by the other tests (all bundled graphs)', () => {
    for (const id of ['schwartz-10', 'schwartz-19', 'mft-6']) {
      expect(found(detectConcepts(graph(id), FILLER.join(' '))), id).toEqual([]);
    }
  });

  it('is case-insensitive', () => {
    for (const t of ['creative', 'Creative', 'CREATIVE', 'CrEaTiVe']) {
      expect(hit(detectConcepts(s10, `So ${t}.`), 'be_creative').matches).toBe(1);
    }
  });

  it('matches whole words only', () => {
    // "art", "smart", "win", "rich", "power" inside longer words are not matches.
    const d = detectConcepts(
      s10,
      'Bartholomew bought a smartphone in winter; the powerless enriched nothing.',
    );
    expect(found(d)).toEqual([]);
  });

  it('folds light suffixes: plural, verb forms and derivations', () => {
    expect(hit(detectConcepts(s10, 'Her creativity shows.'), 'be_creative').matches).toBe(1);
    expect(hit(detectConcepts(s10, 'Their curiosity shows.'), 'be_curious').matches).toBe(1);
    expect(hit(detectConcepts(s10, 'Two families met.'), 'have_the_own_family_secured').matches).toBe(1);
    // Several phrases stem alike; the one closest to the words used is reported.
    expect(hit(detectConcepts(s10, 'Old traditions matter.'), 'be_respecting_traditions').phrases).toEqual([
      'traditions',
    ]);
    expect(hit(detectConcepts(s10, 'A traditional meal.'), 'be_respecting_traditions').phrases).toEqual([
      'traditional',
    ]);
    // "protect our citizens" is a phrase; "protecting our citizens" matches it.
    const d = detectConcepts(s10, 'We are protecting our citizens.');
    expect(hit(d, 'have_a_safe_country').phrases).toEqual(['protect our citizens']);
  });

  it('treats hyphens and spaces alike', () => {
    for (const t of ['open-minded', 'open minded', 'Open‐Minded']) {
      expect(hit(detectConcepts(s10, `Be ${t}.`), 'be_broadminded').matches).toBe(1);
    }
    expect(hit(detectConcepts(s10, 'She is well read.'), 'be_intellectual').phrases).toEqual(['well-read']);
  });

  it('reports character spans of the surface text, longest phrase first', () => {
    const text = 'We value Creativity, and National Security above all.';
    const d = detectConcepts(s10, text);
    const creative = hit(d, 'be_creative');
    expect(creative.spans.map(([a, b]) => text.slice(a, b))).toEqual(['Creativity']);
    const safe = hit(d, 'have_a_safe_country');
    expect(safe.spans.map(([a, b]) => text.slice(a, b))).toEqual(['National Security']);
    // "security" alone is a phrase of another concept; the longer phrase took the words.
    expect(hit(d, 'have_a_comfortable_life').matches).toBe(0);
    expect(found(d).sort()).toEqual(['be_creative', 'have_a_safe_country']);
  });

  it('counts repeated matches and keeps the phrases in order of first occurrence', () => {
    const text = 'Curious minds explore. Curiosity helps; explore more, stay curious.';
    const c = hit(detectConcepts(s10, text), 'be_curious');
    expect(c.matches).toBe(5);
    expect(c.phrases).toEqual(['curious', 'explore', 'curiosity']);
    expect(c.spans.map(([a, b]) => text.slice(a, b))).toEqual([
      'Curious',
      'explore',
      'Curiosity',
      'explore',
      'curious',
    ]);
  });

  it('does not count negated matches, and reports them apart', () => {
    const text = 'This is not about power or money. We want adventure.';
    const d = detectConcepts(s10, text);
    const influence = hit(d, 'have_influence');
    expect(influence.matches).toBe(0);
    expect(influence.negated).toBe(1);
    expect(influence.negatedSpans.map(([a, b]) => text.slice(a, b))).toEqual(['power']);
    // The negation carries through "or".
    expect(hit(d, 'have_wealth')).toMatchObject({ matches: 0, negated: 1 });
    expect(hit(d, 'have_an_exciting_life')).toMatchObject({ matches: 1, negated: 0 });
  });

  it('limits negation to a small window in the same clause', () => {
    expect(hit(detectConcepts(s10, "I don't want wealth."), 'have_wealth').negated).toBe(1);
    expect(
      hit(detectConcepts(s10, 'No wealth, but plenty of adventure.'), 'have_an_exciting_life').matches,
    ).toBe(1);
    expect(hit(detectConcepts(s10, 'Not only creative but curious.'), 'be_creative').matches).toBe(1);
    // Four tokens away: outside the window.
    expect(hit(detectConcepts(s10, 'Not in any way wealth.'), 'have_wealth').matches).toBe(1);
    // A cue inside the phrase itself ("not depend on") is part of the phrase, not a negation.
    expect(hit(detectConcepts(s10, 'They do not depend on anyone.'), 'be_independent').matches).toBe(1);
  });

  it('skips "just" and "order" as one-word phrases but keeps them in longer phrases', () => {
    expect(found(detectConcepts(s10, 'I just think in order to go in the order listed.'))).toEqual([]);
    expect(hit(detectConcepts(s10, 'Law and order.'), 'have_a_stable_society').phrases).toEqual([
      'law and order',
    ]);
    expect(hit(detectConcepts(s10, 'A just society.'), 'be_just').matches).toBe(0);
    expect(hit(detectConcepts(s10, 'Justice for all.'), 'be_just').matches).toBe(1);
  });

  it('matches labels and credits every concept that lists a shared phrase', () => {
    const entry = makeEntry({
      id: 'tiny',
      version: '1',
      nodes: [
        { id: 'v', kind: 'value', label: 'V', mechanism: { type: 'root', mean: 0, sd: 1 } },
        {
          id: 'thrill',
          kind: 'concept',
          label: 'Seek thrills',
          phrases: ['adventure'],
          mechanism: { type: 'linear', intercept: 0, coefficients: { v: 1 }, noiseSd: 1 },
        },
        {
          id: 'travel',
          kind: 'concept',
          label: 'Travel',
          phrases: ['adventure', 'journey'],
          mechanism: { type: 'linear', intercept: 0, coefficients: { v: 1 }, noiseSd: 1 },
        },
      ],
      edges: [
        ['v', 'thrill'],
        ['v', 'travel'],
      ],
    });
    const d = detectConcepts(entry, 'We seek thrills on every adventure.');
    expect(hit(d, 'thrill')).toMatchObject({ matches: 2, phrases: ['Seek thrills', 'adventure'] });
    expect(hit(d, 'travel')).toMatchObject({ matches: 1, phrases: ['adventure'] });
  });

  it('compiles once per graph version (cached by content hash)', () => {
    expect(compileDetector(s10)).toBe(compileDetector(s10));
    expect(compileDetector(graph('mft-6'))).not.toBe(compileDetector(s10));
    expect(compileDetector(s10).phraseCount).toBeGreaterThan(600);
  });

  it('detects the moral-foundations concepts too', () => {
    const d = detectConcepts(
      graph('mft-6'),
      'Betrayal of the team is disgusting; show compassion to the vulnerable.',
    );
    expect(found(d).sort()).toEqual([
      'keep_purity',
      'protect_the_vulnerable',
      'show_compassion',
      'stand_by_the_group',
    ]);
  });
});
