import { francAll } from 'franc-min';
import { describe, expect, it } from 'vitest';
import { attributeLearned, attributeText } from '../../src/attribution/index.js';
import {
  languageNote,
  nonEnglish,
  plainlyEnglish,
  withLanguageNote,
} from '../../src/attribution/language.js';
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

/** nonEnglish as franc alone decides it (what the pre-check must never contradict). */
const francSaysEnglish = (text: string) => {
  const ranked = francAll(text, { minLength: 20 });
  const top = ranked[0]![0];
  return top === 'und' || top === 'eng' || (ranked.find(([c]) => c === 'eng')?.[1] ?? 0) >= 0.8;
};

const ANSWER =
  'Stance: yes\n\n1. Helping your brother matters because family is the people we care for most, and he would do the same for you.\n2. Set clear terms so that the loan does not hurt your own security — write down what he pays back and when.\n3. Talk with him about a plan to keep his next job; “help” that hides the problem is not kindness.';
/** Other languages written without their accents (the hardest case for an ASCII check). */
const PLAIN_OTHERS = [
  'Ich finde es sehr wichtig, anderen Menschen zu helfen und fuer meine Familie da zu sein, und ich will nicht, dass mein Bruder in Not ist.',
  'Je pense qu il faut aider les autres et rester proche de sa famille, quoi qu il arrive. La securite de ma famille est la chose la plus importante.',
  'Creo que es importante ayudar a mi hermano, pero tambien tengo que pensar en mi propia seguridad y en el futuro de mi familia.',
  'Ik denk dat het belangrijk is om mijn broer te helpen, maar ik moet ook aan mijn eigen veiligheid en de toekomst van mijn gezin denken.',
  'Saya pikir penting untuk membantu saudara saya, tetapi saya juga harus memikirkan keamanan saya sendiri dan masa depan keluarga saya.',
];

describe('plainlyEnglish: English that franc is not asked about', () => {
  it('takes an English answer (typographic punctuation included) and leaves the rest to franc', () => {
    expect(plainlyEnglish(ANSWER)).toBe(true);
    expect(francSaysEnglish(ANSWER)).toBe(true);
    expect(nonEnglish(ANSWER)).toBeNull();
    for (const text of [GERMAN, FRENCH, ...PLAIN_OTHERS, ENGLISH, 'Power matters: control resources.'])
      expect(plainlyEnglish(text)).toBe(false); // another language, or too few English words to tell
    expect(plainlyEnglish(`${ANSWER} Café crème.`)).toBe(false); // a letter beyond ASCII
  });

  it('never contradicts franc: English mixed with other languages, at every share', () => {
    const english = `${ANSWER} ${ANSWER} ${ANSWER}`.split(/\s+/);
    let taken = 0;
    for (const other of [...PLAIN_OTHERS, GERMAN])
      for (let n = 0; n <= english.length; n += 4) {
        for (const text of [
          `${english.slice(0, n).join(' ')} ${other}`,
          `${other} ${english.slice(0, n).join(' ')}`,
        ]) {
          if (!plainlyEnglish(text)) continue;
          taken++;
          expect(francSaysEnglish(text), text).toBe(true);
        }
      }
    expect(taken).toBeGreaterThan(10); // the check was exercised, not vacuous
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
