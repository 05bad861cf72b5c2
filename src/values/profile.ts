/**
 * Value profiles: validation (friendly value names → ids, ranges, duplicates) and conversion between
 * formats. A profile may be partial: only the values the caller cares about.
 *
 *   { format: 'likert5' | 'pvq6' | 'centered', values: { security: 5, benevolence: 4 } }
 *   { format: 'ranking', ranking: ['security', 'benevolence', 'stimulation'] }   // most → least important
 *
 * Scale conversions are documented in scales.ts, rankings in ranking.ts.
 */
import { bundledGraphs, bundledValueSystem, DEFAULT_GRAPH } from '../graphs/registry.js';
import { ProfileError, type ProfileIssue } from './errors.js';
import { closestName } from './names.js';
import { partialRankScores, scoresToRanking } from './ranking.js';
import { SCALES, convertScore, isScale, type Scale } from './scales.js';
import { resolveValueName, valueIds, type ValueSystem } from './systems.js';

export type ProfileFormat = Scale | 'ranking';

export const PROFILE_FORMATS: readonly ProfileFormat[] = ['likert5', 'pvq6', 'centered', 'ranking'];

export interface Profile {
  format: ProfileFormat;
  values?: Record<string, number>;
  ranking?: string[];
}

export interface ConvertResult {
  format: ProfileFormat;
  values?: Record<string, number>;
  ranking?: string[];
  notes?: string[];
}

/** A validated profile: canonical value ids, in the system's value order. */
export interface NormalizedProfile {
  system: ValueSystem;
  format: ProfileFormat;
  values?: Record<string, number>;
  ranking?: string[];
}

/**
 * The value system of a bundled graph, by id. Routes and pipelines that hold a graph entry pass its
 * `system` instead, which also covers uploaded and inline graphs.
 */
export function getValueSystem(id: string): ValueSystem | undefined {
  return bundledValueSystem(id);
}

function systemOrThrow(system: string | ValueSystem | undefined): ValueSystem {
  if (system && typeof system === 'object') return system;
  const id = system ?? DEFAULT_GRAPH;
  const found = typeof id === 'string' ? getValueSystem(id) : undefined;
  if (!found) {
    const known = [...bundledGraphs().keys()].join(', ');
    throw ProfileError.fromIssues([
      { path: 'system', message: `unknown value system "${String(id)}"; use one of ${known} (a graph id)` },
    ]);
  }
  return found;
}

function unknownValue(path: string, name: string, system: ValueSystem): ProfileIssue & { unknown: true } {
  const ids = valueIds(system);
  const guess = closestName(name, ids);
  const hint = guess ? `did you mean "${guess}"? ` : '';
  return {
    path,
    unknown: true,
    message: `${path}: unknown value "${name}" in ${system.id}; ${hint}the values are ${ids.join(', ')}`,
  };
}

function describeFormatError(format: unknown): string {
  return `format must be one of ${PROFILE_FORMATS.join(', ')} (got ${JSON.stringify(format) ?? 'nothing'})`;
}

/** Validate a profile and put it in canonical form. Throws ProfileError listing every problem. */
export function normalizeProfile(profile: unknown, system?: string | ValueSystem): NormalizedProfile {
  const sys = systemOrThrow(system);
  const issues: Array<ProfileIssue & { unknown?: boolean }> = [];
  if (!profile || typeof profile !== 'object' || Array.isArray(profile)) {
    throw ProfileError.fromIssues([
      {
        path: '',
        message:
          'a profile is an object: { "format": "likert5", "values": { "security": 5 } } or { "format": "ranking", "ranking": ["security", "benevolence"] }',
      },
    ]);
  }
  const p = profile as Record<string, unknown>;
  const format = p.format ?? 'likert5';
  if (format !== 'ranking' && !isScale(format)) {
    throw ProfileError.fromIssues([{ path: 'format', message: describeFormatError(p.format) }]);
  }
  const order = valueIds(sys);
  const rank = new Map(order.map((id, i) => [id, i]));

  if (format === 'ranking') {
    if (p.values !== undefined) {
      issues.push({
        path: 'values',
        message: 'a ranking profile lists value names in "ranking" (most → least important), not "values"',
      });
    }
    const list = p.ranking;
    if (!Array.isArray(list) || list.length === 0) {
      issues.push({
        path: 'ranking',
        message: 'a ranking profile needs "ranking": a non-empty list of value names, most important first',
      });
      throw ProfileError.fromIssues(issues);
    }
    const seen = new Map<string, number>();
    const ranking: string[] = [];
    list.forEach((name: unknown, i) => {
      const path = `ranking.${i}`;
      if (typeof name !== 'string') {
        issues.push({
          path,
          message: `${path} must be a value name (a string), got ${JSON.stringify(name)}`,
        });
        return;
      }
      const id = resolveValueName(name, sys);
      if (!id) return void issues.push(unknownValue(path, name, sys));
      if (seen.has(id)) {
        issues.push({
          path,
          message: `${path}: "${name}" is ${id}, already ranked at position ${seen.get(id)! + 1}; list each value once`,
        });
        return;
      }
      seen.set(id, i);
      ranking.push(id);
    });
    if (issues.length) throw ProfileError.fromIssues(issues);
    return { system: sys, format, ranking };
  }

  const scale = SCALES[format];
  if (p.ranking !== undefined) {
    issues.push({
      path: 'ranking',
      message: `a ${format} profile gives scores in "values"; to send a ranking use "format": "ranking"`,
    });
  }
  const raw = p.values;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.keys(raw).length === 0) {
    issues.push({
      path: 'values',
      message: `a ${format} profile needs "values": an object of value → score (${scale.min}–${scale.max}), e.g. { "security": ${scale.max} }`,
    });
    throw ProfileError.fromIssues(issues);
  }
  const byId = new Map<string, { name: string; value: number }>();
  for (const [name, v] of Object.entries(raw as Record<string, unknown>)) {
    const path = `values.${name}`;
    const id = resolveValueName(name, sys);
    if (!id) {
      issues.push(unknownValue(path, name, sys));
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      issues.push({
        path,
        message: `${path} must be a number from ${scale.min} to ${scale.max} (${format}), got ${JSON.stringify(v)}`,
      });
      continue;
    }
    if (v < scale.min || v > scale.max) {
      issues.push({
        path,
        message: `${path}: ${v} is outside the ${format} range ${scale.min}–${scale.max}; give a score in range or change "format"${scaleHint(raw as Record<string, unknown>, scale)}`,
      });
      continue;
    }
    const prev = byId.get(id);
    if (prev) {
      issues.push({
        path,
        message: `${path}: "${prev.name}" and "${name}" both name ${id}; give each value once`,
      });
      continue;
    }
    byId.set(id, { name, value: v });
  }
  if (issues.length) throw ProfileError.fromIssues(issues);
  const values: Record<string, number> = {};
  for (const id of [...byId.keys()].sort((a, b) => rank.get(a)! - rank.get(b)!))
    values[id] = byId.get(id)!.value;
  return { system: sys, format, values };
}

