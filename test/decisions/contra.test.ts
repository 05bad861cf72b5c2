/** Contra cues (src/decisions/contra.ts): stem matching, contiguous, per Touché label. */
import { describe, expect, it } from 'vitest';
import { contraCues } from '../../src/decisions/contra.js';

describe('contraCues', () => {
  it('finds "without asking" against being just, with its span', () => {
    const text = 'Drink it all without asking';
    const hits = contraCues(text, ['Be just', 'Be curious']);
    expect([...hits.keys()]).toEqual(['Be just']);
    const h = hits.get('Be just')!.find((x) => x.phrase === 'without asking')!;
    expect(text.slice(h.start, h.end)).toBe('without asking');
  });
  it('matches inflected forms through stems, and needs the words in order', () => {
    expect(contraCues('He lied and cheated at cards', ['Be honest', 'Be just']).size).toBe(2);
    expect(contraCues('asking without', ['Be just']).size).toBe(0);
  });
  it('reports nothing for labels it has no cues for, or a neutral action', () => {
    expect(contraCues('Share it equally', ['Be just', 'Have equality']).size).toBe(0);
    expect(contraCues('Stay in bed', ['Unknown label']).size).toBe(0);
  });
});
