/**
 * The value systems profiles are written in: their value ids (the value nodes of the bundled graphs
 * `graphs/<id>.json`), labels, accepted aliases and higher-order groups.
 *
 * The three bundled systems are declared here (pure, no I/O); `test/graphs` checks that they match the
 * graph files. A profile for another graph can use `valueSystemFromGraph()`.
 */
import type { GraphFile } from '../../schemas/graph.js';
import { normalizeName, squashName } from './names.js';

export interface ValueDef {
  id: string;
  label: string;
  /** Short code used in the literature (SD, ST, …); accepted as an alias. */
  code?: string;
  /** One-line motivational goal (our paraphrase). */
  description: string;
  /** Higher-order group (for display; the summaries use `ValueSystem.higherOrder`). */
  group: string;
  /** More accepted names (any friendly form; they are normalised). */
  aliases?: readonly string[];
}

export interface HigherOrderGroup {
  id: string;
  label: string;
  members: readonly string[];
}

export interface BipolarDimension {
  /** The id of the matching latent node in the graph. */
  id: string;
  label: string;
  /** Higher-order group at the positive pole. */
  positive: string;
  /** Higher-order group at the negative pole. */
  negative: string;
}

export interface ValueSystem {
  id: string;
  label: string;
  /** Values in the theory's circle order (or the declaration order for non-circular systems). */
  values: readonly ValueDef[];
  higherOrder: readonly HigherOrderGroup[];
  bipolar: readonly BipolarDimension[];
}

export const SCHWARTZ_10: ValueSystem = {
  id: 'schwartz-10',
  label: 'Schwartz basic values (10)',
  values: [
    {
      id: 'self_direction',
      code: 'SD',
      label: 'Self-direction',
      group: 'Openness to change',
      description: 'Independent thought and action: choosing, creating, exploring.',
    },
    {
      id: 'stimulation',
      code: 'ST',
      label: 'Stimulation',
      group: 'Openness to change',
      description: 'Excitement, novelty and challenge in life.',
    },
    {
      id: 'hedonism',
      code: 'HE',
      label: 'Hedonism',
      group: 'Openness to change / Self-enhancement',
      description: 'Pleasure and sensuous gratification for oneself.',
    },
    {
      id: 'achievement',
      code: 'AC',
      label: 'Achievement',
      group: 'Self-enhancement',
      description: 'Personal success through demonstrating competence according to social standards.',
    },
    {
      id: 'power',
      code: 'PO',
      label: 'Power',
      group: 'Self-enhancement',
      description: 'Social status and prestige, control or dominance over people and resources.',
    },
    {
      id: 'security',
      code: 'SE',
      label: 'Security',
      group: 'Conservation',
      description: 'Safety, harmony and stability of society, of relationships and of self.',
    },
    {
      id: 'conformity',
      code: 'CO',
      label: 'Conformity',
      group: 'Conservation',
      description:
        'Restraint of actions and impulses likely to upset or harm others or to break social norms.',
    },
    {
      id: 'tradition',
      code: 'TR',
      label: 'Tradition',
      group: 'Conservation',
      description: 'Respect for, and acceptance of, the customs and ideas of one’s culture or religion.',
    },
    {
      id: 'benevolence',
      code: 'BE',
      label: 'Benevolence',
      group: 'Self-transcendence',
      description: 'Preserving and enhancing the welfare of the people one is in frequent contact with.',
    },
    {
      id: 'universalism',
      code: 'UN',
      label: 'Universalism',
      group: 'Self-transcendence',
      description:
        'Understanding, appreciation, tolerance and protection of the welfare of all people and of nature.',
    },
  ],
  // PVQ-40 key (Schwartz; g-corbelli/persval): hedonism is scored with openness to change.
  higherOrder: [
    {
      id: 'openness_to_change',
      label: 'Openness to change',
      members: ['self_direction', 'stimulation', 'hedonism'],
    },
    { id: 'self_enhancement', label: 'Self-enhancement', members: ['achievement', 'power'] },
    { id: 'conservation', label: 'Conservation', members: ['security', 'conformity', 'tradition'] },
    { id: 'self_transcendence', label: 'Self-transcendence', members: ['benevolence', 'universalism'] },
  ],
  bipolar: [
    {
      id: 'openness_conservation',
      label: 'Openness to change ↔ Conservation',
      positive: 'openness_to_change',
      negative: 'conservation',
    },
    {
      id: 'transcendence_enhancement',
      label: 'Self-transcendence ↔ Self-enhancement',
      positive: 'self_transcendence',
      negative: 'self_enhancement',
    },
  ],
};

