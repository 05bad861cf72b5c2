/**
 * Small synthetic training data the learned-detector tests make themselves (no shared data): three
 * values in two categories, each signalled by its own words, on twelve "conclusions" (CV groups).
 */
import {
  fitDetector,
  type FitInput,
  type LabelSpec,
  type TrainingExample,
} from '../../../src/attribution/learned/fit.js';
import { seededRandom } from '../../../src/attribution/learned/train.js';

export const LABELS: LabelSpec[] = [
  { name: 'Be brave', level: 'value', category: 'Courage' },
  { name: 'Be bold', level: 'value', category: 'Courage' },
  { name: 'Be thrifty', level: 'value', category: 'Prudence' },
  { name: 'Courage', level: 'category' },
  { name: 'Prudence', level: 'category' },
];

const SIGNALS: Record<string, string[]> = {
  'Be brave': ['fearless', 'hero', 'brave'],
  'Be bold': ['daring', 'audacious', 'venture'],
  'Be thrifty': ['savings', 'frugal', 'budget'],
};
const FILLER = [
  'policy',
  'people',
  'city',
  'rules',
  'today',
  'market',
  'school',
  'weather',
  'plan',
  'debate',
  'law',
  'idea',
];

/** `n` examples: each has 0–2 values, signalled by one of their words among filler words. */
export function syntheticExamples(n: number, seed = 7): TrainingExample[] {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  const out: TrainingExample[] = [];
  for (let i = 0; i < n; i++) {
    const values = LABELS.filter((l) => l.level === 'value' && random() < 0.3).map((l) => l.name);
    const words = Array.from({ length: 8 }, () => pick(FILLER));
    for (const v of values) words.splice(Math.floor(random() * words.length), 0, pick(SIGNALS[v]!));
    const categories = [...new Set(values.map((v) => LABELS.find((l) => l.name === v)!.category!))];
    out.push({ text: `${words.join(' ')}.`, group: `topic ${i % 12}`, labels: [...values, ...categories] });
  }
  return out;
}

export const LEXICON = [{ label: 'Be brave', category: 'Courage', phrases: ['courage', 'brave'] }];

export const PROVENANCE = {
  data: 'synthetic (test)',
  licence: 'MIT',
  citation: 'none',
  dataSha256: '0'.repeat(64),
  trainedBy: 'test',
};

export function fitSynthetic(overrides: Partial<FitInput> = {}) {
  return fitDetector({
    train: syntheticExamples(240),
    heldOut: syntheticExamples(60, 99),
    labels: LABELS,
    lexicon: LEXICON,
    provenance: PROVENANCE,
    version: '0.0.1',
    ...overrides,
  });
}
