/**
 * The value systems profiles are written in: their value ids (the value nodes of a graph), labels,
 * accepted aliases and higher-order groups, derived from the graph file (pure, no I/O). Every graph of
 * the catalogue carries its system (`GraphEntry.system`); `getValueSystem` finds a bundled one by id.
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

/**
 * The value system of a graph, read off the file: its `value` nodes in declaration order (labels,
 * descriptions, groups, codes, aliases) and the `valueSystem` block (name, higher-order groups, bipolar
 * axes). The graph files are the only source: the bundled systems come from `graphs/*.json`, an uploaded
 * or inline graph brings its own.
 */
export function valueSystemFromGraph(file: GraphFile): ValueSystem {
  return {
    id: file.id,
    label: file.valueSystem?.label ?? file.title ?? file.id,
    values: file.nodes
      .filter((n) => n.kind === 'value')
      .map((n) => ({
        id: n.id,
        label: n.label,
        description: n.description ?? '',
        group: n.group ?? '',
        ...(n.code !== undefined ? { code: n.code } : {}),
        ...(n.aliases !== undefined ? { aliases: n.aliases } : {}),
      })),
    higherOrder: file.valueSystem?.higherOrder ?? [],
    bipolar: file.valueSystem?.bipolar ?? [],
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
