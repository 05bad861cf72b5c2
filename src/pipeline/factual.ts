/**
 * The factual profile of an alignment (the responder before steering) when the caller gives none:
 * the backend model's own preset when one exists for this graph, else the human mean preset of the
 * graph, else the graph's own population prior (the model-implied mean of every value node). So every
 * graph of the catalogue, bundled or uploaded, aligns without a preset named.
 */
import type { Generator } from '../generator/types.js';
import type { GraphEntry } from '../graphs/registry.js';
import { priorMoments } from '../scm/index.js';
import { getPreset, type Preset } from '../values/index.js';

/** The default factual preset of `generator`: its model's Value Portrait profile if known, else the human mean. */
export function defaultPreset(generator: Generator): string {
  if (!generator.capabilities.embedded) {
    const model = generator.model.toLowerCase();
    if (getPreset(`llm:${model}`)) return `llm:${model}`;
  }
  return 'human:mean';
}

/** The default preset when it is for this graph, else the human mean when that is, else none. */
export function defaultPresetFor(entry: GraphEntry, generator: Generator): Preset | undefined {
  for (const id of [defaultPreset(generator), 'human:mean']) {
    const preset = getPreset(id);
    if (preset && preset.system === entry.id) return preset;
  }
  return undefined;
}

/**
 * The population prior of the graph: the model-implied mean of every value node, on the graph's scale
 * (exact for linear graphs; a nonlinear mechanism is evaluated at its parents' prior means).
 */
export function priorFactual(entry: GraphEntry): Record<string, number> {
  const { mean } = priorMoments(entry.program);
  const out: Record<string, number> = {};
  entry.program.ids.forEach((id, i) => {
    if (entry.program.kinds[i] === 'value') out[id] = mean[i]!;
  });
  return out;
}
