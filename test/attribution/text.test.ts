import { describe, expect, it } from 'vitest';
import { isNegated, stem, tokenize } from '../../src/attribution/index.js';

describe('tokenize', () => {
  it('splits on punctuation and hyphens, keeps inner apostrophes, and reports exact spans', () => {
    const text = "Don't stop—Open-Minded people’s CREATIVITY, café!";
    const tokens = tokenize(text);
    expect(tokens.map((t) => t.norm)).toEqual([
      "don't",
      'stop',
      'open',
      'minded',
      'people',
      'creativity',
      'cafe',
    ]);
    expect(tokens.map((t) => text.slice(t.start, t.end))).toEqual([
      "Don't",
      'stop',
      'Open',
      'Minded',
      'people’s',
      'CREATIVITY',
      'café',
    ]);
  });

  it('starts a new clause at clause punctuation and at contrastive conjunctions, not at hyphens', () => {
    const clauses = tokenize('not rich, but well-read; calm').map((t) => t.clause);
    // not rich | , | but well read | ; | calm
    expect(clauses).toEqual([0, 0, 2, 2, 2, 3]);
  });
});

describe('stem', () => {
  const same = [
    ['creative', 'creativity', 'creatively', 'create', 'created'],
    ['protect', 'protects', 'protecting', 'protected'],
    ['curious', 'curiosity'],
    ['excite', 'exciting', 'excited', 'excitement'],
    ['family', 'families'],
    ['tradition', 'traditions'],
    ['responsible', 'responsibility'],
    ['stable', 'stability'],
    ['secure', 'security'],
    ['diverse', 'diversity'],
    ['kind', 'kindness'],
    ['polite', 'politely'],
    ['achieve', 'achieving', 'achievement', 'achievements'],
    ['win', 'wins', 'winning'],
    ['rule', 'rules'],
    ['wish', 'wishes'],
  ];
  it.each(same)('folds %s and its forms to one stem', (...words) => {
    expect(new Set(words.map(stem)).size).toBe(1);
  });

  const different = [
    ['car', 'caring'],
    ['just', 'justice'],
    ['art', 'artist'],
    ['invest', 'investigate'],
    ['power', 'powerless'],
    ['win', 'winter'],
    ['smart', 'smartphone'],
    ['family', 'fame'],
  ];
  it.each(different)('keeps %s and %s apart', (a, b) => {
    expect(stem(a!)).not.toBe(stem(b!));
  });

  it('leaves short words and non-plural -s endings alone', () => {
    for (const w of ['is', 'us', 'yes', 'status', 'success', 'analysis']) expect(stem(w)).toBe(w);
  });
});

describe('isNegated', () => {
  const negatedAt = (text: string, word: string) => {
    const tokens = tokenize(text);
    const i = tokens.findIndex((t) => t.norm === word);
    if (i < 0) throw new Error(`no ${word} in ${text}`);
    return isNegated(tokens, i);
  };

  it('sees a cue up to three tokens before, in the same clause', () => {
    expect(negatedAt('This is not about power.', 'power')).toBe(true);
    expect(negatedAt('I never really wanted wealth.', 'wealth')).toBe(true);
    expect(negatedAt("We don't need money.", 'money')).toBe(true);
    expect(negatedAt('We dont need money.', 'money')).toBe(true);
    expect(negatedAt('A life without adventure.', 'adventure')).toBe(true);
    expect(negatedAt('This is about power.', 'power')).toBe(false);
  });

  it('stops at the window, at clause punctuation and at "but"', () => {
    expect(negatedAt('It is not in any way related to power.', 'power')).toBe(false);
    expect(negatedAt('No money, power matters.', 'power')).toBe(false);
    expect(negatedAt('Not rich but powerful.', 'powerful')).toBe(false);
  });

  it('ignores cues that do not negate ("not only", "no doubt", "no matter")', () => {
    expect(negatedAt('It is not only creative but kind.', 'creative')).toBe(false);
    expect(negatedAt('There is no doubt curiosity helps.', 'curiosity')).toBe(false);
    expect(negatedAt('No matter what, honesty wins.', 'honesty')).toBe(false);
  });
});