/**
 * The 19 values of the refined theory (Schwartz et al. 2012) in circle order. The relative order of the
 * two benevolence values is uncertain (see graphs/README.md); we follow dependability → caring →
 * universalism–concern.
 */
export const SCHWARTZ_19: ValueSystem = {
  id: 'schwartz-19',
  label: 'Schwartz refined values (19)',
  values: [
    {
      id: 'self_direction_thought',
      code: 'SDT',
      label: 'Self-direction–thought',
      group: 'Openness to change',
      description: 'Freedom to cultivate one’s own ideas and abilities.',
    },
    {
      id: 'self_direction_action',
      code: 'SDA',
      label: 'Self-direction–action',
      group: 'Openness to change',
      description: 'Freedom to determine one’s own actions.',
    },
    {
      id: 'stimulation',
      code: 'ST',
      label: 'Stimulation',
      group: 'Openness to change',
      description: 'Excitement, novelty and change.',
    },
    {
      id: 'hedonism',
      code: 'HE',
      label: 'Hedonism',
      group: 'Openness to change / Self-enhancement',
      description: 'Pleasure and sensuous gratification.',
    },
    {
      id: 'achievement',
      code: 'AC',
      label: 'Achievement',
      group: 'Self-enhancement',
      description: 'Success according to social standards.',
    },
    {
      id: 'power_dominance',
      code: 'POD',
      label: 'Power–dominance',
      group: 'Self-enhancement',
      description: 'Power through exercising control over people.',
    },
    {
      id: 'power_resources',
      code: 'POR',
      label: 'Power–resources',
      group: 'Self-enhancement',
      description: 'Power through control of material and social resources.',
    },
    {
      id: 'face',
      code: 'FAC',
      label: 'Face',
      group: 'Self-enhancement / Conservation',
      description: 'Security and power through maintaining one’s public image and avoiding humiliation.',
    },
    {
      id: 'security_personal',
      code: 'SEP',
      label: 'Security–personal',
      group: 'Conservation',
      description: 'Safety in one’s immediate environment.',
    },
    {
      id: 'security_societal',
      code: 'SES',
      label: 'Security–societal',
      group: 'Conservation',
      description: 'Safety and stability in the wider society.',
    },
    {
      id: 'tradition',
      code: 'TR',
      label: 'Tradition',
      group: 'Conservation',
      description: 'Maintaining and preserving cultural, family or religious traditions.',
    },
    {
      id: 'conformity_rules',
      code: 'COR',
      label: 'Conformity–rules',
      group: 'Conservation',
      description: 'Compliance with rules, laws and formal obligations.',
    },
    {
      id: 'conformity_interpersonal',
      code: 'COI',
      label: 'Conformity–interpersonal',
      group: 'Conservation',
      description: 'Avoidance of upsetting or harming other people.',
    },
    {
      id: 'humility',
      code: 'HUM',
      label: 'Humility',
      group: 'Conservation / Self-transcendence',
      description: 'Recognising one’s insignificance in the larger scheme of things.',
    },
    {
      id: 'benevolence_dependability',
      code: 'BED',
      label: 'Benevolence–dependability',
      group: 'Self-transcendence',
      description: 'Being a reliable and trustworthy member of the in-group.',
    },
    {
      id: 'benevolence_caring',
      code: 'BEC',
      label: 'Benevolence–caring',
      group: 'Self-transcendence',
      description: 'Devotion to the welfare of in-group members.',
    },
    {
      id: 'universalism_concern',
      code: 'UNC',
      label: 'Universalism–concern',
      group: 'Self-transcendence',
      description: 'Commitment to equality, justice and protection for all people.',
    },
    {
      id: 'universalism_nature',
      code: 'UNN',
      label: 'Universalism–nature',
      group: 'Self-transcendence',
      description: 'Preservation of the natural environment.',
    },
    {
      id: 'universalism_tolerance',
      code: 'UNT',
      label: 'Universalism–tolerance',
      group: 'Self-transcendence',
      description: 'Acceptance and understanding of those who are different from oneself.',
    },
  ],
  // PVQ-RR key (Schwartz, June 2021): humility and face are left out of the four higher-order values.
  higherOrder: [
    {
      id: 'openness_to_change',
      label: 'Openness to change',
      members: ['self_direction_thought', 'self_direction_action', 'stimulation', 'hedonism'],
    },
    {
      id: 'self_enhancement',
      label: 'Self-enhancement',
      members: ['achievement', 'power_dominance', 'power_resources'],
    },
    {
      id: 'conservation',
      label: 'Conservation',
      members: [
        'security_personal',
        'security_societal',
        'tradition',
        'conformity_rules',
        'conformity_interpersonal',
      ],
    },
    {
      id: 'self_transcendence',
      label: 'Self-transcendence',
      members: [
        'universalism_nature',
        'universalism_concern',
        'universalism_tolerance',
        'benevolence_caring',
        'benevolence_dependability',
      ],
    },
  ],
  bipolar: SCHWARTZ_10.bipolar,
};

