import { describe, expect, it } from 'vitest';
import { attributeLearned, attributeText } from '../../src/attribution/index.js';
import { languageNote, nonEnglish, withLanguageNote } from '../../src/attribution/language.js';
import { graph } from './helpers.js';

const GERMAN =
  'Ich finde es sehr wichtig, anderen Menschen zu helfen und für meine Familie da zu sein. Vergebung und Ehrlichkeit sind für mich zentral.';
const FRENCH = 'Je pense qu’il faut aider les autres et rester proche de sa famille, quoi qu’il arrive.';
const ENGLISH = 'I care about forgiving people and being helpful to my family, whatever happens.';

describe('nonEnglish', () => {
  it('names German, French and Chinese texts; not English, and not texts too short to judge', () => {
    expect(nonEnglish(GERMAN)).toEqual({ code: 'deu', name: 'German' });
    expect(nonEnglish(FRENCH)).toEqual({ code: 'fra', name: 'French' });
    expect(nonEnglish('我认为帮助别人很重要，也要照顾家人，这是我最看重的事情。')?.name).toBe('Chinese');
    expect(nonEnglish(ENGLISH)).toBeNull();
    // English jargon that franc ranks French first, English close behind: not flagged.
    expect(nonEnglish('Power matters: control resources, command people.')).toBeNull();
    expect(nonEnglish('Ja, bitte.')).toBeNull();
  });
});

describe('the language note on an embedded attribution', () => {
  const s10 = graph('schwartz-10');

  it('says a German text read by the phrase detector is not a reading of it, with the bases counted', () => {
    const a = attributeText(s10, GERMAN);
    const note = languageNote(GERMAN, a);
    expect(note).toMatch(
      /^the text looks like German \(deu\), not English: the embedded phrases detector reads English only/,
    );
    const counts = ['prior', 'absent', 'concepts'].map((b) => a.values.filter((v) => v.basis === b).length);
    expect(note).toContain(
      `of 10 values, ${counts[0]} at the population prior (basis "prior"), ${counts[1]} read as absent only because no English phrase matched (basis "absent"), ${counts[2]} from stray concept matches`,
    );
    expect(note).toContain('use detector "llm"');
    expect(withLanguageNote(GERMAN, a).notes).toEqual([note]);
  });

  it('says so for the learned detector too, and adds nothing for English', () => {
    const a = attributeLearned(s10, FRENCH);
    expect(withLanguageNote(FRENCH, a).notes?.[0]).toMatch(
      /^the text looks like French \(fra\).*learned detector/,
    );
    const en = attributeLearned(s10, ENGLISH);
    expect(withLanguageNote(ENGLISH, en)).toBe(en);
    expect(languageNote(FRENCH, { ...a, detector: 'llm' })).toBeUndefined();
  });
});
