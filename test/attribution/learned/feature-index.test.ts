import { describe, expect, it } from 'vitest';
import { parseDetectorArtefact, type DetectorModel } from '../../../src/attribution/learned/artefact.js';
import { indexedFeatures } from '../../../src/attribution/learned/feature-index.js';
import { extractFeatures, vectorize } from '../../../src/attribution/learned/features.js';
import { lexiconHits } from '../../../src/attribution/learned/fit.js';
import { valueDetector } from '../../../src/attribution/learned/registry.js';
import { tokenize } from '../../../src/attribution/text.js';
import { fitSynthetic } from './synthetic.js';

const TEXTS = [
  'We must protect the environment and protect the environment again; nature matters.',
  'Honesty is not important to me, but I never lie when it helps my family.',
  'Not rich, but well-read: never about power or money. Café naïve résumé in 1999.',
  'A fearless brave hero, not a brave coward; the thrifty saver saves.',
  'Equality, freedom of speech, law and order, respect for tradition and for elders.',
  '',
  'the a an of',
];

/** The training-side features of a text, as the inference side reports them. */
function reference(model: DetectorModel, text: string, stance?: 'against') {
  const bag = extractFeatures(text, model.lexicon, { stance });
  const x = vectorize(bag, model.vocabulary, model.idf);
  const byIndex = new Map<number, Array<[number, number]>>();
  for (const [name, occ] of bag.features) {
    const j = model.vocabulary.get(name);
    if (j !== undefined) byIndex.set(j, occ);
  }
  return {
    index: [...x.index],
    value: [...x.value],
    occurrences: [...x.index].map((j) => byIndex.get(j)),
    hits: [...lexiconHits(bag.features, model.labels)],
  };
}

describe('the inference feature index equals the training features', () => {
  const models: Array<[string, DetectorModel]> = [
    ['the bundled artefact', valueDetector()],
    ['a synthetic model', parseDetectorArtefact(fitSynthetic().artefact)],
  ];
  for (const [name, model] of models) {
    it(`${name}: same vector (bit for bit), occurrences and lexicon hits, twice in a row`, () => {
      for (const text of TEXTS) {
        for (const stance of [undefined, 'against'] as const) {
          const want = reference(model, text, stance);
          // Twice: the scratch arrays are reset after each text.
          for (let round = 0; round < 2; round++) {
            const got = indexedFeatures(model, tokenize(text), { stance });
            expect([...got.x.index]).toEqual(want.index);
            expect([...got.x.value]).toEqual(want.value);
            expect(got.occurrences).toEqual(want.occurrences);
            expect([...got.hits]).toEqual(want.hits);
          }
        }
      }
      // Not vacuous: the texts hit words, pairs, negated words and lexicon phrases of the model.
      const all = TEXTS.flatMap((t) => [...indexedFeatures(model, tokenize(t)).x.index]);
      const names = new Set([...model.vocabulary].filter(([, j]) => all.includes(j)).map(([n]) => n[0]));
      expect(names.has('w')).toBe(true);
      expect(names.has('l')).toBe(true);
    });
  }
});
