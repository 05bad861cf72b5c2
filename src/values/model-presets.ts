/**
 * Which `llm:<model>` preset (Value Portrait profile) belongs to a model id as callers and upstreams
 * spell it. Value Portrait measured dated snapshots (`gpt-4o-mini-2024-07-18`); clients name aliases
 * (`gpt-4o-mini`), provider-prefixed ids (`openai/gpt-4o-mini`), `-latest` aliases or other snapshots of
 * the same family. The match, in order:
 *
 * 1. `exact`: the id itself (case-insensitive, a `provider/` prefix dropped) is a preset;
 * 2. `alias`: the id names no date (`gpt-4o-mini`, `claude-3-5-sonnet-latest`) and presets of its family
 *    are dated snapshots: the newest snapshot (what an undated alias points to when it is measured);
 * 3. `family`: the id is another dated snapshot of a measured family (`gpt-4o-2024-06-01`): the snapshot
 *    closest in date.
 *
 * A family is the id without its date suffix (`-2024-07-18`, `-20241022`, `-2501`, `-01-21`) or
 * `-latest`; `gpt-4o` and `gpt-4o-mini` are different families. Nothing else is guessed: an unknown
 * family gets no preset.
 */
import type { Preset } from './presets.js';

export type ModelMatch = 'exact' | 'alias' | 'family';

export interface ModelPreset {
  preset: Preset;
  match: ModelMatch;
  /** The model id as read (lower case, provider prefix dropped). */
  model: string;
}

const DATE = /-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{2}-\d{2})$/;

/** `gpt-4o-mini-2024-07-18` → { family: 'gpt-4o-mini', date: 20240718 }; undated ids have date null. */
export function modelFamily(id: string): { family: string; date: number | null } {
  const bare = id.replace(/-latest$/, '');
  const m = DATE.exec(bare);
  if (!m) return { family: bare, date: null };
  // yyyymmdd; yymm (`-2501`) and mm-dd (`-01-21`) are read as ordered numbers within their family.
  return { family: bare.slice(0, m.index), date: Number(m[1]!.replace(/-/g, '')) };
}

/** The model id as presets name it: lower case, without a `provider/` prefix. */
export function normaliseModelId(model: string): string {
  const id = model.trim().toLowerCase();
  const slash = id.lastIndexOf('/');
  return slash >= 0 ? id.slice(slash + 1) : id;
}

/** The preset of `model` among `presets` (only `llm:` presets are considered), or undefined. */
export function presetForModel(model: string, presets: readonly Preset[]): ModelPreset | undefined {
  const id = normaliseModelId(model);
  if (!id) return undefined;
  const llm = presets
    .filter((p) => p.id.toLowerCase().startsWith('llm:'))
    .map((p) => ({ preset: p, name: p.id.slice(4).toLowerCase() }));
  const exact = llm.find((p) => p.name === id);
  if (exact) return { preset: exact.preset, match: 'exact', model: id };
  const wanted = modelFamily(id);
  const family = llm
    .map((p) => ({ ...p, ...modelFamily(p.name) }))
    .filter((p) => p.family === wanted.family && p.date !== null);
  if (family.length === 0) return undefined;
  if (wanted.date === null) {
    const newest = family.reduce((a, b) => (b.date! > a.date! ? b : a));
    return { preset: newest.preset, match: 'alias', model: id };
  }
  const sameWidth = family.filter((p) => String(p.date).length === String(wanted.date).length);
  const pool = sameWidth.length ? sameWidth : family;
  const nearest = pool.reduce((a, b) =>
    Math.abs(b.date! - wanted.date!) < Math.abs(a.date! - wanted.date!) ? b : a,
  );
  return { preset: nearest.preset, match: 'family', model: id };
}
