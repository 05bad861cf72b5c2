/**
 * Contra cues (pure; no I/O): wording that puts an action *against* a behaviour concept ("drink it all
 * without asking" goes against being just; "stay in bed all day" against an exciting life). The learned
 * detector was trained on arguments and reads what a text is about, not whether an action honours or
 * breaks a value, so an action's negative relevance comes from these cues (and from a concept's own
 * phrases negated in the action: "don't help" — see relevance.ts).
 *
 * The cues are keyed by the Touché23 level-1 value (the learned detector's labels), so they serve every
 * graph whose concepts are those labels (schwartz-10, schwartz-19, valuepilot-6) or map to them (mft-6,
 * through the detector's MFT map). Written for pluralign; matched on Porter2 word stems, contiguous, so
 * "asked"/"asking" match "ask" and "without asking" needs both words in order.
 */
import { porterStem } from '../attribution/learned/features.js';
import { tokenize } from '../attribution/text.js';

export const CONTRA_CUES: Readonly<Record<string, readonly string[]>> = {
  // Fairness
  'Be just': [
    'without asking',
    'take it all',
    'keep it all',
    'all to yourself',
    'all to myself',
    'all for yourself',
    'cut in line',
    'jump the queue',
    'cheat',
    'steal',
    'take the credit',
    'blame someone else',
    'unfair',
    'the bigger share',
    'the bigger piece',
    'the biggest',
    'grab',
    'hog',
    'sneak',
  ],
  'Have equality': [
    'take it all',
    'keep it all',
    'all to yourself',
    'more than your share',
    'only for yourself',
    'exclude',
    'leave them out',
    'the bigger share',
    'the biggest',
  ],
  'Be honest': [
    'lie',
    'pretend',
    'make up an excuse',
    'deceive',
    'secretly',
    'in secret',
    'cover up',
    'fake',
    'without telling',
    'keep it quiet',
  ],
  'Be responsible': [
    'procrastinate',
    'put it off',
    'leave it for later',
    'leave the mess',
    'let someone else',
    'skip work',
    'skip class',
    'forget about it',
  ],
  'Have the wisdom to accept others': ['mock', 'make fun of', 'gossip', 'judge them'],
  // Intimacy
  'Be loving': [
    'alone',
    'by yourself',
    'on your own',
    'break up',
    'cold shoulder',
    'stay away',
    'yell at',
    'shout at',
  ],
  'Have a sense of belonging': [
    'alone',
    'by yourself',
    'on your own',
    'leave the group',
    'skip the party',
    'decline the invitation',
    'isolate',
  ],
  'Have loyalty towards friends': [
    'bail on',
    'cancel on',
    'betray',
    'abandon',
    'gossip about',
    'leave your friend',
  ],
  'Be helpful': [
    'refuse to help',
    'walk away',
    'look away',
    'pretend not to see',
    'let them struggle',
    'ignore them',
  ],
  'Be forgiving': ['hold a grudge', 'revenge', 'get back at', 'retaliate', 'never speak to'],
  // Safety
  'Have good health': [
    'drunk',
    'binge',
    'junk food',
    'skip sleep',
    'all-nighter',
    'stay up all night',
    'smoke',
    'overeat',
    'without a helmet',
    'get hurt',
  ],
  'Have a safe country': ['reckless', 'dangerous', 'risky', 'take the risk', 'gamble', 'speeding'],
  'Have a stable society': ['reckless', 'chaos', 'riot'],
  'Have no debts': [
    'borrow',
    'loan',
    'credit card',
    'splurge',
    'spend all',
    'in debt',
    'gamble',
    'expensive',
  ],
  'Be compliant': [
    'break the rules',
    'ignore the rules',
    'trespass',
    'sneak in',
    'without permission',
    'illegal',
  ],
  // Curiosity
  'Be curious': ['stick to what you know', 'the usual', 'same as always', 'never try', 'not bother'],
  'Have a varied life': ['the usual', 'same as always', 'same routine', 'as usual', 'every day the same'],
  'Be creative': ['copy', 'by the book'],
  'Be intellectual': ['mindless', 'scroll'],
  // Energy
  'Have an exciting life': [
    'stay home',
    'stay in',
    'stay in bed',
    'sleep in',
    'nap',
    'lie down',
    'couch',
    'sofa',
    'take it easy',
    'do nothing',
    'binge-watch',
    'watch tv',
  ],
  'Be daring': ['play it safe', 'give up', 'back out'],
  'Be ambitious': ['give up', 'quit', 'lazy', 'settle for'],
  'Be courageous': ['run away', 'chicken out', 'back out'],
  // Happiness
  'Have pleasure': ['boring', 'chore', 'suffer', 'force yourself', 'miss out', 'endure'],
  'Have a comfortable life': ['uncomfortable', 'hardship', 'cold shower', 'sleep on the floor'],
};

interface CompiledCue {
  stems: string[];
  phrase: string;
}

let compiled: Map<string, CompiledCue[]> | undefined;

function cues(): Map<string, CompiledCue[]> {
  if (compiled) return compiled;
  compiled = new Map();
  for (const [label, phrases] of Object.entries(CONTRA_CUES)) {
    compiled.set(
      label,
      phrases.map((phrase) => ({ phrase, stems: tokenize(phrase).map((t) => porterStem(t.norm)) })),
    );
  }
  return compiled;
}

/** A contra cue found in a text: the phrase and its character span. */
export interface ContraHit {
  phrase: string;
  start: number;
  end: number;
}

/** The contra cues of each Touché label found in `text` (labels without a hit are left out). */
export function contraCues(text: string, labels: Iterable<string>): Map<string, ContraHit[]> {
  const tokens = tokenize(text);
  const stems = tokens.map((t) => porterStem(t.norm));
  const out = new Map<string, ContraHit[]>();
  const table = cues();
  for (const label of labels) {
    const list = table.get(label);
    if (!list) continue;
    for (const cue of list) {
      const len = cue.stems.length;
      if (len === 0) continue;
      for (let i = 0; i + len <= stems.length; i++) {
        let ok = true;
        for (let k = 0; k < len && ok; k++) ok = stems[i + k] === cue.stems[k];
        if (!ok) continue;
        const hits = out.get(label) ?? [];
        hits.push({ phrase: cue.phrase, start: tokens[i]!.start, end: tokens[i + len - 1]!.end });
        out.set(label, hits);
        break;
      }
    }
  }
  return out;
}
