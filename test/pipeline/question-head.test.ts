/**
 * questionHead: the concepts, conditioning and explanation of a question from a shared profile are
 * cached from the second time it is asked (QUESTION_HEAD_CACHE_SIZE heads at most) and are exactly
 * what an uncached build gives; a one-off question, a conversation, or a profile of the caller's own is
 * not kept.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { loadGraphDir } from '../../src/graphs/registry.js';
import { conceptsForQuestion } from '../../src/pipeline/concepts.js';
import { buildConditioning } from '../../src/pipeline/conditioning.js';
import { buildExplanation, explanationJson } from '../../src/pipeline/explanation.js';
import { cachedProfile, computeProfile } from '../../src/pipeline/profile.js';
import {
  clearQuestionHeads,
  QUESTION_HEAD_CACHE_SIZE,
  questionHead,
  questionHeadCount,
} from '../../src/pipeline/question-head.js';
import { toCentered } from '../../src/values/index.js';

const entry = loadGraphDir().get('schwartz-10')!;
// benevolence 5, security 4, stimulation 1 from an all-neutral responder (centered scores).
const target = toCentered({ format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1 } });
const factual = { power: 0.5, universalism: -0.3 };
const shared = cachedProfile(entry, { factual, target });
const question = 'Should I lend money to my brother who keeps losing his jobs?';

/** The head built from scratch, as the pipeline built it before the cache. */
function uncached(q: string, mode: 'scm' | 'value-prompt' | 'none' = 'scm') {
  const own = computeProfile(entry, { factual, target }); // not frozen: never cached
  const concepts = conceptsForQuestion(own.cues, q, own.limits);
  const conditioning = buildConditioning(own, q, mode, undefined, undefined, concepts);
  return { concepts, conditioning, explanation: buildExplanation(own, conditioning, concepts) };
}

beforeEach(() => clearQuestionHeads());

describe('questionHead', () => {
  it('gives the same head cached as uncached, and its explanation the same JSON', () => {
    const fresh = uncached(question);
    const once = questionHead(shared, question, 'scm'); // asked once: built, not kept
    expect(questionHeadCount()).toBe(0);
    const first = questionHead(shared, question, 'scm'); // asked again: kept
    const again = questionHead(shared, question, 'scm');
    expect(again).toBe(first); // served from the cache
    expect(JSON.stringify(once)).toBe(JSON.stringify(fresh));
    expect(JSON.stringify(first)).toBe(JSON.stringify(fresh));
    expect(first.conditioning.messages[1]!.content).toContain('lend money to my brother');
    // First serialization, then the kept one (the head was asked again): both JSON.stringify's text.
    expect(explanationJson(first.explanation)).toBe(JSON.stringify(fresh.explanation));
    expect(explanationJson(again.explanation)).toBe(JSON.stringify(fresh.explanation));
    for (const mode of ['value-prompt', 'none'] as const)
      expect(JSON.stringify(questionHead(shared, question, mode))).toBe(
        JSON.stringify(uncached(question, mode)),
      );
  });

  it('keys on the question and the mode', () => {
    questionHead(shared, question, 'scm');
    const a = questionHead(shared, question, 'scm');
    const b = questionHead(shared, 'How should cities reduce traffic?', 'scm');
    expect(b).not.toBe(a);
    expect(b.conditioning.messages[1]!.content).toContain('reduce traffic');
    expect(questionHead(shared, question, 'value-prompt')).not.toBe(a);
  });

  it('is frozen: a request cannot change what the next one gets', () => {
    questionHead(shared, question, 'scm');
    const head = questionHead(shared, question, 'scm');
    expect(Object.isFrozen(head.conditioning.messages)).toBe(true);
    expect(Object.isFrozen(head.conditioning.messages[0])).toBe(true);
    expect(Object.isFrozen(head.concepts.express)).toBe(true);
    expect(Object.isFrozen(head.explanation.concepts.express[0])).toBe(true);
    expect(() => {
      (head.conditioning.messages as Array<{ content: string }>)[0]!.content = 'changed';
    }).toThrow(TypeError);
  });

  it(`keeps at most ${QUESTION_HEAD_CACHE_SIZE} heads, the least recently used out`, () => {
    const q = (i: number) => `Question ${i}: should I take the job abroad?`;
    const twice = (i: number) => (questionHead(shared, q(i), 'scm'), questionHead(shared, q(i), 'scm'));
    const first = twice(0);
    for (let i = 1; i < QUESTION_HEAD_CACHE_SIZE; i++) twice(i);
    expect(questionHeadCount()).toBe(QUESTION_HEAD_CACHE_SIZE);
    expect(questionHead(shared, q(0), 'scm')).toBe(first); // still there, now the most recent
    twice(QUESTION_HEAD_CACHE_SIZE); // q(1) goes
    expect(questionHeadCount()).toBe(QUESTION_HEAD_CACHE_SIZE);
    expect(questionHead(shared, q(0), 'scm')).toBe(first);
    const rebuilt = questionHead(shared, q(1), 'scm');
    expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(uncached(q(1))));
    expect(questionHeadCount()).toBe(QUESTION_HEAD_CACHE_SIZE);
  });

  it('keeps nothing for questions asked once', () => {
    for (let i = 0; i < 50; i++) questionHead(shared, `One-off question ${i}?`, 'scm');
    expect(questionHeadCount()).toBe(0);
  });

  it('builds a conversation, or an unshared profile, every time', () => {
    const conversation = {
      system: ['Answer in French.'],
      turns: [{ role: 'user' as const, content: question }],
    };
    const a = questionHead(shared, question, 'scm', conversation);
    const b = questionHead(shared, question, 'scm', conversation);
    expect(b).not.toBe(a);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.conditioning.messages[0]!.content).toContain('Answer in French.');
    const own = computeProfile(entry, { factual, target });
    expect(questionHead(own, question, 'scm')).not.toBe(questionHead(own, question, 'scm'));
    expect(questionHeadCount()).toBe(0);
  });
});
