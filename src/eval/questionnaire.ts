/**
 * The persona-questionnaire protocol (values.md §3.1, Value Portrait / PVQ style): the steered persona
 * rates portrait items ("how much is this person like you", 1 = not like me at all … 6 = very much
 * like me); the ratings are scored per value and MRAT-centered with the item key
 * (`scoreQuestionnaire`), and the centered scores, on COUPLE's 1–5 scale, are compared with the target
 * on its set dimensions (MAE, Spearman ρ).
 *
 * Two respondents:
 * - a language model (`respondent: 'model'`): the method's conditioning (the same system turn the
 *   answers get, its answer-format line replaced by the rating instructions) and the items in the
 *   delimited user turn, in a seeded random order, `batch` items per call, JSON-schema output
 *   `{ item id: rating }`; a reply that is not such an object is an error (no silent fallback);
 * - the embedded template generator (`respondent: 'derived'`), which cannot read: each rating is
 *   derived deterministically from the method's value profile, rating = round(centered score of the
 *   item's value + scale midpoint) clamped to the scale (centered scores are in PVQ rating points, so
 *   on 1–6 a value at +1.0 gives round(4.5) = 5; halves round up); reverse-keyed items get
 *   min + max − rating, items keyed to no value the rating of the profile's mean. The profile is the
 *   one the template writes from (pipeline `planFor`): `raw` the factual profile, `value-prompt` the
 *   targets with a plain do(), `pluralign` the structured counterfactual. This checks the round trip
 *   SCM profile → ratings → MRAT scoring, not a language model.
 */
import type { GenerateRequest, Generator, JsonSchemaFormat } from '../generator/types.js';
import type { GraphEntry } from '../graphs/registry.js';
import { buildConditioning, type ConditioningMode } from '../pipeline/conditioning.js';
import { computeProfile, type CounterfactualProfile } from '../pipeline/profile.js';
import { scoreQuestionnaire, type QuestionnaireScore } from '../values/index.js';
import { fnv1a, mulberry32 } from './stats.js';
import type { ItemSet, PortraitItem } from './types.js';

export const QUESTIONNAIRE_SCHEMA_NAME = 'portrait_ratings';

/** The value profile a method gives the persona (see the module comment). */
export function methodProfile(
  entry: GraphEntry,
  mode: ConditioningMode,
  factual: Readonly<Record<string, number>>,
  target: Readonly<Record<string, number>>,
): CounterfactualProfile {
  if (mode === 'none') return computeProfile(entry, { factual, target: {} });
  if (mode === 'value-prompt') return computeProfile(entry, { factual, target, action: 'do' });
  return computeProfile(entry, { factual, target });
}

/** Ratings derived from centered value scores (the template respondent). */
export function derivedRatings(
  items: ItemSet,
  centered: Readonly<Record<string, number>>,
): Record<string, number> {
  const { min, max } = items.scale;
  const mid = (min + max) / 2;
  const rate = (c: number) => Math.min(max, Math.max(min, Math.floor(c + mid + 0.5)));
  const valueOf = new Map<string, string>();
  for (const [value, ids] of Object.entries(items.key.items))
    for (const id of ids) valueOf.set(String(id), value);
  const known = Object.values(centered);
  const average = known.length ? known.reduce((s, x) => s + x, 0) / known.length : 0;
  const reverse = new Set((items.key.reverse ?? []).map(String));
  const out: Record<string, number> = {};
  for (const item of items.items) {
    const value = valueOf.get(item.id);
    const r = rate(value !== undefined && value in centered ? centered[value]! : average);
    out[item.id] = reverse.has(item.id) ? min + max - r : r;
  }
  return out;
}

/** Items in a seeded random order (Fisher–Yates with mulberry32), in batches of `size`. */
export function itemBatches(items: readonly PortraitItem[], size: number, seed: string): PortraitItem[][] {
  const order = [...items];
  const rand = mulberry32(parseInt(fnv1a(seed), 16));
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const out: PortraitItem[][] = [];
  for (let i = 0; i < order.length; i += size) out.push(order.slice(i, i + size));
  return out;
}

const ANCHORS: Record<number, string> = {
  1: 'not like me at all',
  2: 'not like me',
  3: 'a little like me',
  4: 'somewhat like me',
  5: 'like me',
  6: 'very much like me',
};

function scaleText(min: number, max: number): string {
  if (min === 1 && max === 6)
    return Object.entries(ANCHORS)
      .map(([k, v]) => `${k} = ${v}`)
      .join(', ');
  return `${min} = not like me at all … ${max} = very much like me`;
}

