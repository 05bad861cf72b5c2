/**
 * The value-detector artefact in use: loaded once (at boot by the service, lazily by the CLI and the
 * library) from `graphs/detectors/value-detector.json`, or the file `VALUE_DETECTOR_FILE` names, and
 * checked against the graphs it serves (`checkDetectorCoverage`): a graph whose concepts are partly the
 * artefact's labels must be wholly covered (by label, or by the MFT map), or the boot stops.
 */
import { join, resolve } from 'node:path';
import type { GraphEntry } from '../../graphs/registry.js';
import { bundledGraphsDir } from '../../graphs/registry.js';
import { DetectorArtefactError, readDetectorArtefact, type DetectorModel } from './artefact.js';
import { MFT_CONCEPT_MAP } from './mft-map.js';

export function bundledDetectorPath(): string {
  return join(bundledGraphsDir(), 'detectors', 'value-detector.json');
}

let active: { path: string; model: DetectorModel } | undefined;

/** Load (and make active) the artefact at `path` (default: the bundled one). Throws DetectorArtefactError. */
export function loadValueDetector(path = bundledDetectorPath()): DetectorModel {
  const full = resolve(path);
  if (active?.path === full) return active.model;
  const model = readDetectorArtefact(full);
  for (const [concept, labels] of Object.entries(MFT_CONCEPT_MAP)) {
    const missing = labels.filter((l) => !model.byName.has(l));
    if (missing.length > 0) {
      throw new DetectorArtefactError(
        `value-detector artefact ${full}: the MFT concept "${concept}" maps to label(s) it lacks: ${missing.join(', ')}`,
      );
    }
  }
  active = { path: full, model };
  return model;
}

/** The active artefact (the bundled one unless another was loaded). */
export function valueDetector(): DetectorModel {
  return active?.model ?? loadValueDetector();
}

/** The path of the active artefact, if one is loaded. */
export function valueDetectorPath(): string | undefined {
  return active?.path;
}

/** How each concept of a graph is read: a label of the artefact, MFT-mapped labels, or none. */
export function conceptSources(
  model: DetectorModel,
  entry: Pick<GraphEntry, 'file'>,
): Array<number[] | null> {
  return entry.file.nodes
    .filter((n) => n.kind === 'concept')
    .map((n) => {
      const direct = model.byName.get(n.label);
      if (direct !== undefined) return [direct];
      const mapped = MFT_CONCEPT_MAP[n.id];
      return mapped ? mapped.map((l) => model.byName.get(l)!) : null;
    });
}

/**
 * Check that the artefact covers the graphs: a graph with some concepts covered must have all covered
 * (a partly covered graph means the artefact and the graph disagree on the taxonomy). Graphs with no
 * covered concept are read by the phrase detector's matches instead.
 */
export function checkDetectorCoverage(
  model: DetectorModel,
  graphs: Iterable<GraphEntry>,
  path: string,
): void {
  for (const entry of graphs) {
    const sources = conceptSources(model, entry);
    const covered = sources.filter((s) => s !== null).length;
    if (covered === 0 || covered === sources.length) continue;
    const concepts = entry.file.nodes.filter((n) => n.kind === 'concept');
    const missing = concepts.filter((_, i) => sources[i] === null).map((c) => `"${c.label}"`);
    throw new DetectorArtefactError(
      `value-detector artefact ${path} does not match graph "${entry.id}" (${entry.source}): ${missing.length} of its ${sources.length} concepts are not labels of the artefact (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}); retrain with npm run train:detector or fix the labels`,
    );
  }
}
