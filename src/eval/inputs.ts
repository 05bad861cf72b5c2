/**
 * The evaluation's input files, validated with messages that name the file and the field:
 *
 * - questions: `{ "questions": [{ "id", "text", "topic"?, "values"? }] }` (or a bare array; a bare
 *   string is a question with id `q<n>`);
 * - profiles: `{ "profiles": [{ "id", "label", "group"?, "source"?, "target": <profile> }] }` where the
 *   target is any profile the service accepts (likert5, pvq6, centered or a ranking), with only the
 *   dimensions to measure;
 * - portrait items: `{ "id", "system"?, "scale"?, "items": [{ "id", "text", "value"? }], "key"?, "reverse"? }`.
 *   Each item names its value, or the file gives a `key`: a built-in key id (`pvq-40`, `ess-21`,
 *   `pvq-rr`, `pvq-rr-10`: item ids are then the item numbers), `{ "items": { value: [item ids] } }` or
 *   `{ "itemToValue": { item: value } }`. Items no value claims still count towards MRAT.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { likert } from '../pipeline/profile.js';
import {
  ITEM_KEYS,
  ProfileError,
  getValueSystem,
  resolveValueName,
  toCentered,
  type ItemKey,
  type Profile,
} from '../values/index.js';
import { fnv1a } from './stats.js';
import type { EvalProfile, EvalQuestion, ItemSet } from './types.js';

/** An input file that cannot be used (exit code 3 in the CLI). */
export class EvalInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalInputError';
  }
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EvalInputError(`cannot read the ${what} file ${path}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new EvalInputError(`the ${what} file ${path} is not valid JSON: ${(err as Error).message}`);
  }
}

function issuesOf(err: z.ZodError, prefix: string): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${[prefix, ...i.path.map(String)].filter(Boolean).join('.')}: ${i.message}`)
    .join('; ');
}

const Id = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[A-Za-z0-9._:+-]+$/, 'use letters, digits and . _ : + - only');

const QuestionSchema = z.union([
  z.string().trim().min(1),
  z.object({
    id: Id,
    text: z.string().trim().min(1).max(8000),
    topic: z.string().optional(),
    values: z.array(z.string()).optional(),
  }),
]);
const QuestionsFile = z.union([
  z.array(QuestionSchema),
  z.object({ questions: z.array(QuestionSchema) }).loose(),
]);

function unique<T extends { id: string }>(list: T[], what: string, source: string): T[] {
  const seen = new Set<string>();
  for (const x of list) {
    if (seen.has(x.id)) throw new EvalInputError(`${source}: ${what} id "${x.id}" is used twice`);
    seen.add(x.id);
  }
  return list;
}

export function parseQuestions(raw: unknown, source = 'questions'): EvalQuestion[] {
  const parsed = QuestionsFile.safeParse(raw);
  if (!parsed.success) throw new EvalInputError(`${source}: ${issuesOf(parsed.error, 'questions')}`);
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.questions;
  if (list.length === 0) throw new EvalInputError(`${source}: no questions`);
  const width = String(list.length).length;
  return unique(
    list.map((q, i) =>
      typeof q === 'string'
        ? { id: `q${String(i + 1).padStart(width, '0')}`, text: q }
        : { id: q.id, text: q.text, topic: q.topic, values: q.values },
    ),
    'question',
    source,
  );
}

export function loadQuestions(path: string): EvalQuestion[] {
  return parseQuestions(readJson(path, 'questions'), path);
}

const ProfileSchema = z.object({
  id: Id,
  label: z.string().min(1).max(200).optional(),
  group: z.string().optional(),
  source: z.string().optional(),
  note: z.string().optional(),
  target: z
    .object({
      format: z.enum(['likert5', 'pvq6', 'centered', 'ranking']).default('likert5'),
      values: z.record(z.string(), z.number()).optional(),
      ranking: z.array(z.string()).optional(),
    })
    .strict(),
});
const ProfilesFile = z.union([
  z.array(ProfileSchema),
  z.object({ profiles: z.array(ProfileSchema) }).loose(),
]);

/** Validate profiles against a value system; the targets are converted as the pipeline does. */
export function parseProfiles(raw: unknown, system: string, source = 'profiles'): EvalProfile[] {
  const parsed = ProfilesFile.safeParse(raw);
  if (!parsed.success) throw new EvalInputError(`${source}: ${issuesOf(parsed.error, 'profiles')}`);
  const list = Array.isArray(parsed.data) ? parsed.data : parsed.data.profiles;
  if (list.length === 0) throw new EvalInputError(`${source}: no profiles`);
  return unique(
    list.map((p, i) => {
      const target: Profile = { format: p.target.format };
      if (p.target.values) target.values = p.target.values;
      if (p.target.ranking) target.ranking = p.target.ranking;
      let centered: Record<string, number>;
      try {
        centered = toCentered(target, system);
      } catch (err) {
        if (err instanceof ProfileError)
          throw new EvalInputError(`${source}: profiles[${i}] ("${p.id}") target: ${err.message}`);
        throw err;
      }
      if (Object.keys(centered).length === 0)
        throw new EvalInputError(`${source}: profiles[${i}] ("${p.id}") sets no value`);
      const likert5 = Object.fromEntries(Object.entries(centered).map(([v, c]) => [v, likert(c)]));
      return {
        id: p.id,
        label: p.label ?? p.id,
        group: p.group,
        source: p.source,
        target,
        likert5,
        centered,
      };
    }),
    'profile',
    source,
  );
}

