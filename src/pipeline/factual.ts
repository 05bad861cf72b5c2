/**
 * The factual profile of an alignment (the responder before steering) when the caller gives none:
 * the Value Portrait preset of the model that will answer (the request's `model`, else the backend's
 * default model; matched by family and dated alias, values/model-presets.ts) when one exists for this
 * graph, else the human mean preset of the graph, else the graph's own population prior (the
 * model-implied mean of every value node). So every graph of the catalogue, bundled or uploaded, aligns
 * without a preset named, and the response says which profile was used and why.
 */
import type { Generator } from '../generator/types.js';
import type { GraphEntry } from '../graphs/registry.js';
import { priorMoments } from '../scm/index.js';
import { Lru } from './lru.js';
import { getPreset, listPresets, presetForModel, type ModelMatch, type Preset } from '../values/index.js';

/** A default factual preset and why it was chosen. */
export interface DefaultFactual {
  preset: Preset;
  /** One sentence for the response's `factual.why`. */
  why: string;
  /** How the model id matched its preset (absent for the human mean). */
  match?: ModelMatch;
}

const MATCH_WHY: Readonly<Record<ModelMatch, string>> = {
  exact: 'its Value Portrait profile',
  alias: 'the Value Portrait profile of its newest dated snapshot',
  family: 'the Value Portrait profile of the closest dated snapshot of its family',
};

/** Default presets found recently, per graph entry (a model id is the caller's: the cache is bounded). */
export const DEFAULT_PRESET_CACHE_SIZE = 64;
const defaults = new WeakMap<GraphEntry, Lru<string, { found: DefaultFactual | undefined }>>();

/**
 * The default factual preset of `generator` answering with `model` (default: the generator's own),
 * when it is for this graph; else the human mean when that is; else none (the graph's prior).
 * Remembered per graph, generator kind and model id (the presets are read once): the result is
 * frozen and shared.
 */
export function defaultPresetFor(
  entry: GraphEntry,
  generator: Generator,
  model?: string,
): DefaultFactual | undefined {
  const { embedded } = generator.capabilities;
  const key = `${embedded ? 'e' : 'm'}\u0000${generator.name}\u0000${embedded ? '' : (model ?? generator.model)}`;
  let cache = defaults.get(entry);
  if (!cache) defaults.set(entry, (cache = new Lru(DEFAULT_PRESET_CACHE_SIZE)));
  const hit = cache.get(key);
  if (hit) return hit.found;
  const found = findDefaultPreset(entry, generator, model);
  if (found) {
    Object.freeze(found.preset.values);
    Object.freeze(found.preset);
    Object.freeze(found);
  }
  return cache.set(key, { found }).found;
}

function findDefaultPreset(
  entry: GraphEntry,
  generator: Generator,
  model?: string,
): DefaultFactual | undefined {
  let because: string;
  if (generator.capabilities.embedded) {
    because = `the ${generator.name} generator is not a language model and has no value profile`;
  } else {
    const id = model ?? generator.model;
    const hit = presetForModel(id, listPresets());
    if (hit && hit.preset.system === entry.id) {
      return {
        preset: hit.preset,
        match: hit.match,
        why: `model "${id}" answers: ${MATCH_WHY[hit.match]} (${hit.preset.id})`,
      };
    }
    because = hit
      ? `the profile of model "${id}" (${hit.preset.id}) is for graph "${hit.preset.system}", not "${entry.id}"`
      : `no Value Portrait profile is known for model "${id}"`;
  }
  const mean = getPreset('human:mean');
  if (mean && mean.system === entry.id) return { preset: mean, why: `${because}: the human mean` };
  return undefined;
}

/** Why the graph's prior is the factual profile (no preset fits the graph). */
export const PRIOR_WHY =
  'no preset is for this graph: its population prior (the model-implied mean of every value)';

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
