/**
 * Higher-order summaries of a profile: the mean of each higher-order group's member values (openness
 * to change, conservation, self-transcendence, self-enhancement for the Schwartz systems; individualizing
 * and binding for moral foundations) and the bipolar differences (openness − conservation,
 * self-transcendence − self-enhancement), which match the graphs' latent dimensions in sign.
 *
 * Computed on the profile's own scale (a mean commutes with the affine scale conversions); rankings are
 * converted to centered scores first. With a partial profile a group's score is the mean of the
 * members given, and `coverage` says which were missing; a group with no member given is left out.
 * Schwartz-10 keys: hedonism is scored with openness to change by default (PVQ-40 key); the option
 * `hedonism` moves it to self-enhancement, into both, or out of both (as in the ESS/Value Portrait key).
 */
import { convertNormalized, normalizeProfile, type Profile } from './profile.js';
import type { Scale } from './scales.js';
import type { HigherOrderGroup } from './systems.js';

export interface HigherOrderOptions {
  /** Systems with a `hedonism` value (Schwartz): where it counts (default 'openness'). */
  hedonism?: 'openness' | 'enhancement' | 'both' | 'none';
}

export interface HigherOrderSummary {
  system: string;
  /** The scale of every number below. */
  format: Scale;
  /** Group id → mean of its members given in the profile. */
  groups: Record<string, number>;
  /** Bipolar dimension id (the graph's latent id) → positive group − negative group. */
  dimensions: Record<string, number>;
  coverage: Record<string, { used: string[]; missing: string[] }>;
}

function adjustHedonism(
  groups: readonly HigherOrderGroup[],
  mode: HigherOrderOptions['hedonism'],
): HigherOrderGroup[] {
  if (!mode || mode === 'openness') return [...groups];
  return groups.map((g) => {
    const rest = g.members.filter((m) => m !== 'hedonism');
    if (g.id === 'openness_to_change')
      return { ...g, members: mode === 'both' ? [...rest, 'hedonism'] : rest };
    if (g.id === 'self_enhancement' && (mode === 'enhancement' || mode === 'both')) {
      return { ...g, members: ['hedonism', ...rest] };
    }
    return { ...g, members: g.id === 'self_enhancement' ? rest : [...g.members] };
  });
}

export function higherOrder(
  profile: Profile,
  system?: string,
  options: HigherOrderOptions = {},
): HigherOrderSummary {
  const n = normalizeProfile(profile, system);
  const format: Scale = n.format === 'ranking' ? 'centered' : n.format;
  const values = n.format === 'ranking' ? convertNormalized(n, 'centered').values! : n.values!;
  const groups: Record<string, number> = {};
  const coverage: HigherOrderSummary['coverage'] = {};
  // The hedonism option moves the value `hedonism` between groups; without that value it changes nothing.
  const defs = adjustHedonism(n.system.higherOrder, options.hedonism);
  for (const g of defs) {
    const used = g.members.filter((m) => values[m] !== undefined);
    const missing = g.members.filter((m) => values[m] === undefined);
    coverage[g.id] = { used, missing };
    if (used.length) groups[g.id] = used.reduce((s, m) => s + values[m]!, 0) / used.length;
  }
  const dimensions: Record<string, number> = {};
  for (const d of n.system.bipolar) {
    if (groups[d.positive] !== undefined && groups[d.negative] !== undefined) {
      dimensions[d.id] = groups[d.positive]! - groups[d.negative]!;
    }
  }
  return { system: n.system.id, format, groups, dimensions, coverage };
}
