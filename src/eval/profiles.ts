/**
 * The default target profiles of `pluralign eval` (eval/profiles.json is this function's output; a
 * test keeps the two equal). Every target sets at most five dimensions, as in COUPLE (couple.md §6).
 *
 * - Five human clusters (`human:cluster-1` … `-5`, k-means of 569 people's PVQ-21 profiles): each
 *   cluster's three most and two least important values, in the order of the cluster centre. A
 *   cluster centre is an average, so its scores are shrunk towards 0 (cluster 1 stays within ±0.18);
 *   the five values are therefore scored as a ranking with the human rank curve (the typical centered
 *   score of a person's 1st … 10th value, src/values/ranking.ts), i.e. like one typical member.
 * - Ten single-value archetypes, one per Schwartz value: the value at 5 (most important), its two
 *   neighbours on the value circle at 4, and the value opposite it on the circle (five places away in
 *   the circle order SD ST HE AC PO SE CO TR BE UN) at 1 (contradicted).
 */
import { likert } from '../pipeline/profile.js';
import { getPreset, getValueSystem, rankScores, type ValueSystem } from '../values/index.js';

export interface ProfileFileEntry {
  id: string;
  label: string;
  group: 'human-cluster' | 'archetype';
  source: string;
  target: { format: 'likert5'; values: Record<string, number> };
}

export interface ProfilesFile {
  id: string;
  description: string;
  profiles: ProfileFileEntry[];
}

export const DEFAULT_PROFILES_DESCRIPTION =
  'Target profiles for `pluralign eval` on schwartz-10, written by src/eval/profiles.ts (deriveDefaultProfiles). human-cluster-1…5: each human cluster preset’s three most and two least important values (in the order of the cluster centre), scored as a ranking with the human rank curve (cluster centres are averages, shrunk towards 0). archetype-<value>: the value at 5, its two neighbours on the value circle at 4, the value opposite it at 1.';

/** The human presets and the archetypes are on schwartz-10 (its graph file gives labels and circle order). */
const schwartz10 = (): ValueSystem => getValueSystem('schwartz-10')!;
const labelOf = (id: string) => schwartz10().values.find((v) => v.id === id)!.label;

export function deriveDefaultProfiles(): ProfilesFile {
  const profiles: ProfileFileEntry[] = [];
  const scores = rankScores(5);
  for (let k = 1; k <= 5; k++) {
    const preset = getPreset(`human:cluster-${k}`);
    if (!preset) throw new Error(`the preset human:cluster-${k} is missing`);
    const order = schwartz10().values.map((v) => v.id);
    const sorted = Object.entries(preset.values).sort(
      ([a, x], [b, y]) => y - x || order.indexOf(a) - order.indexOf(b),
    );
    const chosen = [...sorted.slice(0, 3), ...sorted.slice(-2)].map(([id]) => id);
    profiles.push({
      id: `human-cluster-${k}`,
      label: `Human cluster ${k}: ${chosen
        .slice(0, 3)
        .map(labelOf)
        .join(', ')} over ${chosen.slice(3).map(labelOf).join(', ')}`,
      group: 'human-cluster',
      source: preset.id,
      target: {
        format: 'likert5',
        values: Object.fromEntries(chosen.map((id, i) => [id, likert(scores[i]!)])),
      },
    });
  }
  const circle = schwartz10().values.map((v) => v.id);
  const n = circle.length;
  circle.forEach((id, i) => {
    const values: Record<string, number> = {
      [id]: 5,
      [circle[(i + n - 1) % n]!]: 4,
      [circle[(i + 1) % n]!]: 4,
      [circle[(i + 5) % n]!]: 1,
    };
    profiles.push({
      id: `archetype-${id.replace(/_/g, '-')}`,
      label: `${labelOf(id)} archetype`,
      group: 'archetype',
      source: `schwartz-10 circle: ${id} 5, neighbours 4, opposite 1`,
      target: { format: 'likert5', values },
    });
  });
  return { id: 'pluralign-profiles-1', description: DEFAULT_PROFILES_DESCRIPTION, profiles };
}