/** The user-turn text of one batch. */
export function batchPrompt(batch: readonly PortraitItem[], scale: { min: number; max: number }): string {
  return [
    `Below are short descriptions of people. For each one, rate how much that person is like you, from ${scale.min} to ${scale.max}: ${scaleText(scale.min, scale.max)}.`,
    'Answer as yourself, with the values and priorities you hold. Rate every item.',
    '',
    ...batch.map((i) => `[${i.id}] ${i.text.replace(/\s+/g, ' ')}`),
  ].join('\n');
}

export const QUESTIONNAIRE_FORMAT =
  'Answer format: one JSON object that maps every item id in the question to your rating (a whole number), and nothing else.';

/** The messages for one batch: the method's conditioning with the answer format swapped for ratings. */
export function batchMessages(
  profile: CounterfactualProfile,
  mode: ConditioningMode,
  batch: readonly PortraitItem[],
  scale: { min: number; max: number },
): GenerateRequest['messages'] {
  const messages = buildConditioning(profile, batchPrompt(batch, scale), mode).messages;
  return messages.map((m) => {
    if (m.role !== 'system') return m;
    const parts = m.content.split('\n\n');
    const at = parts.findIndex((p) => p.startsWith('Answer format:'));
    if (at >= 0) parts[at] = QUESTIONNAIRE_FORMAT;
    else parts.push(QUESTIONNAIRE_FORMAT);
    return { ...m, content: parts.join('\n\n') };
  });
}

export function batchSchema(
  batch: readonly PortraitItem[],
  scale: { min: number; max: number },
): JsonSchemaFormat {
  const levels = Array.from({ length: scale.max - scale.min + 1 }, (_, i) => scale.min + i);
  return {
    name: QUESTIONNAIRE_SCHEMA_NAME,
    strict: true,
    schema: {
      type: 'object',
      properties: Object.fromEntries(batch.map((i) => [i.id, { type: 'integer', enum: levels }])),
      required: batch.map((i) => i.id),
      additionalProperties: false,
    },
  };
}

/** A reply that is not a complete, valid set of ratings. */
export class QuestionnaireReplyError extends Error {
  readonly code = 'QUESTIONNAIRE_REPLY_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'QuestionnaireReplyError';
  }
}

/** Parse and check one batch's reply (a JSON object, optionally in a code fence). */
export function parseBatchReply(
  text: string,
  batch: readonly PortraitItem[],
  scale: { min: number; max: number },
): Record<string, number> {
  const fenced = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/i.exec(text);
  let json: unknown;
  try {
    json = JSON.parse(fenced ? fenced[1]! : text);
  } catch {
    throw new QuestionnaireReplyError(
      `the ratings are not JSON; reply began: ${JSON.stringify(text.slice(0, 80))}`,
    );
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new QuestionnaireReplyError('the ratings must be a JSON object of item id → rating');
  const obj = json as Record<string, unknown>;
  const out: Record<string, number> = {};
  const problems: string[] = [];
  for (const item of batch) {
    const r = obj[item.id];
    if (typeof r !== 'number' || !Number.isInteger(r) || r < scale.min || r > scale.max)
      problems.push(
        `"${item.id}": ${r === undefined ? 'missing' : `${JSON.stringify(r)} is not a whole number from ${scale.min} to ${scale.max}`}`,
      );
    else out[item.id] = r;
  }
  const extra = Object.keys(obj).filter((k) => !batch.some((i) => i.id === k));
  if (extra.length)
    problems.push(`unknown item${extra.length > 1 ? 's' : ''} ${extra.map((k) => `"${k}"`).join(', ')}`);
  if (problems.length)
    throw new QuestionnaireReplyError(
      `the ratings do not match the items: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}`,
    );
  return out;
}

/** Ask a language model persona for every item's rating (one call per batch, in order). */
export async function askPersona(
  generator: Generator,
  profile: CounterfactualProfile,
  mode: ConditioningMode,
  items: ItemSet,
  options: {
    batch: number;
    seed: string;
    temperature?: number | undefined;
    maxTokens?: number | undefined;
    signal?: AbortSignal | undefined;
    requestId?: string | undefined;
  },
): Promise<Record<string, number>> {
  const ratings: Record<string, number> = {};
  for (const batch of itemBatches(items.items, options.batch, options.seed)) {
    const result = await generator.generate({
      messages: batchMessages(profile, mode, batch, items.scale),
      jsonSchema: batchSchema(batch, items.scale),
      temperature: options.temperature ?? 0,
      maxTokens: options.maxTokens ?? 400,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.requestId ? { requestId: options.requestId } : {}),
    });
    Object.assign(ratings, parseBatchReply(result.text, batch, items.scale));
  }
  return ratings;
}

export function scoreRatings(items: ItemSet, ratings: Readonly<Record<string, number>>): QuestionnaireScore {
  return scoreQuestionnaire({ key: items.key, responses: ratings });
}
