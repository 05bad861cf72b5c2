/**
 * MRAT-centered questionnaire scoring from any item key (Schwartz's instructions for the PVQ-40,
 * PVQ-RR and ESS-21):
 *
 *   1. value score = mean of the responses to that value's items;
 *   2. MRAT = the person's mean response over all items of the questionnaire that were answered
 *      (including items that belong to no value, e.g. the PVQ-RR face items in the 10-value key);
 *   3. centered score = value score − MRAT (centering only: never divided by the person's sd).
 *
 * Responses must be coded so that higher = more like me / more important; data coded the other way
 * round (e.g. ESS files, 1 = very much like me) is flipped with `lowerIsMoreImportant`. Items listed in
 * a key's `reverse` are flipped (min + max − r) before scoring. The built-in keys hold only item
 * numbers, never item wording (the PVQ items are licensed).
 */
import { ProfileError, type ProfileIssue } from './errors.js';
import { normalizeName } from './names.js';
import type { Profile } from './profile.js';
import { bundledValueSystem } from '../graphs/registry.js';
import { resolveValueName } from './systems.js';

type ItemId = string | number;

export interface ItemKey {
  id: string;
  label?: string;
  /** The value system whose value ids the key uses (names are resolved in it), if any. */
  system?: string;
  /** Response scale (default 1–6). */
  scale?: { min: number; max: number };
  /** Value → its item ids. */
  items: Readonly<Record<string, readonly ItemId[]>>;
  /** Every item of the questionnaire (MRAT is taken over the answered ones); default: all responses given. */
  allItems?: readonly ItemId[];
  /** Reverse-keyed items. */
  reverse?: readonly ItemId[];
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** PVQ-40 (PVQ-IV): Schwartz's coding key, June 2021; identical in g-corbelli/persval. */
const PVQ40: ItemKey = {
  id: 'pvq-40',
  label: 'PVQ-40 (10 values)',
  system: 'schwartz-10',
  scale: { min: 1, max: 6 },
  items: {
    self_direction: [1, 11, 22, 34],
    stimulation: [6, 15, 30],
    hedonism: [10, 26, 37],
    achievement: [4, 13, 24, 32],
    power: [2, 17, 39],
    security: [5, 14, 21, 31, 35],
    conformity: [7, 16, 28, 36],
    tradition: [9, 20, 25, 38],
    benevolence: [12, 18, 27, 33],
    universalism: [3, 8, 19, 23, 29, 40],
  },
  allItems: range(40),
};

/** ESS Human Values Scale (21 items): Schwartz, "Computing scores for the 10 human values". */
const ESS21: ItemKey = {
  id: 'ess-21',
  label: 'ESS-21 / PVQ-21 (10 values)',
  system: 'schwartz-10',
  scale: { min: 1, max: 6 },
  items: {
    self_direction: [1, 11],
    stimulation: [6, 15],
    hedonism: [10, 21],
    achievement: [4, 13],
    power: [2, 17],
    security: [5, 14],
    conformity: [7, 16],
    tradition: [9, 20],
    benevolence: [12, 18],
    universalism: [3, 8, 19],
  },
  allItems: range(21),
};

/** PVQ-RR (57 items, 19 values): Schwartz, "Coding & analysis instructions PVQ-RR", June 2021. */
const PVQRR: ItemKey = {
  id: 'pvq-rr',
  label: 'PVQ-RR (19 values)',
  system: 'schwartz-19',
  scale: { min: 1, max: 6 },
  items: {
    self_direction_thought: [1, 23, 39],
    self_direction_action: [16, 30, 56],
    stimulation: [10, 28, 43],
    hedonism: [3, 36, 46],
    achievement: [17, 32, 48],
    power_dominance: [6, 29, 41],
    power_resources: [12, 20, 44],
    face: [9, 24, 49],
    security_personal: [13, 26, 53],
    security_societal: [2, 35, 50],
    tradition: [18, 33, 40],
    conformity_rules: [15, 31, 42],
    conformity_interpersonal: [4, 22, 51],
    humility: [7, 38, 54],
    benevolence_dependability: [19, 27, 55],
    benevolence_caring: [11, 25, 47],
    universalism_concern: [5, 37, 52],
    universalism_nature: [8, 21, 45],
    universalism_tolerance: [14, 34, 57],
  },
  allItems: range(57),
};

/** PVQ-RR scored on the 10 broad values (same instructions): face items count only towards MRAT. */
const PVQRR10: ItemKey = {
  id: 'pvq-rr-10',
  label: 'PVQ-RR (10 broad values)',
  system: 'schwartz-10',
  scale: { min: 1, max: 6 },
  items: {
    self_direction: [1, 23, 39, 16, 30, 56],
    stimulation: [10, 28, 43],
    hedonism: [3, 36, 46],
    achievement: [17, 32, 48],
    power: [6, 29, 41, 12, 20, 44],
    security: [13, 26, 53, 2, 35, 50],
    conformity: [15, 31, 42, 4, 22, 51],
    tradition: [18, 33, 40, 7, 38, 54],
    benevolence: [11, 25, 47, 19, 27, 55],
    universalism: [8, 21, 45, 5, 37, 52, 14, 34, 57],
  },
  allItems: range(57),
};

export const ITEM_KEYS: Readonly<Record<string, ItemKey>> = {
  [PVQ40.id]: PVQ40,
  [ESS21.id]: ESS21,
  [PVQRR.id]: PVQRR,
  [PVQRR10.id]: PVQRR10,
};

export interface ScoreInput {
  /** A built-in key id (pvq-40, ess-21, pvq-rr, pvq-rr-10), a value → items key, or an item → value map. */
  key:
    | string
    | ItemKey
    | {
        id?: string;
        system?: string;
        scale?: { min: number; max: number };
        itemToValue: Record<string, string>;
      };
  /** Responses by item id, or an array where index 0 is item 1. null / undefined = not answered. */
  responses: Readonly<Record<string, number | null | undefined>> | ReadonlyArray<number | null | undefined>;
  /** The data is coded 1 = most like me (e.g. ESS data files): flip every response first. */
  lowerIsMoreImportant?: boolean;
}

export interface QuestionnaireScore {
  key: string;
  system?: string;
  /** The person's mean response over the answered items. */
  mrat: number;
  /** Value → mean response of its answered items (uncentered). */
  raw: Record<string, number>;
  /** Value → raw − MRAT. */
  centered: Record<string, number>;
  /** Value → answered / total items. */
  coverage: Record<string, { answered: number; total: number }>;
  /** Item ids of the key with no response. */
  missingItems: string[];
  notes: string[];
  /** The centered scores as a profile (values with no answered item left out). */
  profile: Profile;
}

function resolveKey(key: ScoreInput['key']): ItemKey {
  if (typeof key === 'string') {
    const k = ITEM_KEYS[key] ?? ITEM_KEYS[normalizeName(key).replace(/_/g, '-')];
    if (!k) {
      throw ProfileError.fromIssues([
        {
          path: 'key',
          message: `unknown item key "${key}"; use one of ${Object.keys(ITEM_KEYS).join(', ')} or give the key itself`,
        },
      ]);
    }
    return k;
  }
  if (key && typeof key === 'object' && 'itemToValue' in key) {
    const items: Record<string, ItemId[]> = {};
    for (const [item, value] of Object.entries(key.itemToValue)) (items[value] ??= []).push(item);
    return { id: key.id ?? 'custom', label: key.id ?? 'custom', system: key.system, scale: key.scale, items };
  }
  if (!key || typeof key !== 'object' || !('items' in key)) {
    throw ProfileError.fromIssues([
      {
        path: 'key',
        message:
          'give "key" as a built-in key id, { items: { value: [item ids] } } or { itemToValue: { item: value } }',
      },
    ]);
  }
  return key;
}

/** Score a questionnaire: raw value means, MRAT and centered scores. Throws ProfileError on bad input. */
export function scoreQuestionnaire(input: ScoreInput): QuestionnaireScore {
  const key = resolveKey(input.key);
  const { min, max } = key.scale ?? { min: 1, max: 6 };
  const issues: Array<ProfileIssue & { unknown?: boolean }> = [];
  const notes: string[] = [];
  const system = key.system ? bundledValueSystem(key.system) : undefined;

  // Responses by item id (string).
  const responses = new Map<string, number>();
  const entries: Array<[string, unknown]> = Array.isArray(input.responses)
    ? (input.responses as unknown[]).map((r, i) => [String(i + 1), r])
    : Object.entries(input.responses as Record<string, unknown>);
  for (const [item, r] of entries) {
    if (r === null || r === undefined) continue;
    if (typeof r !== 'number' || !Number.isFinite(r) || r < min || r > max) {
      issues.push({
        path: `responses.${item}`,
        message: `responses.${item} must be a number from ${min} to ${max}, got ${JSON.stringify(r)}`,
      });
      continue;
    }
    responses.set(item, input.lowerIsMoreImportant ? min + max - r : r);
  }
  const reverse = new Set((key.reverse ?? []).map(String));
  for (const item of reverse) {
    const r = responses.get(item);
    if (r !== undefined) responses.set(item, min + max - r);
  }

  // Value → item ids, names resolved in the key's system.
  const valueItems = new Map<string, string[]>();
  for (const [name, items] of Object.entries(key.items)) {
    const id = system ? resolveValueName(name, system) : normalizeName(name);
    if (!id) {
      issues.push({
        path: `key.items.${name}`,
        unknown: true,
        message: `key.items.${name}: "${name}" is not a value of ${system!.id}; the values are ${system!.values.map((v) => v.id).join(', ')}`,
      });
      continue;
    }
    valueItems.set(id, [...(valueItems.get(id) ?? []), ...items.map(String)]);
  }
  if (issues.length) throw ProfileError.fromIssues(issues);

  const universe = key.allItems ? new Set(key.allItems.map(String)) : null;
  const keyed = new Set([...valueItems.values()].flat());
  let sum = 0;
  let count = 0;
  const ignored: string[] = [];
  for (const [item, r] of responses) {
    if (universe && !universe.has(item)) {
      ignored.push(item);
      continue;
    }
    sum += r;
    count++;
  }
  if (ignored.length) notes.push(`responses to items not in ${key.id} were ignored: ${ignored.join(', ')}`);
  if (count === 0) {
    throw ProfileError.fromIssues([
      { path: 'responses', message: `no responses to the items of ${key.id}; give at least one` },
    ]);
  }
  const mrat = sum / count;
  const raw: Record<string, number> = {};
  const centered: Record<string, number> = {};
  const coverage: QuestionnaireScore['coverage'] = {};
  for (const [id, items] of valueItems) {
    const answered = items.filter((i) => responses.has(i));
    coverage[id] = { answered: answered.length, total: items.length };
    if (!answered.length) {
      notes.push(`${id}: none of its items (${items.join(', ')}) was answered; left out of the profile`);
      continue;
    }
    raw[id] = answered.reduce((s, i) => s + responses.get(i)!, 0) / answered.length;
    centered[id] = raw[id]! - mrat;
  }
  const missingItems = [...(universe ?? keyed)].filter((i) => !responses.has(i));
  if (missingItems.length)
    notes.push(`${missingItems.length} item(s) unanswered; MRAT is the mean of the ${count} answered`);
  return {
    key: key.id,
    system: key.system,
    mrat,
    raw,
    centered,
    coverage,
    missingItems,
    notes,
    profile: { format: 'centered', values: { ...centered } },
  };
}