export function loadProfiles(path: string, system: string): EvalProfile[] {
  return parseProfiles(readJson(path, 'profiles'), system, path);
}

const ItemId = z.union([z.string().min(1).max(80), z.number().int()]).transform(String);
const ItemsFile = z
  .object({
    id: Id.optional(),
    label: z.string().optional(),
    system: z.string().optional(),
    scale: z
      .object({ min: z.number().int(), max: z.number().int() })
      .refine((s) => s.max > s.min, 'scale.max must be above scale.min')
      .optional(),
    items: z
      .array(z.object({ id: ItemId, text: z.string().trim().min(1).max(2000), value: z.string().optional() }))
      .min(2),
    key: z
      .union([
        z.string(),
        z.object({ items: z.record(z.string(), z.array(ItemId)) }),
        z.object({ itemToValue: z.record(z.string(), z.string()) }),
      ])
      .optional(),
    reverse: z.array(ItemId).optional(),
  })
  .loose();

/** Validate a portrait item set; `defaultSystem` applies when the file names none. */
export function parseItemSet(raw: unknown, defaultSystem: string, source = 'items'): ItemSet {
  const parsed = ItemsFile.safeParse(raw);
  if (!parsed.success) throw new EvalInputError(`${source}: ${issuesOf(parsed.error, '')}`);
  const f = parsed.data;
  let system = f.system ?? defaultSystem;
  const ids = f.items.map((i) => i.id);
  unique(
    f.items.map((i) => ({ id: i.id })),
    'item',
    source,
  );
  const known = new Set(ids);
  const byValue: Record<string, string[]> = {};
  let reverse = f.reverse ?? [];
  let scale = f.scale;
  const add = (value: string, item: string, where: string) => {
    (byValue[value] ??= []).push(item);
    if (!known.has(item))
      throw new EvalInputError(`${source}: ${where} names item "${item}", which is not in items`);
  };
  if (typeof f.key === 'string') {
    const builtin: ItemKey | undefined = ITEM_KEYS[f.key];
    if (!builtin)
      throw new EvalInputError(
        `${source}: key "${f.key}" is not a built-in key; use one of ${Object.keys(ITEM_KEYS).join(', ')}, or give the key itself`,
      );
    system = f.system ?? builtin.system ?? system;
    scale ??= builtin.scale;
    reverse = [...reverse, ...(builtin.reverse ?? []).map(String)];
    for (const [value, items] of Object.entries(builtin.items))
      for (const item of items) if (known.has(String(item))) (byValue[value] ??= []).push(String(item));
  } else if (f.key && 'items' in f.key) {
    for (const [value, items] of Object.entries(f.key.items))
      for (const item of items) add(value, item, `key.items.${value}`);
  } else if (f.key && 'itemToValue' in f.key) {
    for (const [item, value] of Object.entries(f.key.itemToValue)) add(value, item, `key.itemToValue`);
  } else {
    for (const item of f.items) {
      if (item.value === undefined)
        throw new EvalInputError(
          `${source}: item "${item.id}" has no value; give each item a "value" or the file a "key"`,
        );
      (byValue[item.value] ??= []).push(item.id);
    }
  }
  const valueSystem = getValueSystem(system);
  if (!valueSystem) throw new EvalInputError(`${source}: unknown value system "${system}"`);
  const items: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(byValue)) {
    const id = resolveValueName(name, valueSystem);
    if (!id)
      throw new EvalInputError(
        `${source}: "${name}" is not a value of ${system}; the values are ${valueSystem.values.map((v) => v.id).join(', ')}`,
      );
    items[id] = [...(items[id] ?? []), ...list];
  }
  if (Object.keys(items).length < 2)
    throw new EvalInputError(`${source}: the key must cover at least two values`);
  const scaleDef = scale ?? { min: 1, max: 6 };
  const id = f.id ?? 'items';
  const key: ItemKey = { id, label: f.label ?? id, system, scale: scaleDef, items, allItems: ids, reverse };
  const hash = fnv1a(
    JSON.stringify({ items: f.items.map((i) => [i.id, i.text]), key: items, reverse, scaleDef }),
  );
  return {
    id,
    label: f.label ?? id,
    system,
    scale: scaleDef,
    items: f.items.map((i) => ({ id: i.id, text: i.text })),
    key,
    hash,
  };
}

export function loadItemSet(path: string, defaultSystem: string): ItemSet {
  return parseItemSet(readJson(path, 'items'), defaultSystem, path);
}
