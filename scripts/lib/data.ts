/** Readers for the Value Portrait data files (read at build time only; never copied into the repo). */
import { readFileSync } from 'node:fs';
import { resolveValueName } from '../../src/values/systems.js';
import { bundledSystem } from './build.js';

const SCHWARTZ_10 = bundledSystem('schwartz-10');

export const VALUES_10 = SCHWARTZ_10.values.map((v) => v.id);

/**
 * Human profiles: { "<participant>": { "pvq": { "Self_Direction": <centered>, … } } } (or an array of
 * such records) → the N × 10 matrix, columns in schwartz-10 order.
 */
export function readHumanProfiles(path: string): number[][] {
  const json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  const records = Array.isArray(json) ? json : Object.values(json as Record<string, unknown>);
  return records.map((rec, r) => {
    const pvq = (rec as { pvq?: Record<string, unknown> }).pvq;
    if (!pvq) throw new Error(`record ${r}: no "pvq" object`);
    const row = new Array<number>(VALUES_10.length).fill(NaN);
    for (const [name, v] of Object.entries(pvq)) {
      const id = resolveValueName(name, SCHWARTZ_10);
      if (!id) throw new Error(`record ${r}: unknown value "${name}"`);
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new Error(`record ${r}: ${name} is not a finite number`);
      row[VALUES_10.indexOf(id)] = v;
    }
    if (row.some((x) => Number.isNaN(x))) throw new Error(`record ${r}: not all 10 values are present`);
    return row;
  });
}

export interface LlmProfile {
  model: string;
  /** value id → centered mean. */
  centered: Record<string, number>;
  /** value id → number of items. */
  items: Record<string, number>;
}

/** LLM default profiles: { "<model>": { "Hedonism": { "centered_mean", "original_mean", "n" }, … } }. */
export function readLlmProfiles(path: string): LlmProfile[] {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<
    string,
    Record<string, { centered_mean?: unknown; n?: unknown }>
  >;
  return Object.entries(json).map(([model, byValue]) => {
    const centered: Record<string, number> = {};
    const items: Record<string, number> = {};
    for (const [name, rec] of Object.entries(byValue)) {
      const id = resolveValueName(name, SCHWARTZ_10);
      if (!id) throw new Error(`${model}: unknown value "${name}"`);
      if (typeof rec.centered_mean !== 'number' || !Number.isFinite(rec.centered_mean)) {
        throw new Error(`${model}.${name}: centered_mean is not a finite number`);
      }
      centered[id] = rec.centered_mean;
      if (typeof rec.n === 'number') items[id] = rec.n;
    }
    const missing = VALUES_10.filter((v) => centered[v] === undefined);
    if (missing.length) throw new Error(`${model}: no figure for ${missing.join(', ')}`);
    return { model, centered, items };
  });
}