/**
 * When the scores look like another scale (all within 0–1, or some above the maximum but none above
 * 100), name it and the nearest linear conversion to the expected one.
 */
function scaleHint(raw: Record<string, unknown>, scale: { min: number; max: number }): string {
  const xs = Object.values(raw).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (xs.length === 0 || xs.some((x) => x < 0)) return '';
  const span = scale.max - scale.min;
  const example = (x: number, of: number) => fmt(scale.min + (span * x) / of);
  if (xs.every((x) => x <= 1) && xs.some((x) => x < scale.min)) {
    return `; these look like 0–1 scores: on ${scale.min}–${scale.max} that is ${scale.min} + ${span}·x (0.8 → ${example(0.8, 1)})`;
  }
  if (xs.every((x) => x <= 100) && xs.some((x) => x > 10)) {
    return `; these look like 0–100 scores: on ${scale.min}–${scale.max} that is ${scale.min} + ${span}·x/100 (80 → ${example(80, 100)})`;
  }
  return '';
}

function fmt(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/** Convert a validated profile. */
export function convertNormalized(n: NormalizedProfile, to: ProfileFormat): ConvertResult {
  const notes: string[] = [];
  const order = valueIds(n.system);
  if (to === 'ranking') {
    if (n.format === 'ranking') return { format: 'ranking', ranking: [...n.ranking!] };
    const { ranking, ties } = scoresToRanking(n.values!, order);
    for (const t of ties) notes.push(`tied scores: ${t.join(', ')} (kept in the system's value order)`);
    return notes.length ? { format: 'ranking', ranking, notes } : { format: 'ranking', ranking };
  }
  let source: Record<string, number>;
  let from: Scale;
  if (n.format === 'ranking') {
    const scores = partialRankScores(n.ranking!.length, order.length);
    source = {};
    n.ranking!.forEach((id, i) => (source[id] = scores[i]!));
    from = 'centered';
    notes.push(
      'scores from a ranking: the i-th listed value gets the typical centered score of the i-th most important value among 569 people (Value Portrait PVQ-21 data), so listed values rank above unlisted ones; only the order is meaningful',
    );
  } else {
    source = n.values!;
    from = n.format;
  }
  const values: Record<string, number> = {};
  const target = SCALES[to];
  for (const [id, x] of Object.entries(source)) {
    const { value, clamped } = convertScore(x, from, to);
    values[id] = value;
    if (clamped) {
      notes.push(
        `${id}: ${fmt(x)} (${from}) is outside the ${to} range ${target.min}–${target.max}; clamped to ${value}`,
      );
    }
  }
  return notes.length ? { format: to, values, notes } : { format: to, values };
}

/**
 * Convert a profile to another format. Value names may be given in friendly forms ("Self-Direction",
 * "self_direction", "SD"); the result uses canonical ids. Throws ProfileError saying what to fix.
 */
export function convertProfile(
  profile: Profile,
  to: ProfileFormat,
  system?: string | ValueSystem,
): ConvertResult {
  if (to !== 'ranking' && !isScale(to)) {
    throw ProfileError.fromIssues([{ path: 'to', message: `the target ${describeFormatError(to)}` }]);
  }
  return convertNormalized(normalizeProfile(profile, system), to);
}

/** A profile's values as centered scores (the scale of the graphs' value nodes), keyed by value id. */
export function toCentered(profile: Profile, system?: string | ValueSystem): Record<string, number> {
  return convertProfile(profile, 'centered', system).values!;
}

/**
 * Centered scores (e.g. an SCM's counterfactual value nodes) as a profile in `to`. With
 * `onlyValues`, keys that are not values of the system (latent or concept nodes of a counterfactual
 * record) are skipped instead of refused.
 */
export function fromCentered(
  values: Readonly<Record<string, number>>,
  to: ProfileFormat,
  system?: string | ValueSystem,
  options: { onlyValues?: boolean } = {},
): ConvertResult {
  let input: Record<string, number> = { ...values };
  if (options.onlyValues) {
    const sys = systemOrThrow(system);
    input = Object.fromEntries(
      Object.entries(values).filter(([k]) => resolveValueName(k, sys) !== undefined),
    );
  }
  return convertProfile({ format: 'centered', values: input }, to, system);
}
