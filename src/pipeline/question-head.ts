/**
 * The question-aware head of an alignment: the concepts chosen for the question (concepts.ts), the
 * conditioning sent to the model (conditioning.ts) and the explanation (explanation.ts). For a shared
 * (cached, frozen) profile and a plain question it depends only on the profile, the conditioning mode,
 * the question and the value detector that reads it, so the last QUESTION_HEAD_CACHE_SIZE heads are
 * kept (least recently used out): an app asking the same questions from the same profiles (a survey, a
 * persona, a batch) builds each head twice at most (it is kept from the second asking), and its
 * explanation's JSON with it (`explanationJson`).
 * A caller's conversation (the chat route, the rewrite) or a profile of its own is built every time.
 * Heads are frozen: every request that gets one shares it.
 */
import type { DetectorModel } from '../attribution/learned/artefact.js';
import { activeDetector, conceptsForQuestion, type QuestionConcepts } from './concepts.js';
import {
  buildConditioning,
  type Conditioning,
  type ConditioningMode,
  type Conversation,
} from './conditioning.js';
import { buildExplanation, shareExplanationJson, type AlignExplanation } from './explanation.js';
import { Lru } from './lru.js';
import type { CounterfactualProfile } from './profile.js';

export interface QuestionHead {
  concepts: QuestionConcepts;
  conditioning: Conditioning;
  explanation: AlignExplanation;
}

export const QUESTION_HEAD_CACHE_SIZE = 256;

const heads = new Lru<string, { detector: DetectorModel | null; head: QuestionHead }>(
  QUESTION_HEAD_CACHE_SIZE,
);
/** Keys asked once (their heads are not kept yet). */
const seen = new Lru<string, true>(4 * QUESTION_HEAD_CACHE_SIZE);
/** A number per shared profile, for the cache key (the profile itself is the key's identity). */
const profileIds = new WeakMap<CounterfactualProfile, number>();
let lastId = 0;

/** Freeze the objects a head made (what it shares with the profile is frozen already). */
function freezeDeep<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) freezeDeep(v);
  return Object.freeze(value);
}

function freezeHead(head: QuestionHead): QuestionHead {
  freezeDeep(head.concepts);
  freezeDeep(head.conditioning);
  // The explanation itself is frozen by buildExplanation; its question-aware parts are new objects.
  freezeDeep(head.explanation.concepts);
  freezeDeep(head.explanation.conditioning);
  return Object.freeze(head);
}

function buildHead(
  profile: CounterfactualProfile,
  question: string,
  mode: ConditioningMode,
  conversation: Conversation | undefined,
  detector: DetectorModel | null,
): QuestionHead {
  const concepts = conceptsForQuestion(profile.cues, question, { ...profile.limits, detector });
  const conditioning = buildConditioning(profile, question, mode, undefined, conversation, concepts);
  return { concepts, conditioning, explanation: buildExplanation(profile, conditioning, concepts) };
}

/** The head of an alignment of `question` from `profile` (cached when the profile is shared). */
export function questionHead(
  profile: CounterfactualProfile,
  question: string,
  mode: ConditioningMode,
  conversation?: Conversation,
): QuestionHead {
  const detector = activeDetector();
  if (conversation !== undefined || !Object.isFrozen(profile))
    return buildHead(profile, question, mode, conversation, detector);
  let id = profileIds.get(profile);
  if (id === undefined) profileIds.set(profile, (id = ++lastId));
  const key = `${id}\u0000${mode}\u0000${question}`;
  const hit = heads.get(key);
  if (hit && hit.detector === detector) {
    // Asked again: its explanation's JSON is worth keeping (a one-off question's is not).
    shareExplanationJson(hit.head.explanation);
    return hit.head;
  }
  // A head is kept from the second time its question is asked: a stream of one-off questions (every
  // one new) would otherwise keep 256 heads that nobody asks for again, all the GC's work.
  const head = buildHead(profile, question, mode, undefined, detector);
  if (seen.get(key) === undefined) {
    seen.set(key, true);
    return head;
  }
  return heads.set(key, { detector, head: freezeHead(head) }).head;
}

/** Forget every head (tests). */
export function clearQuestionHeads(): void {
  heads.clear();
  seen.clear();
}

/** How many heads are kept now (tests). */
export function questionHeadCount(): number {
  return heads.size;
}
