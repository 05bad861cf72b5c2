/**
 * Profile presets: ready-made centered profiles a caller can name instead of giving values.
 *
 * - `llm:<model>`: the default value profile of 34 backend models (Value Portrait, Han et al.,
 *   ACL 2025; holi-lab/ValuePortrait, MIT).
 * - `human:mean`, `human:cluster-1` … `human:cluster-5`: the mean and k-means clusters of the 569
 *   human PVQ-21 profiles of the same source.
 *
 * The figures live in `graphs/presets/*.json`, written by `scripts/derive-presets.ts` with their
 * provenance; this module only reads and validates them (once, lazily).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../graphs/registry.js';

export interface Preset {
  id: string;
  label: string;
  description: string;
  system: string;
  format: 'centered';
  values: Record<string, number>;
  source: string;
}

const PresetSchema = z
  .object({
    id: z.string().regex(/^(llm|human):\S+$/),
    label: z.string().min(1),
    description: z.string(),
    system: z.string().min(1),
    format: z.literal('centered'),
    values: z.record(z.string(), z.number().refine(Number.isFinite)),
    source: z.string().min(1),
  })
  .strict();

const PresetFile = z.object({ presets: z.array(PresetSchema) }).loose();

export function presetsDir(): string {
  return join(packageRoot(), 'graphs', 'presets');
}

/** Read and validate every preset file in `dir` (a duplicate id is an error). */
export function readPresets(dir = presetsDir()): Preset[] {
  const out: Preset[] = [];
  const seen = new Set<string>();
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const parsed = PresetFile.safeParse(JSON.parse(readFileSync(join(dir, name), 'utf8')));
    if (!parsed.success)
      throw new Error(`${name}: not a preset file: ${parsed.error.issues[0]?.message ?? ''}`);
    for (const p of parsed.data.presets) {
      if (seen.has(p.id)) throw new Error(`${name}: preset id "${p.id}" is used twice`);
      seen.add(p.id);
      out.push(p);
    }
  }
  return out;
}

let cache: { list: Preset[]; byId: Map<string, Preset> } | null = null;

function load() {
  if (!cache) {
    const list = readPresets();
    cache = { list, byId: new Map(list.map((p) => [p.id, p])) };
  }
  return cache;
}

function copy(p: Preset): Preset {
  return { ...p, values: { ...p.values } };
}

/** Every preset (copies: callers may modify them). */
export function listPresets(): Preset[] {
  return load().list.map(copy);
}

/** A preset by id (exact, then case-insensitive). */
export function getPreset(id: string): Preset | undefined {
  const { byId, list } = load();
  const hit = byId.get(id) ?? list.find((p) => p.id.toLowerCase() === String(id).toLowerCase());
  return hit ? copy(hit) : undefined;
}