export const MFT_6: ValueSystem = {
  id: 'mft-6',
  label: 'Moral foundations (6)',
  values: [
    {
      id: 'care',
      label: 'Care',
      group: 'Individualizing',
      description: 'Sensitivity to suffering; kindness, nurturance and protection from harm.',
      aliases: ['care/harm', 'harm'],
    },
    {
      id: 'fairness',
      label: 'Fairness',
      group: 'Individualizing',
      description: 'Justice, reciprocity and rights; objection to cheating.',
      aliases: ['fairness/cheating', 'cheating'],
    },
    {
      id: 'loyalty',
      label: 'Loyalty',
      group: 'Binding',
      description: 'Standing with one’s group, family or nation; objection to betrayal.',
      aliases: ['loyalty/betrayal', 'ingroup', 'in-group'],
    },
    {
      id: 'authority',
      label: 'Authority',
      group: 'Binding',
      description: 'Respect for legitimate hierarchy, leadership and tradition; objection to subversion.',
      aliases: ['authority/subversion'],
    },
    {
      id: 'sanctity',
      label: 'Sanctity',
      group: 'Binding',
      description: 'Purity and living in an elevated, less carnal way; objection to degradation.',
      aliases: ['sanctity/degradation', 'purity', 'purity/degradation'],
    },
    {
      id: 'liberty',
      label: 'Liberty',
      group: 'Liberty',
      description: 'Freedom from domination and coercion; objection to oppression.',
      aliases: ['liberty/oppression'],
    },
  ],
  higherOrder: [
    { id: 'individualizing', label: 'Individualizing', members: ['care', 'fairness'] },
    { id: 'binding', label: 'Binding', members: ['loyalty', 'authority', 'sanctity'] },
  ],
  bipolar: [
    {
      id: 'individualizing_binding',
      label: 'Individualizing ↔ Binding',
      positive: 'individualizing',
      negative: 'binding',
    },
  ],
};

export const BUILTIN_SYSTEMS: ReadonlyMap<string, ValueSystem> = new Map(
  [SCHWARTZ_10, SCHWARTZ_19, MFT_6].map((s) => [s.id, s]),
);

export const DEFAULT_SYSTEM = 'schwartz-10';

/** A value system read off a graph file: its `value` nodes in declaration order (no higher-order groups). */
export function valueSystemFromGraph(file: GraphFile): ValueSystem {
  return {
    id: file.id,
    label: file.title ?? file.id,
    values: file.nodes
      .filter((n) => n.kind === 'value')
      .map((n) => ({ id: n.id, label: n.label, description: n.description ?? '', group: n.group ?? '' })),
    higherOrder: [],
    bipolar: [],
  };
}

const lookupCache = new WeakMap<ValueSystem, Map<string, string>>();

/** squashed name → value id, from ids, labels, codes and aliases. */
function lookup(system: ValueSystem): Map<string, string> {
  let map = lookupCache.get(system);
  if (map) return map;
  map = new Map();
  for (const v of system.values) {
    for (const name of [v.id, v.label, v.code, ...(v.aliases ?? [])]) {
      if (name) map.set(squashName(name), v.id);
    }
  }
  lookupCache.set(system, map);
  return map;
}

/** The value id a friendly name refers to in `system`, or undefined. */
export function resolveValueName(name: string, system: ValueSystem): string | undefined {
  if (typeof name !== 'string' || !normalizeName(name)) return undefined;
  return lookup(system).get(squashName(name));
}

export function valueIds(system: ValueSystem): string[] {
  return system.values.map((v) => v.id);
}
